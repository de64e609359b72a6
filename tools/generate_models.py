"""Generate generated/models.py and generated/methods.py from schema/.

models.py: every `$defs` entry of every schema file is bundled into one document (definition
names are unique across files, so references become local) and handed to the pinned
datamodel-code-generator. methods.py: the method table of every revision, as protocol/registry.py
reads it from schema/revisions/ and schema/methods/, written out with the generated model classes.
Both are rendered in memory (`render_all`) and written only once both are; `make generate` runs this
through tools/generate.py, after meta-validating the schema. `--check` regenerates into memory and
prints a unified diff against the committed files instead of writing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from check_schema import SchemaProblems

from microtvm_project_api.protocol.registry import MethodSpec, SchemaRegistry

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
OUTPUT = ROOT / "generated" / "models.py"
METHODS_OUTPUT = ROOT / "generated" / "methods.py"
COMMAND = "make generate"

HEADER = f"""# GENERATED FILE, DO NOT EDIT.
# Source: schema/ (every $defs entry of every schema file, bundled by tools/generate_models.py).
# Command: `{COMMAND}` (datamodel-code-generator, pinned in pyproject.toml).
# CI regenerates it and fails on any difference."""

GENERATOR_ARGS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.10",
    "--strict-types", "str", "int", "float", "bool",
    "--use-subclass-enum",
    "--use-annotated",
    "--field-constraints",
    "--use-union-operator",
    "--use-standard-collections",
    "--use-title-as-name",
    "--use-double-quotes",
    "--use-field-description",
    "--use-schema-description",
    "--collapse-root-models",
    "--disable-timestamp",
    "--formatters", "builtin",
    "--custom-file-header", HEADER,
]


def schema_files(schema_dir: Path = SCHEMA_DIR) -> list[Path]:
    """Every schema file, in a stable order."""
    return sorted(p for p in schema_dir.rglob("*.json") if "examples" not in p.relative_to(schema_dir).parts)


# Cross-field rules (ProjectOptionRules, ServerInfoV2's template/path rule) have no pydantic
# counterpart in the generator; they stay in the schema and protocol/options.py and protocol/metadata_rules.py check them.
CROSS_FIELD_KEYWORDS = frozenset({"allOf", "if", "then", "else", "not", "contains"})


def _localise(node: object) -> object:
    """Rewrite cross-file `$ref`s to the bundle's "#/$defs/X" and drop cross-field keywords."""
    if isinstance(node, dict):
        out = {k: _localise(v) for k, v in node.items() if k not in CROSS_FIELD_KEYWORDS}
        ref = out.get("$ref")
        if isinstance(ref, str) and "#/$defs/" in ref:
            out["$ref"] = "#/$defs/" + ref.split("#/$defs/", 1)[1]
        return out
    if isinstance(node, list):
        return [_localise(v) for v in node]
    return node


def bundle(schema_dir: Path = SCHEMA_DIR) -> dict:
    """One schema holding every definition of the spec under `$defs`."""
    defs: dict[str, object] = {}
    first: dict[str, str] = {}
    for path in schema_files(schema_dir):
        relative = path.relative_to(schema_dir.parent).as_posix()
        for name, definition in json.loads(path.read_text()).get("$defs", {}).items():
            if definition.get("x-schema-only"):
                continue
            if name in defs:
                raise SchemaProblems([f"{relative}: /$defs/{name}: defined in {first[name]} too: definition names are unique across schema/"])
            defs[name] = _localise(definition)
            first[name] = relative
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "ProjectApiSpec", "$defs": dict(sorted(defs.items()))}


