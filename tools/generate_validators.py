"""Generate generated/validators.py from schema/: plain-Python validators compiled from the schema.

The server SDK validates every request with them, so it starts without importing pydantic, and the
client checks hot-path replies with them. They check what the generated pydantic models check (the
cross-field rules stay in protocol/metadata_rules.py for both) and word their messages as pydantic
does, so an error reads the same whichever side found it. They follow JSON Schema where the models
are laxer or differ: `uniqueItems` is checked (in linear time), `enum` and `const` compare as JSON does
(1 and 1.0 are equal, true is not 1), and an optional member given null is refused unless the schema
allows null. A transport payload string (`contentEncoding`) is not matched against its pattern, the
encoding's alphabet: the payload codec's strict decoder judges it (tests/spec/test_payload_rules.py holds
the two to the same strings); its length rules are checked like any string's.

Every keyword the compiler does not implement is refused, with file and JSON pointer, before anything is
written (`unsupported`), so a bound added to the spec is never silently dropped. `--check` regenerates
in memory and prints a unified diff against the committed file instead of writing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin

from check_schema import SchemaProblems, pointer

from microtvm_project_api.protocol.payload import CODECS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
OUTPUT = ROOT / "generated" / "validators.py"
COMMAND = "make generate"
SKIPPED = frozenset({"allOf", "if", "then", "else", "not", "contains"})
"""Cross-field keywords: protocol/metadata_rules.py and protocol/options.py check them, as for the pydantic models."""
ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "$schema", "$id", "$defs", "deprecated"})
"""Keywords that do not constrain a value (and every "x-" keyword of the spec)."""
NUMBER_KEYWORDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf")
STRING_KEYWORDS = ("minLength", "maxLength", "pattern", "contentEncoding")
ARRAY_KEYWORDS = ("minItems", "maxItems", "uniqueItems", "items")
OBJECT_KEYWORDS = ("properties", "required", "additionalProperties", "propertyNames")
SUPPORTED = frozenset({"$ref", "type", "enum", "const", "anyOf", "oneOf",
                       *NUMBER_KEYWORDS, *STRING_KEYWORDS, *ARRAY_KEYWORDS, *OBJECT_KEYWORDS})
"""Every keyword the compiled validators implement (schema/README.md, "Supported keywords")."""
TYPE_TESTS = {
    "string": ("isinstance({v}, str)", "Input should be a valid string", "string_type"),
    "integer": ("(isinstance({v}, int) and not isinstance({v}, bool))", "Input should be a valid integer", "int_type"),
    "number": ("(isinstance({v}, (int, float)) and not isinstance({v}, bool))", "Input should be a valid number", "float_type"),
    "boolean": ("isinstance({v}, bool)", "Input should be a valid boolean", "bool_type"),
    "null": ("{v} is None", "Input should be None", "none_required"),
    "object": ("isinstance({v}, dict)", "Input should be a valid dictionary", "dict_type"),
    "array": ("isinstance({v}, list)", "Input should be a valid list", "list_type"),
}
BOUNDS = {  # keyword: (comparison that breaks it, message, rule), as pydantic words them
    "minimum": ("<", "Input should be greater than or equal to ", "greater_than_equal"),
    "exclusiveMinimum": ("<=", "Input should be greater than ", "greater_than"),
    "maximum": (">", "Input should be less than or equal to ", "less_than_equal"),
    "exclusiveMaximum": (">=", "Input should be less than ", "less_than"),
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
'''

HELPERS = {
    "_json_key": '''

_SMALL_INT = 1 << 60
"""Integers below this in size hash to themselves: a set of them stays linear, whichever an adversary picks."""
_ARRAY, _OBJECT, _END = ("[",), ("{",), ("]",)
"""Tokens around an array's or an object's members in _json_key."""


def _scalar_key(value: Any) -> object:
    """_json_key of a value that is not an array or an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return (value,)
    if isinstance(value, float):
        if not value.is_integer():
            return ("n", repr(value))
        value = int(value)
    if isinstance(value, int):
        return ("n", value if -_SMALL_INT < value < _SMALL_INT else hex(value))
    return ("?", id(value))  # not JSON (a handler's result before it is refused): equal to nothing else


