"""Generate generated/handlers.py and generated/client_methods.py from the method table of schema/.

handlers.py: the handler base classes every server subclasses, one method per protocol method: the SDK's
(`HandlerMethods`, values as handlers take them: Paths, bytes, checked options) and TVM's shape (`TvmHandlerMethods`,
for server_sdk/tvm_compat.py), and the NamedTuples a handler returns for a one-member result (TransportTimeouts).
client_methods.py: the typed client's wrappers (`ClientMethods`), one per method, each handing its arguments to
the client's `_invoke`. Signatures come from the params' types and annotations, docstrings from the method files;
nothing about a method is written by hand. `--check` prints a diff against the committed files instead of writing.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from microtvm_project_api.protocol.method_table import MethodEntry
from microtvm_project_api.protocol.registry import Member, SchemaRegistry

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
HANDLERS_OUTPUT = ROOT / "generated" / "handlers.py"
CLIENT_OUTPUT = ROOT / "generated" / "client_methods.py"
COMMAND = "make generate"
AGREEMENT_METHOD = "server_info_query"
"""Answered by the SDK from the declarations (not a handler method); the client sends the session's own values."""
JSON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list[Any]", "object": "dict[str, Any]"}


def header(source: str, what: str) -> str:
    return (f"# GENERATED FILE, DO NOT EDIT.\n# Source: {source}, through the method table (protocol/registry.py).\n"
            f"# Command: `{COMMAND}` (tools/generate_stubs.py). CI regenerates it and fails on any difference.\n"
            f'"""{what}"""\n\nfrom __future__ import annotations')


def summary(registry: SchemaRegistry, entry: MethodEntry) -> str:
    """The first sentence of the method file's description: the docstring of every stub of the method."""
    text = registry.description(entry)
    first = text.split(". ", 1)[0].rstrip(".")
    return f"{first}. (schema/methods/{entry.name}.json)"


def latest_entries(registry: SchemaRegistry) -> dict[str, MethodEntry]:
    """Every method of any revision, with its entry in the latest revision that has it."""
    return {name: entry for version in sorted(registry.revisions) for name, entry in registry.revision(version).methods.items()}


def param_type(entry: MethodEntry, member: Member, side: str) -> str:
    """The Python type of one param as a handler (`side` "server") or a caller ("client") gives it."""
    if member.name in entry.payload_params:
        return "bytes"
    if member.name in entry.path_params:
        return "Path" if side == "server" else "str | os.PathLike[str]"
    if entry.takes_options and member.name == "options":
        return "dict[str, Any]" if side == "server" else "Mapping[str, Any] | None"
    if member.name == entry.timeout_param:
        return "float | None"
    kind = member.annotations.get("type")
    return JSON_TYPES.get(kind, "Any") if isinstance(kind, str) else "Any"


def params(registry: SchemaRegistry, entry: MethodEntry) -> list[Member]:
    """The params every revision's definition of the method has, in schema order (the ones handlers take)."""
    shared: list[Member] | None = None
    for version in sorted(registry.revisions):
        other = registry.revision(version).methods.get(entry.name)
        if other is not None:
            names = {m.name for m in registry.members(other.params_ref)}
            shared = [m for m in (shared or registry.members(entry.params_ref)) if m.name in names]
    return shared or []


def one_member_types(registry: SchemaRegistry, entries: dict[str, MethodEntry]) -> dict[str, str]:
    """For each method whose result is an object of one member that is not a payload and refers to a definition, that
    definition (a handler returns it as a NamedTuple)."""
    found = {}
    for entry in entries.values():
        if entry.result_member is not None and entry.result_member not in entry.payload_result:
            member = next(m for m in registry.members(entry.result_ref) if m.name == entry.result_member)
            if member.refs:
                found[entry.name] = member.refs[-1]
    return found


def named_tuple(registry: SchemaRegistry, ref: str) -> list[str]:
    """A NamedTuple for the object defined at `ref`: its members typed, described, in schema order."""
    definition = registry.resolve(ref)
    name = ref.rsplit("/", 1)[1]
    lines = [f"class {name}(NamedTuple):", f'    """{definition.get("description", name)} (schema/types.json#/$defs/{name})"""', ""]
    for member in registry.members(ref):
        kind = member.annotations.get("type")
        lines += [f"    {member.name}: {JSON_TYPES.get(kind, 'Any') if isinstance(kind, str) else 'Any'}"]
        if "description" in member.annotations:
            lines += [f'    """{member.annotations["description"]}"""']
    lines += ["", "    def to_json(self) -> dict[str, Any]:", '        """The JSON object of the result member."""',
              "        return dict(self._asdict())"]
    return lines


def server_result(registry: SchemaRegistry, entry: MethodEntry, tuples: dict[str, str]) -> str:
    if entry.result_member in entry.payload_result:
        return "bytes"
    if entry.name in tuples:
        return tuples[entry.name].rsplit("/", 1)[1]
    if entry.result_member is not None:  # a plain value: the handler returns it, the SDK wraps it in the member
        member = next(m for m in registry.members(entry.result_ref) if m.name == entry.result_member)
        kind = member.annotations.get("type")
        return JSON_TYPES.get(kind, "Any") if isinstance(kind, str) else "Any"
    return "None"