def render(schema_dir: Path = SCHEMA_DIR) -> str:
    """The text generated/models.py must hold (SchemaProblems when the model generator fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bundle.json"
        target = Path(tmp) / "models.py"
        source.write_text(json.dumps(bundle(schema_dir), indent=2))
        done = subprocess.run(
            [sys.executable, "-m", "datamodel_code_generator", "--input", str(source), "--output", str(target), *GENERATOR_ARGS],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise SchemaProblems([f"{schema_dir.name}/: datamodel-code-generator failed on the bundled $defs: {why}"])
        return target.read_text()


def render_methods(schema_dir: Path = SCHEMA_DIR) -> str:
    """The text generated/methods.py must hold."""
    return method_table_source(SchemaRegistry.from_directory(schema_dir))


def render_all(schema_dir: Path = SCHEMA_DIR) -> dict[Path, str]:
    """generated/models.py and generated/methods.py, by path, rendered in memory."""
    return {OUTPUT: render(schema_dir), METHODS_OUTPUT: render_methods(schema_dir)}


METHODS_HEADER = f'''# GENERATED FILE, DO NOT EDIT.
# Source: schema/revisions/*.json and schema/methods/*.json (the method table of every revision, read by
# protocol/registry.py and written out by tools/generate_models.py).
# Command: `{COMMAND}`. CI regenerates it and fails on any difference.
"""The method table of every protocol revision: each method's params and result models, its named errors,
and the facts the SDK, the client and the kit act on. Adding a method is a schema change and `{COMMAND}`.
The models are imported on first use (they import pydantic): the SDK's server never uses them."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Final, Mapping, cast

if TYPE_CHECKING:
    from pydantic import BaseModel


def _models() -> ModuleType:
    from microtvm_project_api.generated import models

    return models


@dataclass(frozen=True)
class MethodEntry:
    """One method of one revision."""

    name: str
    params_model_name: str
    """The generated model of the params, by name (see params_model)."""
    result_model_name: str
    params: tuple[str, ...]
    """The params' names in schema order: the order handler methods take them in."""
    result_member: str | None
    """The member of a result object that has exactly one (open_transport's timeouts): handlers return its value."""
    params_ref: str
    """Absolute reference of the params definition in schema/ (for jsonschema validation)."""
    result_ref: str
    errors: tuple[str, ...]
    """`x-errors`: the named server errors the method may raise."""
    takes_options: bool
    """The params carry `options`, checked against the server's declared ProjectOptions."""
    transport: bool
    """`x-transport`: implemented all together with the other transport methods, or not at all."""
    long_running: bool
    """`x-long-running`: the call may take minutes (compiling, flashing)."""
    timeout_param: str | None
    """The param typed TimeoutSec, the server's own wait: a client's deadline is that plus a margin."""
    path_params: tuple[str, ...]
    """`x-path`: params that are file system paths on the server's machine."""
    payload_params: Mapping[str, str]
    """Params carrying bytes, with their encoding (base85 or base64)."""
    payload_result: Mapping[str, str]
    """Result members carrying bytes, with their encoding."""

    @property
    def params_model(self) -> type[BaseModel]:
        """The generated model of the params (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.params_model_name))

    @property
    def result_model(self) -> type[BaseModel]:
        """The generated model of the result (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.result_model_name))


@dataclass(frozen=True)
class RevisionEntry:
    """One protocol revision: its payload encoding, error semantics and methods."""

    version: int
    payload_encoding: str
    parse_error_reply: bool
    """A line that is not JSON gets a -32700 reply."""
    common_errors: tuple[str, ...]
    common_server_errors: tuple[str, ...]
    methods: Mapping[str, MethodEntry]
