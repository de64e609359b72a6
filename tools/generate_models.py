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
import dataclasses
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping

from check_schema import SchemaProblems

from microtvm_project_api.protocol.method_table import MethodEntry, RevisionEntry
from microtvm_project_api.protocol.registry import SchemaRegistry

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
        return shared_enums(target.read_text())


SHARED_ENUMS = ("ErrorCode", "ServerErrorName")
"""Enums generated/validators.py defines for the SDK (which never imports pydantic): the models import them from there
instead of defining a second class of the same name, so `ErrorCode` is one class everywhere."""


def shared_enums(text: str) -> str:
    """The models' source with each SHARED_ENUMS class replaced by an import of the validators' one."""
    for name in SHARED_ENUMS:
        start = text.index(f"\nclass {name}(")
        end = text.index("\n\n\n", start) + 2
        text = text[:start] + text[end:]
    imports = f"from microtvm_project_api.generated.validators import {', '.join(SHARED_ENUMS)}\n"
    anchor = text.index("from pydantic import")
    return text[:anchor] + imports + text[anchor:]


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
and the facts the SDK, the client and the kit act on (entry types: protocol/method_table.py). Adding a method
is a schema change and `{COMMAND}`."""

from __future__ import annotations

from typing import Final, Mapping

from microtvm_project_api.protocol.method_table import MethodEntry, RevisionEntry
'''


def method_table_source(registry: SchemaRegistry) -> str:
    """Python source of the method table of every revision in `registry`."""
    revisions = [registry.revision(version) for version in sorted(registry.revisions)]
    latest: dict[str, tuple[int, MethodEntry]] = {}
    for revision in revisions:
        for name, entry in revision.methods.items():
            latest[name] = (revision.version, entry)
    names = list(dict.fromkeys(name for revision in revisions for name in revision.methods))
    lines = [METHODS_HEADER, "", "# Method names."]
    lines += [f"{_constant(name)}: Final = {_str(name)}" for name in names]
    for revision in revisions:
        lines += ["", "", f"REVISION_{revision.version}: Final = {_fields(revision, 0)}"]
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
    lines += envelope_source(registry)
    return "\n".join(lines) + "\n"


def envelope_source(registry: SchemaRegistry) -> list[str]:
    """The envelope's facts from jsonrpc.json (Request, MethodNameSyntax, the line bounds), for protocol/envelope.py
    and protocol/wire.py: the wire's rules come from the schema, not from literals of their own."""
    uri = registry.definition_uri("Request").partition("#")[0]
    request = registry.resolve(f"{uri}#/$defs/Request")
    document = registry.documents[uri]
    assert set(request["required"]) == set(request["properties"]), "protocol/envelope.py reads every member as required"
    return ["", "# The JSON-RPC envelope (schema/jsonrpc.json).",
            f"JSONRPC_VERSION: Final = {_str(request['properties']['jsonrpc']['const'])}",
            f"REQUEST_MEMBERS: Final = frozenset({_tuple(request['properties'])})",
            f"METHOD_NAME_PATTERN: Final = {_str(registry.resolve(f'{uri}#/$defs/MethodNameSyntax')['pattern'])}",
            f"MAX_LINE_BYTES: Final = {document['x-max-line-bytes']}",
            f"MAX_LINE_VALUES: Final = {document['x-max-line-values']}"]


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


def _fields(entry: MethodEntry | RevisionEntry, indent: int) -> str:
    """The constructor call of a table entry, every field written out (a revision's methods by their constants)."""
    pad = " " * (indent + 4)
    body = ""
    for field in dataclasses.fields(entry):
        value = getattr(entry, field.name)
        if field.name == "methods":
            rows = "".join(f"{pad}    {_constant(n)}: {_fields(m, indent + 8)},\n" for n, m in value.items())
            shown = "{\n" + rows + pad + "}"
        elif field.name == "name":
            shown = _constant(value)
        elif isinstance(value, str):
            shown = _str(value)
        elif isinstance(value, tuple):
            shown = _tuple(value)
        elif isinstance(value, Mapping):
            shown = "{" + ", ".join(f"{_str(k)}: {_str(v)}" for k, v in value.items()) + "}"
        else:
            shown = repr(value)
        body += f"{pad}{field.name}={shown},\n"
    return f"{type(entry).__name__}(\n{body}{' ' * indent})"


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