def render_handlers(registry: SchemaRegistry) -> str:
    entries = latest_entries(registry)
    tuples = one_member_types(registry, entries)
    lines = [header("schema/methods/*.json, schema/types.json",
                    "The handler base classes: one method per protocol method, each unsupported until a platform overrides "
                    "it.\n\nHandlerMethods is the SDK's (server_sdk/handler.py), TvmHandlerMethods TVM's shape "
                    "(server_sdk/tvm_compat.py).")]
    lines += ["", "import abc", "from pathlib import Path", "from typing import Any, NamedTuple", "", ""]
    for ref in dict.fromkeys(tuples.values()):
        lines += named_tuple(registry, ref) + ["", ""]
    lines += ["class HandlerMethods:",
              '    """The protocol methods as the SDK calls them: params validated and converted (Paths, bytes, checked',
              "    options). A method left as it is stays unsupported (out of supported_methods, answered",
              '    MethodNotSupportedError)."""']
    for name, entry in entries.items():
        if name == AGREEMENT_METHOD:
            continue
        lines += [""] + handler_stub(registry, entry, tuples, abstract=False)
    lines += ["", "", "class TvmHandlerMethods(HandlerMethods, abc.ABC):",
              '    """The protocol methods in the shape of TVM\'s server module: server_info_query must be written; the others',
              '    are unsupported until overridden."""', ""]
    lines += handler_stub(registry, entries[AGREEMENT_METHOD], tuples, abstract=True)
    return "\n".join(lines) + "\n"


def handler_stub(registry: SchemaRegistry, entry: MethodEntry, tuples: dict[str, str], abstract: bool) -> list[str]:
    arguments = "".join(f", {m.name}: {param_type(entry, m, 'server')}" for m in params(registry, entry))
    result = "Any" if entry.name == AGREEMENT_METHOD else server_result(registry, entry, tuples)
    lines = ["    @abc.abstractmethod"] if abstract else []
    lines += [f"    def {entry.name}(self{arguments}) -> {result}:", f'        """{summary(registry, entry)}"""']
    return lines if abstract else lines + ["        raise NotImplementedError"]


def client_result(registry: SchemaRegistry, entry: MethodEntry) -> str:
    if entry.result_member in entry.payload_result:
        return "bytes"
    results = {registry.revision(v).methods[entry.name].result_ref for v in sorted(registry.revisions)
               if entry.name in registry.revision(v).methods}
    shapes = [registry.resolve(ref) for ref in results]
    if all(shape.get("type") == "null" for shape in shapes):
        return "None"
    return " | ".join(f"models.{ref.rsplit('/', 1)[1]}" for ref in sorted(results))


def render_client(registry: SchemaRegistry) -> str:
    entries = latest_entries(registry)
    lines = [header("schema/methods/*.json", "The typed client's methods: one per protocol method, each handing its "
                    "arguments to the client's `_invoke`\n(client/client.py), which converts, sends, checks and decodes "
                    "by the method table's facts.")]
    lines += ["", "import os", "from typing import TYPE_CHECKING, Any, Mapping", "", "from microtvm_project_api.generated import methods", "",
              "if TYPE_CHECKING:", "    from microtvm_project_api.generated import models", "", ""]
    lines += ["class ClientMethods:", '    """One typed method per protocol method; `timeout` is the call\'s deadline in seconds '
              '(None: the method\'s class\n    in the client\'s CallTimeouts)."""', "",
              "    def _invoke(self, method: str, arguments: dict[str, Any], timeout: float | None) -> Any:",
              '        """Call `method` with its arguments as given (None where left out)."""', "        raise NotImplementedError"]
    for name, entry in entries.items():
        members = params(registry, entry)
        required = [m for m in members if not (name == AGREEMENT_METHOD or (entry.takes_options and m.name == "options"))]
        optional = [m for m in members if m not in required]
        arguments = "".join(f", {m.name}: {param_type(entry, m, 'client')}" for m in required)
        arguments += "".join(f", {m.name}: {_optional(param_type(entry, m, 'client'))} = None" for m in optional)
        result = client_result(registry, entry)
        call = f"self._invoke(methods.{name.upper()}, {{{', '.join(f'{m.name!r}: {m.name}' for m in members)}}}, timeout)"
        doc = summary(registry, entry)
        if name == AGREEMENT_METHOD:
            doc += " Its params default to the session's own."
        lines += ["", f"    def {name}(self{arguments}, timeout: float | None = None) -> {result}:", f'        """{doc}"""']
        lines += [f"        {call}"] if result == "None" else [f"        result: {result} = {call}", "        return result"]
    return "\n".join(lines) + "\n"


def _optional(kind: str) -> str:
    return kind if kind.endswith("| None") else f"{kind} | None"


def outputs(schema_dir: Path = SCHEMA_DIR) -> dict[Path, str]:
    """What each generated file must hold, from the schema in `schema_dir`."""
    registry = SchemaRegistry.from_directory(schema_dir)
    return {HANDLERS_OUTPUT: render_handlers(registry), CLIENT_OUTPUT: render_client(registry)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if generated/ is stale")
    args = parser.parse_args()
    stale = False
    for path, text in outputs().items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        if not args.check:
            path.write_text(text)
            continue
        stale = True
        name = path.relative_to(ROOT)
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                                   f"{name} (committed)", f"{name} (from schema/)"))
        print(f"\n{name} is stale: run `{COMMAND}` and commit the result.", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