def _json_key(value: Any) -> object:
    """A hashable key, equal for values JSON calls equal: 1 and 1.0 alike, true apart from 1, objects whatever the
    order of their members. Large integers and fractions are keyed by their text, whose hash is salted: their own
    hashes can be made to collide (hash(n) is n modulo 2**61 - 1), which would make a set of them quadratic.
    Arrays and objects are walked without recursion, so no nesting the parser accepted can overflow the stack."""
    if not isinstance(value, (list, dict)):
        return _scalar_key(value)
    tokens: list[object] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            tokens.append(_ARRAY)
            pending.append(_END)
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            tokens.append(_OBJECT)
            pending.append(_END)
            for name in sorted(item, key=str, reverse=True):
                pending += (item[name], name)
        else:
            tokens.append(_END if item is _END else _scalar_key(item))
    return tuple(tokens)
''',
    "_unique": '''

def _unique(items: list[Any]) -> bool:
    """Whether no two items are equal as JSON values (uniqueItems), in linear time: one set of their keys (of the items
    themselves when they are all strings, or all integers small enough to hash to themselves)."""
    kinds = set(map(type, items))
    if kinds == {str} or (kinds == {int} and -_SMALL_INT < min(items) and max(items) < _SMALL_INT):
        return len(set(items)) == len(items)
    return len(set(map(_json_key, items))) == len(items)
''',
    "_multiple_of": '''

def _multiple_of(value: int | float, step: int | float) -> bool:
    """Whether `value` is a whole multiple of `step` (multipleOf), exactly: each number as the decimal it is written
    as (0.3 is a multiple of 0.1, though not in float division). fractions is imported on first use: it costs
    milliseconds at launch."""
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    if value != value or value in (float("inf"), float("-inf")):
        return False
    from fractions import Fraction

    def exact(number: int | float) -> Fraction:
        return Fraction(number) if isinstance(number, int) else Fraction(repr(number))

    return exact(value) % exact(step) == 0
''',
    "_matches": '''

def _matches(check: Check, value: Any) -> bool:
    """Whether `value` passes `check` (one branch of anyOf or oneOf)."""
    found: Found = []
    check(value, "", found)
    return not found