'''


def method_table_source(registry: SchemaRegistry) -> str:
    """Python source of the method table of every revision in `registry`."""
    revisions = [registry.revision(version) for version in sorted(registry.revisions)]
    latest: dict[str, tuple[int, MethodSpec]] = {}
    for revision in revisions:
        for name, spec in revision.methods.items():
            latest[name] = (revision.version, spec)
    names = list(dict.fromkeys(name for revision in revisions for name in revision.methods))
    lines = [METHODS_HEADER, "", "# Method names."]
    lines += [f"{_constant(name)}: Final = {_str(name)}" for name in names]
    for revision in revisions:
        lines += ["", "", f"REVISION_{revision.version}: Final = RevisionEntry(",
                  f"    version={revision.version},",
                  f"    payload_encoding={_str(revision.codec.name)},",
                  f"    parse_error_reply={revision.parse_error_reply!r},",
                  f"    common_errors={_tuple(revision.common_errors)},",
                  f"    common_server_errors={_tuple(revision.common_server_errors)},",
                  "    methods={"]
        for name, spec in revision.methods.items():
            lines += [f"        {_constant(name)}: {_entry(spec, 8, registry)},"]
        lines += ["    },", ")"]
    lines += ["", ""]
    lines += ["REVISIONS: Final[Mapping[int, RevisionEntry]] = {"]
    lines += [f"    {r.version}: REVISION_{r.version}," for r in revisions]
    lines += ["}", f"LATEST_REVISION: Final = {revisions[-1].version}", ""]
    lines += ["# Every method of any revision, with its entry in the latest revision that has it."]
    lines += ["METHODS: Final[Mapping[str, MethodEntry]] = {"]
    lines += [f"    {_constant(name)}: REVISION_{latest[name][0]}.methods[{_constant(name)}]," for name in names]
    lines += ["}"]
    for constant, fact in (("METHOD_NAMES", None), ("OPTION_METHODS", "takes_options"),
                           ("TRANSPORT_METHODS", "transport"), ("LONG_RUNNING_METHODS", "long_running")):
        chosen = [name for name in names if fact is None or getattr(latest[name][1], fact)]
        lines += [f"{constant}: Final = {_tuple(chosen, _constant)}"]
    return "\n".join(lines) + "\n"


def _constant(name: str) -> str:
    return name.upper()


def _str(value: str) -> str:
    """A string literal in double quotes."""
    return json.dumps(value)


def _tuple(items: Iterable[str], show: Callable[[str], str] = _str) -> str:
    """A tuple display of `items`, each written by `show`; one item a line when it would be long."""
    shown = [show(item) for item in items]
    if len(shown) == 1:
        return f"({shown[0]},)"
    if sum(len(item) + 2 for item in shown) > 90:
        return "(\n" + "".join(f"    {item},\n" for item in shown) + ")"
    return f"({', '.join(shown)})"


def _mapping(items: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{_str(k)}: {_str(v)}" for k, v in items.items()) + "}"


def _only_member(result: dict[str, Any]) -> str:
    """The name of the one member of a result object that has exactly one, as source; None otherwise."""
    members = list(result.get("properties", {})) if result.get("type") == "object" else []
    return _str(members[0]) if len(members) == 1 else "None"


def _entry(spec: MethodSpec, indent: int, registry: SchemaRegistry) -> str:
    pad = " " * (indent + 4)
    fields = [
        ("name", _constant(spec.name)),
        ("params_model_name", _str(spec.params_model_name)),
        ("result_model_name", _str(spec.result_model_name)),
        ("params", _tuple(registry.resolve(spec.params_ref).get("properties", {}))),
        ("result_member", _only_member(registry.resolve(spec.result_ref))),
        ("params_ref", _str(spec.params_ref)),
        ("result_ref", _str(spec.result_ref)),
        ("errors", _tuple(spec.errors)),
        ("takes_options", repr(spec.takes_options)),
        ("transport", repr(spec.transport)),
        ("long_running", repr(spec.long_running)),
        ("timeout_param", "None" if spec.timeout_param is None else _str(spec.timeout_param)),
        ("path_params", _tuple(spec.path_params)),
        ("payload_params", _mapping(spec.payload_params)),
        ("payload_result", _mapping(spec.payload_result)),
    ]
    body = "".join(f"{pad}{key}={value},\n" for key, value in fields)
    return f"MethodEntry(\n{body}{' ' * indent})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if generated/ is stale")
    args = parser.parse_args()
    try:
        outputs = render_all()
    except SchemaProblems as exc:
        print(exc, file=sys.stderr)
        return 1
    if not args.check:
        for path, text in outputs.items():
            path.write_text(text)
        return 0
    stale = False
    for path, text in outputs.items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        stale = True
        name = path.relative_to(ROOT)
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True), f"{name} (committed)", f"{name} (from schema/)"))
        print(f"\n{name} is stale: run `{COMMAND}` and commit the result.", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
