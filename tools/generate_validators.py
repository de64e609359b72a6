"""Generate generated/validators.py from schema/: plain-Python validators compiled from the schema.

The server SDK validates every request with them, so it starts without importing pydantic, and the
client checks hot-path replies with them. They check what the generated pydantic models check (the
cross-field rules stay in protocol/metadata_rules.py for both) and word their messages as pydantic
does, so an error reads the same whichever side found it. Two deliberate differences: a transport
payload string (`contentEncoding`) is not matched against its pattern, because the payload codec's
strict decoder judges it; `uniqueItems` is checked, and an optional member given null is refused unless
the schema allows null (the models accept both). `--check` regenerates in
memory and prints a unified diff against the committed file instead of writing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
OUTPUT = ROOT / "generated" / "validators.py"
COMMAND = "make generate"
SKIPPED = frozenset({"allOf", "if", "then", "else", "not", "contains"})
"""Cross-field keywords: protocol/metadata_rules.py checks them, as for the pydantic models."""
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "$schema", "$id", "deprecated"})
"""Keywords that do not constrain a value (and every "x-" keyword of the spec)."""
TYPE_TESTS = {
    "string": ("isinstance({v}, str)", "Input should be a valid string", "string_type"),
    "integer": ("(isinstance({v}, int) and not isinstance({v}, bool))", "Input should be a valid integer", "int_type"),
    "number": ("(isinstance({v}, (int, float)) and not isinstance({v}, bool))", "Input should be a valid number", "float_type"),
    "boolean": ("isinstance({v}, bool)", "Input should be a valid boolean", "bool_type"),
    "null": ("{v} is None", "Input should be None", "none_required"),
    "object": ("isinstance({v}, dict)", "Input should be a valid dictionary", "dict_type"),
    "array": ("isinstance({v}, list)", "Input should be a valid list", "list_type"),
}

HEADER = f'''# GENERATED FILE, DO NOT EDIT.
# Source: schema/ (the method tables of revisions/*.json, jsonrpc.json's replies, errors.json's catalogue).
# Command: `{COMMAND}` (tools/generate_validators.py). CI regenerates it and fails on any difference.
"""Validators compiled from schema/, standard library only: each `check(value, at, out)` appends one
(JSON pointer, message, rule) per violation to `out` and returns nothing; valid input appends nothing."""

from __future__ import annotations

import re
from enum import Enum, IntEnum
from typing import Any, Callable

Found = list[tuple[str, str, str]]
"""(JSON pointer, message, rule) of each violation found."""
Check = Callable[[Any, str, Found], None]


def _key(name: str) -> str:
    return "/" + name.replace("~", "~0").replace("/", "~1")


def _unique(items: list[Any]) -> bool:
    seen: list[tuple[bool, Any]] = []
    for item in items:
        tagged = (type(item) is bool, item)
        if tagged in seen:
            return False
        seen.append(tagged)
    return True
'''


def load_documents() -> dict[str, dict[str, Any]]:
    """Every schema file by `$id` (examples excluded)."""
    documents = {}
    for path in sorted(p for p in SCHEMA_DIR.rglob("*.json") if "examples" not in p.relative_to(SCHEMA_DIR).parts):
        document = json.loads(path.read_text(encoding="utf-8"))
        documents[document["$id"]] = document
    return documents


def _number(value: float) -> str:
    """A limit as pydantic prints it (0.0 as 0)."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _literal(value: Any) -> str:
    """A constant as pydantic's literal errors print it."""
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _choices(values: list[Any]) -> str:
    shown = [_literal(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


class Compiler:
    """Turns schema definitions into Python functions, one per definition reached, emitted once each."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.names: dict[str, str] = {}
        self.pending: list[str] = []
        self.constants: dict[str, str] = {}
        self.functions: list[str] = []

    def resolve(self, ref: str) -> Any:
        """The schema an absolute `uri#/pointer` reference names."""
        uri, _, fragment = ref.partition("#")
        node: Any = self.documents[uri]
        for part in filter(None, fragment.split("/")):
            node = node[part]
        return node

    def function(self, ref: str) -> str:
        """The name of the function checking the definition at `ref` (emitted later if new)."""
        if ref not in self.names:
            self.names[ref] = "check_" + ref.rsplit("/", 1)[1]
            self.pending.append(ref)
        return self.names[ref]

    def constant(self, expression: str) -> str:
        """A module-level name for `expression` (compiled patterns, key sets), shared by equal expressions."""
        if expression not in self.constants:
            self.constants[expression] = f"_C{len(self.constants)}"
        return self.constants[expression]

    def run(self) -> None:
        """Emit a function for every definition reached, those reached from them included."""
        while self.pending:
            ref = self.pending.pop(0)
            schema = self.resolve(ref)
            body = self.check(schema, "value", "at", ref.partition("#")[0], 0, model=schema.get("title"))
            self.functions.append(f"\n\ndef {self.names[ref]}(value: Any, at: str, out: Found) -> None:\n"
                                  f'    """{schema.get("title", ref)}."""\n' + "\n".join(_indent(body or ["pass"], 1)))

    def check(self, schema: Any, v: str, at: str, base: str, depth: int, model: str | None = None) -> list[str]:
        """Lines checking the value named `v`, whose pointer is the expression `at`."""
        if schema is True or not isinstance(schema, dict):
            return []
        if "$ref" in schema:
            ref = urljoin(base, schema["$ref"])
            target = self.resolve(ref)
            if target.get("x-schema-only"):
                return []
            if "properties" not in target:  # a scalar, list or map definition: checked inline, no call
                return self.check(target, v, at, ref.partition("#")[0], depth)
            return [f"{self.function(ref)}({v}, {at}, out)"]
        branches = schema.get("anyOf")
        if branches is not None:
            others = [b for b in branches if b != {"type": "null"}]
            if len(others) == len(branches) - 1 and len(others) == 1:
                inner = self.check(others[0], v, at, base, depth)
                return [f"if {v} is not None:", *_indent(inner or ["pass"], 1)]
            raise SystemExit(f"anyOf other than X-or-null is not supported: {schema}")
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        nullable = "null" in types and len(types) > 1
        if nullable:
            types.remove("null")
            inner = self.check({**schema, "type": types if len(types) > 1 else types[0]}, v, at, base, depth, model)
            return [f"if {v} is not None:", *_indent(inner or ["pass"], 1)]
        if "enum" in schema:
            values = self.constant(_frozenset(schema["enum"]))
            kind = "isinstance({v}, str)" if all(isinstance(x, str) for x in schema["enum"]) else TYPE_TESTS[types[0]][0]
            message = "Input should be " + _choices(schema["enum"])
            return [f"if not ({kind.format(v=v)} and {v} in {values}):", f"    out.append(({at}, {message!r}, 'enum'))"]
        if "const" in schema:
            const = schema["const"]
            same_type = f"type({v}) is {type(const).__name__}"
            return [f"if not ({same_type} and {v} == {const!r}):", f"    out.append(({at}, {('Input should be ' + _literal(const))!r}, 'literal_error'))"]
        lines: list[str] = []
        if types:
            tests = [TYPE_TESTS[t] for t in types]
            condition = " or ".join(t[0].format(v=v) for t in tests)
            messages = [t[1] for t in tests]
            if model and types == ["object"] and "properties" in schema:
                messages = [f"Input should be a valid dictionary or instance of {model}"]
                rule = "model_type"
            else:
                rule = tests[0][2]
            message = messages[0] + "".join(", or " + m[0].lower() + m[1:] for m in messages[1:])
            lines += [f"if not ({condition}):", f"    out.append(({at}, {message!r}, {rule!r}))", "else:"]
        constraints = self.constraints(schema, types, v, at, base, depth)
        if not types:
            return constraints
        return lines + _indent(constraints or ["pass"], 1) if constraints else lines[:-1]

    def constraints(self, schema: dict[str, Any], types: list[str], v: str, at: str, base: str, depth: int) -> list[str]:
        """Lines checking the keywords that apply once the value has one of `types`."""
        unknown = {k for k in schema if not k.startswith("x-")} - SKIPPED - ANNOTATIONS - {
            "type", "properties", "required", "additionalProperties", "propertyNames", "items", "minItems", "uniqueItems", "minimum",
            "minLength", "pattern", "contentEncoding"}
        if unknown:
            raise SystemExit(f"keywords not supported by the validator generator: {sorted(unknown)} in {schema.get('title', schema)}")
        only = len(types) == 1
        out: list[str] = []

        def guarded(kind: str, lines: list[str]) -> None:
            if lines:
                out.extend(lines if only else [f"if {TYPE_TESTS[kind][0].format(v=v)}:", *_indent(lines, 1)])

        if "minimum" in schema:
            limit = schema["minimum"]
            kind = "number" if "number" in types else "integer"
            guarded(kind, [f"if {v} < {limit!r}:", f"    out.append(({at}, {'Input should be greater than or equal to ' + _number(limit)!r}, 'greater_than_equal'))"])
        string: list[str] = []
        if "minLength" in schema:
            count = schema["minLength"]
            message = f"String should have at least {count} character{'' if count == 1 else 's'}"
            string += [f"if len({v}) < {count}:", f"    out.append(({at}, {message!r}, 'string_too_short'))"]
        if "pattern" in schema and "contentEncoding" not in schema:
            string += self.pattern(schema["pattern"], v, at)
        guarded("string", string)
        array: list[str] = []
        if "minItems" in schema:
            count = schema["minItems"]
            array += [f"if len({v}) < {count}:",
                      f"    out.append(({at}, f'List should have at least {count} item{'' if count == 1 else 's'} after validation, not {{len({v})}}', 'too_short'))"]
        if schema.get("uniqueItems"):
            array += [f"if not _unique({v}):", f"    out.append(({at}, 'List items should be unique', 'uniqueItems'))"]
        if "items" in schema:
            item, index = f"item{depth}", f"index{depth}"
            inner = self.check(schema["items"], item, f'{at} + "/" + str({index})', base, depth + 1)
            if inner:
                array += [f"for {index}, {item} in enumerate({v}):", *_indent(inner, 1)]
        guarded("array", array)
        guarded("object", self.object(schema, v, at, base, depth))
        return out

    def pattern(self, pattern: str, v: str, at: str) -> list[str]:
        """Lines matching the string `v` against an anchored pattern, compiled once at import."""
        if not (pattern.startswith("^") and pattern.endswith("$")):
            raise SystemExit(f"pattern {pattern!r} is not anchored at both ends: its meaning would differ between regex engines")
        compiled = self.constant(f"re.compile({pattern[1:-1]!r})")
        return [f"if not {compiled}.fullmatch({v}):", f"    out.append(({at}, {'String should match pattern ' + repr(pattern)!r}, 'string_pattern_mismatch'))"]

    def object(self, schema: dict[str, Any], v: str, at: str, base: str, depth: int) -> list[str]:
        """Lines checking an object's members in schema order, then the members it does not declare."""
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        out: list[str] = []
        member = f"member{depth}"
        for name, subschema in properties.items():
            where = f"{at} + {_pointer(name)!r}"
            inner = self.check(subschema, member, where, base, depth + 1)
            if name in required:
                out += [f"{member} = {v}.get({name!r}, _MISSING)", f"if {member} is _MISSING:", f"    out.append(({where}, 'Field required', 'missing'))"]
                if inner:
                    out += ["else:", *_indent(inner, 1)]
            elif inner:
                out += [f"{member} = {v}.get({name!r}, _MISSING)", f"if {member} is not _MISSING:", *_indent(inner, 1)]
        known = self.constant(_frozenset(properties))
        key, value = f"key{depth}", f"value{depth}"
        where = f"{at} + _key({key})"
        if extra is False:
            out += [f"if not {known}.issuperset({v}):", f"    for {key} in {v}:", f"        if {key} not in {known}:",
                    f"            out.append(({where}, 'Extra inputs are not permitted', 'extra_forbidden'))"]
        else:
            names = self.pattern(schema["propertyNames"]["pattern"], key, where) if "propertyNames" in schema else []
            values = self.check(extra, value, where, base, depth + 1)
            if names or values:
                loop = [f"for {key}, {value} in {v}.items():"]
                body = names + values
                if properties:
                    body = [f"if {key} not in {known}:", *_indent(body, 1)]
                out += loop + _indent(body, 1)
        return out


def _frozenset(values: Any) -> str:
    """Source text of a frozenset, its members in a stable order (a set's repr follows string hashing, which varies)."""
    members = sorted(values, key=repr)
    return "frozenset({" + ", ".join(map(repr, members)) + "})" if members else "frozenset()"


def _pointer(name: str) -> str:
    return "/" + name.replace("~", "~0").replace("/", "~1")


def _indent(lines: list[str], levels: int) -> list[str]:
    return ["    " * levels + line for line in lines]


def _enum_class(definition: dict[str, Any], base: str) -> str:
    members = "\n".join(f"    {name} = {value!r}" for name, value in zip(definition["x-enum-varnames"], definition["enum"]))
    return f'class {definition["title"]}({base}):\n    """{definition["title"]}: errors.json#/$defs/{definition["title"]}."""\n\n{members}\n'


def render() -> str:
    """The text generated/validators.py must hold."""
    documents = load_documents()
    compiler = Compiler(documents)
    tables: dict[str, dict[int, dict[str, str]]] = {"PARAMS": {}, "RESULTS": {}}
    revisions = sorted((d for d in documents.values() if "x-protocol-version" in d), key=lambda d: d["x-protocol-version"])
    for document in revisions:
        for method, parts in document["x-methods"].items():
            for table, part in (("PARAMS", "params"), ("RESULTS", "result")):
                ref = urljoin(document["$id"], parts[part]["$ref"])
                tables[table].setdefault(document["x-protocol-version"], {})[method] = compiler.function(ref)
    envelope = next(uri for uri in documents if uri.endswith("/jsonrpc.json"))
    replies = {name: compiler.function(f"{envelope}#/$defs/{name}") for name in ("ResultReply", "ErrorReply", "ErrorObject")}
    compiler.run()
    errors = next(d for uri, d in documents.items() if uri.endswith("/errors.json"))["$defs"]
    parts = [HEADER, "_MISSING = object()"]
    parts += [f"{name}: {'re.Pattern[str]' if expression.startswith('re.') else 'frozenset[Any]'} = {expression}"
              for expression, name in compiler.constants.items()]
    parts.append("\n\n" + _enum_class(errors["ErrorCode"], "IntEnum") + "\n\n" + _enum_class(errors["ServerErrorName"], "str, Enum").rstrip("\n"))
    parts += compiler.functions
    for table, by_revision in tables.items():
        rows = "\n".join(f"    {revision}: {{{', '.join(f'{m!r}: {f}' for m, f in methods.items())}}},"
                         for revision, methods in sorted(by_revision.items()))
        parts.append(f"\n\n{table}: dict[int, dict[str, Check]] = {{\n{rows}\n}}")
    parts.append("\nREPLIES: dict[str, Check] = {" + ", ".join(f"{n!r}: {f}" for n, f in replies.items()) + "}\n")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if generated/validators.py is stale")
    args = parser.parse_args()
    text = render()
    if not args.check:
        OUTPUT.write_text(text)
        return 0
    current = OUTPUT.read_text() if OUTPUT.exists() else ""
    if current == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        current.splitlines(keepends=True), text.splitlines(keepends=True),
        "generated/validators.py (committed)", "generated/validators.py (from schema/)"))
    print(f"\ngenerated/validators.py is stale: run `{COMMAND}` and commit the result.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