''',
}
HELPER_NEEDS = {"_unique": ("_json_key",)}
"""Helpers that call other helpers."""


def load_documents(schema_dir: Path = SCHEMA_DIR) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every schema file by `$id` (examples excluded), and each one's path as errors name it (schema/...)."""
    documents, files = {}, {}
    for path in sorted(p for p in schema_dir.rglob("*.json") if "examples" not in p.relative_to(schema_dir).parts):
        document = json.loads(path.read_text(encoding="utf-8"))
        documents[document["$id"]] = document
        files[document["$id"]] = path.relative_to(schema_dir.parent).as_posix()
    return documents, files


def _number(value: int | float) -> str:
    """A limit as pydantic prints it (0.0 as 0)."""
    return str(value) if isinstance(value, int) else str(int(value)) if value.is_integer() else repr(value)


def _literal(value: Any) -> str:
    """A constant as pydantic's literal errors print it."""
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _choices(values: list[Any]) -> str:
    shown = [_literal(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _types(schema: dict[str, Any]) -> list[str]:
    types = schema.get("type")
    return [types] if isinstance(types, str) else list(types or [])


def _constrains(schema: dict[str, Any]) -> bool:
    """Whether `schema` holds any keyword the compiler acts on."""
    return any(k in SUPPORTED for k in schema)


class Compiler:
    """Turns schema definitions into Python functions, one per definition reached, emitted once each.

    Each node is known by its location, the absolute `uri#/pointer` of it: references resolve against it and
    problems name it (as file and JSON pointer, via `files`)."""

    def __init__(self, documents: dict[str, dict[str, Any]], files: dict[str, str]) -> None:
        self.documents = documents
        self.files = files
        self.names: dict[str, str] = {}
        self.pending: list[str] = []
        self.constants: dict[str, tuple[str, str]] = {}
        self.functions: list[str] = []
        self.helpers: set[str] = set()
        self.problems: list[str] = []
        self.branches = 0

    def problem(self, location: str, message: str) -> None:
        """Record that the node at `location` cannot be compiled faithfully."""
        uri, _, fragment = location.partition("#")
        self.problems.append(f"{self.files[uri]}: {fragment or '/'}: {message}")

    def resolve(self, ref: str) -> Any:
        """The schema an absolute `uri#/pointer` reference names."""
        uri, _, fragment = ref.partition("#")
        node: Any = self.documents[uri]
        for part in filter(None, fragment.split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def function(self, ref: str) -> str:
        """The name of the function checking the definition at `ref` (emitted later if new)."""
        if ref not in self.names:
            self.names[ref] = "check_" + ref.rsplit("/", 1)[1]
            self.pending.append(ref)
        return self.names[ref]

    def constant(self, expression: str, annotation: str) -> str:
        """A module-level name for `expression` (compiled patterns, key sets), shared by equal expressions."""
        if expression not in self.constants:
            self.constants[expression] = (f"_C{len(self.constants)}", annotation)
        return self.constants[expression][0]

    def helper(self, name: str) -> str:
        """`name`, a helper function of the generated module, which is emitted because it is used."""
        self.helpers.update((name, *HELPER_NEEDS.get(name, ())))
        return name

    def run(self) -> None:
        """Emit a function for every definition reached, those reached from them included."""
        while self.pending:
            ref = self.pending.pop(0)
            schema = self.resolve(ref)
            body = self.check(schema, "value", "at", ref, 0, model=schema.get("title"))
            self.functions.append(f"\n\ndef {self.names[ref]}(value: Any, at: str, out: Found) -> None:\n"
                                  f'    """{schema.get("title", ref)}."""\n' + "\n".join(_indent(body or ["pass"], 1)))

    def check(self, schema: Any, v: str, at: str, location: str, depth: int, model: str | None = None) -> list[str]:
        """Lines checking the value named `v`, whose pointer is the expression `at`, against the schema at `location`."""
        if schema is True or not isinstance(schema, dict):
            return []
        lines: list[str] = []
        rest = schema
        if "$ref" in schema:
            lines += self.reference(urljoin(location, schema["$ref"]), v, at, depth)
            rest = {k: w for k, w in rest.items() if k != "$ref"}
        for keyword in ("anyOf", "oneOf"):
            if keyword in rest:
                lines += self.combination(keyword, rest[keyword], v, at, f"{location}/{keyword}", depth)
                rest = {k: w for k, w in rest.items() if k != keyword}
        if _constrains(rest):
            lines += self.value(rest, v, at, location, depth, model)
        return lines

    def reference(self, ref: str, v: str, at: str, depth: int) -> list[str]:
        """Lines checking `v` against the definition `ref` names: a call, or the definition inline when it is a scalar,
        list or map (no function of its own)."""
        target = self.resolve(ref)
        if not isinstance(target, dict) or target.get("x-schema-only"):
            return []
        if "properties" not in target:
            return self.check(target, v, at, ref, depth)
        return [f"{self.function(ref)}({v}, {at}, out)"]

    def combination(self, keyword: str, branches: list[Any], v: str, at: str, location: str, depth: int) -> list[str]:
        """Lines checking anyOf (at least one branch holds) or oneOf (exactly one does). "X or null" is checked as X
        when not null, so its violations are X's, worded as the models word them."""
        others = [b for b in branches if b != {"type": "null"}]
        if keyword == "anyOf" and len(others) == 1 and len(branches) == 2:
            inner = self.check(others[0], v, at, f"{location}/{branches.index(others[0])}", depth)
            return [f"if {v} is not None:", *_indent(inner or ["pass"], 1)]
        checks = "(" + ", ".join(self.branch(b, f"{location}/{i}") for i, b in enumerate(branches)) + ",)"
        shown = ", ".join(self.describe(b, location) for b in branches)
        matches = f"_matches(check, {v}) for check in {checks}"
        self.helper("_matches")
        if keyword == "anyOf":
            message = f"Input should match at least one of: {shown}"
            return [f"if not any({matches}):", f"    out.append(({at}, {message!r}, 'anyOf'))"]
        count = f"matched{depth}"
        message = f"Input should match exactly one of: {shown}; it matches "
        return [f"{count} = sum({matches})", f"if {count} != 1:", f"    out.append(({at}, {message!r} + str({count}), 'oneOf'))"]

    def branch(self, schema: Any, location: str) -> str:
        """The name of a function checking one branch of anyOf or oneOf."""
        if isinstance(schema, dict) and set(schema) == {"$ref"}:
            ref = urljoin(location, schema["$ref"])
            target = self.resolve(ref)
            if isinstance(target, dict) and "properties" in target and not target.get("x-schema-only"):
                return self.function(ref)
        name = f"_branch{self.branches}"
        self.branches += 1
        body = self.check(schema, "value", "at", location, 0)
        self.functions.append(f"\n\ndef {name}(value: Any, at: str, out: Found) -> None:\n"
                              f'    """{location.partition("#")[2]}."""\n' + "\n".join(_indent(body or ["pass"], 1)))
        return name

    def describe(self, schema: Any, location: str) -> str:
        """A branch as a message names it: its definition's title, its type, or its JSON text."""
        if isinstance(schema, dict) and "$ref" in schema:
            return urljoin(location, schema["$ref"]).rsplit("/", 1)[1]
        if isinstance(schema, dict) and set(schema) == {"type"}:
            return " or ".join(_types(schema))
        return json.dumps(schema, separators=(",", ":"))

    def value(self, schema: dict[str, Any], v: str, at: str, location: str, depth: int, model: str | None) -> list[str]:
        """Lines checking the value keywords: type, enum and const, then the keywords of each type."""
        types = _types(schema)
        unknown = [t for t in types if t not in TYPE_TESTS]
        if unknown:
            self.problem(location + "/type", f"unknown type {unknown[0]!r}")
            return []
        if "null" in types and len(types) > 1 and "enum" not in schema and "const" not in schema:
            types.remove("null")
            inner = self.value({**schema, "type": types if len(types) > 1 else types[0]}, v, at, location, depth, model)
            return [f"if {v} is not None:", *_indent(inner or ["pass"], 1)]
        if "enum" in schema or "const" in schema:
            condition, message, rule = self.equality(schema, types, v)
            lines = [f"if not ({condition}):", f"    out.append(({at}, {message!r}, {rule!r}))"]
            constraints = self.constraints(schema, types, v, at, location, depth)
            return lines + (["else:", *_indent(constraints, 1)] if constraints else [])
        constraints = self.constraints(schema, types, v, at, location, depth)
        if not types:
            return constraints
        tests = [TYPE_TESTS[t] for t in types]
        condition = " or ".join(t[0].format(v=v) for t in tests)
        messages = [t[1] for t in tests]
        rule = tests[0][2]
        if model and types == ["object"] and "properties" in schema:
            messages, rule = [f"Input should be a valid dictionary or instance of {model}"], "model_type"
        message = messages[0] + "".join(", or " + m[0].lower() + m[1:] for m in messages[1:])
        lines = [f"if not ({condition}):", f"    out.append(({at}, {message!r}, {rule!r}))"]
        return lines + (["else:", *_indent(constraints, 1)] if constraints else [])

    def equality(self, schema: dict[str, Any], types: list[str], v: str) -> tuple[str, str, str]:
        """The condition `v` meets when it is one of `enum`'s values (or `const`'s) as JSON compares them, also
        meeting `type` when there is one; the message and rule when it is not."""
        if "const" in schema:
            values = [schema["const"]]
            message, rule = "Input should be " + _literal(schema["const"]), "literal_error"
        else:
            values = schema["enum"]
            message, rule = "Input should be " + _choices(values), "enum"
        type_test = " or ".join(TYPE_TESTS[t][0].format(v=v) for t in types)
        if all(isinstance(x, str) for x in values):
            kind, implied = TYPE_TESTS["string"][0], ["string"]
        elif all(_is_number(x) for x in values):
            kind = TYPE_TESTS["integer" if types == ["integer"] else "number"][0]
            implied = ["integer"] if types == ["integer"] else ["number"]
        elif len(values) == 1 and (values[0] is None or isinstance(values[0], bool)):
            return f"{v} is {values[0]!r}", message, rule
        else:
            members = self.constant(f"frozenset(map(_json_key, {values!r}))", "frozenset[object]")
            self.helper("_json_key")
            condition = f"_json_key({v}) in {members}"
            return (f"({type_test}) and {condition}" if types else condition), message, rule
        if len(values) == 1:
            membership = f"{v} == {values[0]!r}"
        else:
            membership = f"{v} in {self.constant(_frozenset(values), 'frozenset[Any]')}"
        condition = f"{kind.format(v=v)} and {membership}"
        return (f"({type_test}) and {condition}" if types and types != implied else condition), message, rule

    def constraints(self, schema: dict[str, Any], types: list[str], v: str, at: str, location: str, depth: int) -> list[str]:
        """Lines checking the keywords that apply once the value has one of `types`: each type's keywords run only on
        a value of that type (unguarded when the schema allows no other type)."""
        out: list[str] = []

        def guarded(kind: str, lines: list[str], kinds: tuple[str, ...]) -> None:
            if not lines or (types and not set(types) & set(kinds)):
                return
            out.extend(lines if types and set(types) <= set(kinds) else [f"if {TYPE_TESTS[kind][0].format(v=v)}:", *_indent(lines, 1)])

        guarded("integer" if types == ["integer"] else "number", self.numeric(schema, v, at), ("integer", "number"))
        guarded("string", self.string(schema, v, at, location), ("string",))
        guarded("array", self.array(schema, v, at, location, depth), ("array",))
        guarded("object", self.object(schema, v, at, location, depth), ("object",))
        return out

    def numeric(self, schema: dict[str, Any], v: str, at: str) -> list[str]:
        """Lines checking the bounds and multipleOf of a number."""
        lines: list[str] = []
        for keyword, (breaks, message, rule) in BOUNDS.items():
            if keyword in schema:
                limit = schema[keyword]
                lines += [f"if {v} {breaks} {limit!r}:", f"    out.append(({at}, {message + _number(limit)!r}, {rule!r}))"]
        if "multipleOf" in schema:
            step = schema["multipleOf"]
            lines += [f"if not {self.helper('_multiple_of')}({v}, {step!r}):",
                      f"    out.append(({at}, {'Input should be a multiple of ' + _number(step)!r}, 'multiple_of'))"]
        return lines

    def string(self, schema: dict[str, Any], v: str, at: str, location: str) -> list[str]:
        """Lines checking a string's length and pattern (a payload's pattern is its decoder's to judge)."""
        lines: list[str] = []
        if "minLength" in schema:
            count = schema["minLength"]
            message = f"String should have at least {count} character{'' if count == 1 else 's'}"
            lines += [f"if len({v}) < {count}:", f"    out.append(({at}, {message!r}, 'string_too_short'))"]
        if "maxLength" in schema:
            count = schema["maxLength"]
            message = f"String should have at most {count} character{'' if count == 1 else 's'}"
            lines += [f"if len({v}) > {count}:", f"    out.append(({at}, {message!r}, 'string_too_long'))"]
        if "pattern" in schema and "contentEncoding" not in schema:
            lines += self.pattern(schema["pattern"], v, at, location + "/pattern")
        return lines

    def pattern(self, pattern: str, v: str, at: str, location: str) -> list[str]:
        """Lines matching the string `v` against an anchored pattern, compiled once at import."""
        problem = _pattern_problem(pattern)
        if problem:
            self.problem(location, problem)
            return []
        compiled = self.constant(f"re.compile({pattern[1:-1]!r})", "re.Pattern[str]")
        return [f"if not {compiled}.fullmatch({v}):", f"    out.append(({at}, {'String should match pattern ' + repr(pattern)!r}, 'string_pattern_mismatch'))"]

    def array(self, schema: dict[str, Any], v: str, at: str, location: str, depth: int) -> list[str]:
        """Lines checking an array's length, the uniqueness of its items, then each item."""
        lines: list[str] = []
        for keyword, breaks, bound, rule in (("minItems", "<", "least", "too_short"), ("maxItems", ">", "most", "too_long")):
            if keyword in schema:
                count = schema[keyword]
                message = f"List should have at {bound} {count} item{'' if count == 1 else 's'} after validation, not {{len({v})}}"
                lines += [f"if len({v}) {breaks} {count}:", f"    out.append(({at}, f{message!r}, {rule!r}))"]
        if schema.get("uniqueItems"):
            lines += [f"if not {self.helper('_unique')}({v}):", f"    out.append(({at}, 'List items should be unique', 'uniqueItems'))"]
        if "items" in schema:
            item, index = f"item{depth}", f"index{depth}"
            inner = self.check(schema["items"], item, f'{at} + "/" + str({index})', location + "/items", depth + 1)
            if inner:
                lines += [f"for {index}, {item} in enumerate({v}):", *_indent(inner, 1)]
        return lines

    def object(self, schema: dict[str, Any], v: str, at: str, location: str, depth: int) -> list[str]:
        """Lines checking an object's members in schema order, then the members it does not declare."""
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not properties and not required and extra is True and "propertyNames" not in schema:
            return []
        out: list[str] = []
        member = f"member{depth}"
        for name, subschema in properties.items():
            where = f"{at} + {_pointer(name)!r}"
            inner = self.check(subschema, member, where, f"{location}/properties{_pointer(name)}", depth + 1)
            if name in required:
                out += [f"{member} = {v}.get({name!r}, _MISSING)", f"if {member} is _MISSING:", f"    out.append(({where}, 'Field required', 'missing'))"]
                if inner:
                    out += ["else:", *_indent(inner, 1)]
            elif inner:
                out += [f"{member} = {v}.get({name!r}, _MISSING)", f"if {member} is not _MISSING:", *_indent(inner, 1)]
        for name in required:
            if name not in properties:
                where = f"{at} + {_pointer(name)!r}"
                out += [f"if {name!r} not in {v}:", f"    out.append(({where}, 'Field required', 'missing'))"]
        key, value = f"key{depth}", f"value{depth}"
        where = f"{at} + _key({key})"
        if extra is False:
            known = self.constant(_frozenset(properties), "frozenset[Any]")
            out += [f"if not {known}.issuperset({v}):", f"    for {key} in {v}:", f"        if {key} not in {known}:",
                    f"            out.append(({where}, 'Extra inputs are not permitted', 'extra_forbidden'))"]
        else:
            names: list[str] = []
            if "propertyNames" in schema:  # a member name is a string: its keywords are checked as a string's
                names_schema = schema["propertyNames"]
                names_location = location + "/propertyNames"
                names = (self.string(names_schema, key, where, names_location) if set(names_schema) <= {*STRING_KEYWORDS, *ANNOTATIONS}
                         else self.check(names_schema, key, where, names_location, depth + 1))
            values = self.check(extra, value, where, location + "/additionalProperties", depth + 1)
            if names or values:
                loop = [f"for {key}, {value} in {v}.items():"]
                body = names + values
                if properties:
                    body = [f"if {key} not in {self.constant(_frozenset(properties), 'frozenset[Any]')}:", *_indent(body, 1)]
                out += loop + _indent(body, 1)
        return out


def _pattern_problem(pattern: Any) -> str:
    """Why `pattern` cannot be compiled faithfully, or ""."""
    if not isinstance(pattern, str) or not (pattern.startswith("^") and pattern.endswith("$")):
        return f"pattern {pattern!r} is not anchored at both ends: its meaning would differ between regex engines"
    try:
        re.compile(pattern[1:-1])
    except re.error as exc:
        return f"pattern {pattern!r} is not a regular expression Python reads: {exc}"
    return ""


SUBSCHEMA_MAPS = ("properties", "$defs")
SUBSCHEMA_LISTS = ("anyOf", "oneOf")
SUBSCHEMAS = ("items", "additionalProperties", "propertyNames")


def unsupported(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """One line per keyword of schema/ the compiled validators would not enforce, `FILE: POINTER: MESSAGE`: a keyword
    they do not implement, a pattern they cannot read alike, an encoding without a codec, two alphabets for one
    encoding. Every definition is scanned, reached from a method or not; cross-field keywords are skipped whole."""
    documents, files = load_documents(schema_dir)
    lines: list[str] = []
    alphabets: dict[str, tuple[str, str]] = {}
    for uri, document in documents.items():
        for parts, schema in _schemas(document, ()):
            where = f"{files[uri]}: {pointer(parts) or '/'}"
            if schema is False and parts[-1:] != ("additionalProperties",):
                lines.append(f"{where}: the false schema is supported only as additionalProperties")
            if not isinstance(schema, dict):
                continue
            for keyword in schema:
                if not (keyword in SUPPORTED or keyword in SKIPPED or keyword in ANNOTATIONS or keyword.startswith("x-")):
                    lines.append(f"{where}/{keyword}: keyword {keyword!r} is not supported by the validator generator "
                                 f"(schema/README.md lists those that are)")
            encoding = schema.get("contentEncoding")
            if encoding is not None and encoding not in CODECS:
                lines.append(f"{where}/contentEncoding: {encoding!r} has no payload codec (known: {', '.join(sorted(CODECS))})")
            if "pattern" in schema:
                problem = _pattern_problem(schema["pattern"])
                if problem:
                    lines.append(f"{where}/pattern: {problem}")
                elif encoding in CODECS:
                    first = alphabets.setdefault(encoding, (schema["pattern"], where))
                    if first[0] != schema["pattern"]:
                        lines.append(f"{where}/pattern: a {encoding} payload's pattern is the encoding's alphabet, judged by "
                                     f"its codec: it must be the one of {first[1]}")
    return lines


def _schemas(node: Any, parts: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every schema within the schema `node` that the compiler may reach, with its path; cross-field keywords and
    `x-schema-only` definitions are skipped whole."""
    yield parts, node
    if not isinstance(node, dict) or node.get("x-schema-only"):
        return
    for keyword in SUBSCHEMA_MAPS:
        for name, child in (node.get(keyword) or {}).items():
            yield from _schemas(child, parts + (keyword, name))
    for keyword in SUBSCHEMA_LISTS:
        for index, child in enumerate(node.get(keyword) or []):
            yield from _schemas(child, parts + (keyword, index))
    for keyword in SUBSCHEMAS:
        if keyword in node:
            yield from _schemas(node[keyword], parts + (keyword,))


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


def render(schema_dir: Path = SCHEMA_DIR) -> str:
    """The text generated/validators.py must hold; SchemaProblems, one line each, for what cannot be compiled."""
    problems = unsupported(schema_dir)
    if problems:
        raise SchemaProblems(problems)
    documents, files = load_documents(schema_dir)
    compiler = Compiler(documents, files)
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
    if compiler.problems:
        raise SchemaProblems(compiler.problems)
    errors = next(d for uri, d in documents.items() if uri.endswith("/errors.json"))["$defs"]
    parts = [HEADER + "".join(HELPERS[name] for name in HELPERS if name in compiler.helpers), "\n_MISSING = object()"]
    parts += [f"{name}: {annotation} = {expression}" for expression, (name, annotation) in compiler.constants.items()]
    parts.append("\n\n" + _enum_class(errors["ErrorCode"], "IntEnum") + "\n\n" + _enum_class(errors["ServerErrorName"], "str, Enum").rstrip("\n"))
    parts += compiler.functions
    for table, by_revision in tables.items():
        rows = "\n".join(f"    {revision}: {{{', '.join(f'{m!r}: {f}' for m, f in methods.items())}}},"
                         for revision, methods in sorted(by_revision.items()))
        parts.append(f"\n\n{table}: dict[int, dict[str, Check]] = {{\n{rows}\n}}")
    parts.append("\nREPLIES: dict[str, Check] = {" + ", ".join(f"{n!r}: {f}" for n, f in replies.items()) + "}\n")
    return "\n".join(parts)


def render_all(schema_dir: Path = SCHEMA_DIR) -> dict[Path, str]:
    """generated/validators.py by path, rendered in memory (tools/generate.py's GENERATORS)."""
    return {OUTPUT: render(schema_dir)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if generated/validators.py is stale")
    args = parser.parse_args()
    try:
        text = render()
    except SchemaProblems as exc:
        print(exc, file=sys.stderr)
        return 1
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
