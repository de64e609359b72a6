"""The option-declaration rules, read from the schema: one implementation for the SDK, the client, tvm_compat and the kit.

`ProjectOptionRules` in schema/types.json states the rules as JSON Schema clauses, each with an `x-rule`
sentence: the methods lists are not both empty, no method is in both, and default and choices are values of the
declared type. This module reads those clauses (and the `OptionMethod` and `OptionType` enums) from the schema
on first use and applies them to plain JSON of any shape, so a declaration that breaks the schema elsewhere too
is still judged (the kit judges what a server sent, tvm_compat what a TVM-era platform declared). The one rule
JSON Schema cannot state, unique option names, is added here. A clause of a shape this module does not know
makes loading fail, naming it, so a schema change cannot be silently ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Mapping

from microtvm_project_api import schema
from microtvm_project_api.protocol.violations import Violation

TYPES_FILE = "types.json"
RULES_DEFINITION = "ProjectOptionRules"
JSON_TYPE_TESTS: dict[str, Any] = {
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
"""JSON Schema's type names as Python tests on parsed JSON (a boolean is never a number; 1.0 is not an integer)."""


@dataclass(frozen=True)
class OptionRules:
    """The declaration rules as the schema states them."""

    methods: tuple[str, ...]
    """OptionMethod: the only names allowed in required and optional."""
    method_lists: tuple[str, ...]
    """The members of which at least one must be a non-empty list ("required", "optional")."""
    methods_rule: str
    both_rules: Mapping[str, str]
    """Method -> the sentence of the rule that it is never in both lists."""
    value_types: Mapping[str, tuple[str, ...]]
    """Option type -> the JSON types of its values (its default and choices)."""
    value_rules: Mapping[str, str]
    """Option type -> the sentence of the rule on its default and choices."""

    def is_value(self, option_type: str, value: Any) -> bool:
        """Whether `value` is a JSON value of `option_type` (False for a type the schema does not define)."""
        return any(JSON_TYPE_TESTS[t](value) for t in self.value_types.get(option_type, ()))


@cache
def rules() -> OptionRules:
    """The rules, read once from the schema shipped with the package (the one file, by path: a server reads it at
    every start, so neither the registry nor importlib.resources is imported for it)."""
    types = json.loads(Path(schema.__file__).with_name(TYPES_FILE).read_text(encoding="utf-8"))["$defs"]
    return rules_from(types)


def rules_from(definitions: Mapping[str, Any]) -> OptionRules:
    """The rules stated by types.json's `$defs`; ValueError naming a ProjectOptionRules clause of an unknown shape."""
    methods_rule = ""
    lists: tuple[str, ...] = ()
    both: dict[str, str] = {}
    value_types: dict[str, tuple[str, ...]] = {}
    value_rules: dict[str, str] = {}
    for index, clause in enumerate(definitions[RULES_DEFINITION]["allOf"]):
        sentence = clause.get("x-rule", "")
        if "anyOf" in clause:
            methods_rule = sentence
            lists = tuple(member for branch in clause["anyOf"] for member in branch["required"])
        elif "not" in clause:
            contains = {member: schema["contains"]["const"] for member, schema in clause["not"]["properties"].items()}
            (method,) = set(contains.values())
            both[method] = sentence
        elif "if" in clause:
            option_type = clause["if"]["properties"]["type"]["const"]
            declared = clause["then"]["properties"]["default"]["type"]
            value_types[option_type] = tuple(t for t in declared if t != "null")
            value_rules[option_type] = sentence
        else:
            raise ValueError(f"{TYPES_FILE}#/$defs/{RULES_DEFINITION}/allOf/{index}: a clause protocol/option_rules.py "
                             f"does not read: {sorted(clause)}")
    unknown = set(definitions["OptionType"]["enum"]) ^ set(value_types)
    if unknown or not lists:
        raise ValueError(f"{TYPES_FILE}#/$defs/{RULES_DEFINITION}: expected a methods clause and a value clause for "
                         f"each OptionType; differing: {sorted(unknown)}")
    return OptionRules(tuple(definitions["OptionMethod"]["enum"]), lists, methods_rule, both, value_types, value_rules)


def option_problems(option: Any, where: str = "") -> list[Violation]:
    """Violations of the declaration rules by one declared option (any JSON), at pointers under `where`."""
    if not isinstance(option, dict):
        return [Violation(where, f"{option!r} is not an option declaration (an object)", "type")]
    known = rules()
    out = []
    listed = {member: option.get(member) for member in known.method_lists}
    for member, methods in listed.items():
        for index, method in enumerate(methods if isinstance(methods, list) else []):
            if method not in known.methods:
                out.append(Violation(f"{where}/{member}/{index}", f"{method!r} in required/optional is not a method that "
                                     f"takes options ({', '.join(known.methods)})", "enum"))
    if not any(isinstance(methods, list) and methods for methods in listed.values()):
        out.append(Violation(where, known.methods_rule, "anyOf"))
    in_every = set.intersection(*(set(map(str, m)) if isinstance(m, list) else set() for m in listed.values()))
    out += [Violation(where, known.both_rules[m], "not") for m in known.methods if m in in_every]
    kind = option.get("type")
    if not isinstance(kind, str) or kind not in known.value_types:
        return [*out, Violation(f"{where}/type", f"type {kind!r} is not one of {', '.join(known.value_types)}", "enum")]
    default = option.get("default")
    if default is not None and not known.is_value(kind, default):
        out.append(Violation(f"{where}/default", f"default {default!r} is not a {kind} value", "type"))
    choices = option.get("choices")
    for index, choice in enumerate(choices if isinstance(choices, list) else []):
        if not known.is_value(kind, choice):
            out.append(Violation(f"{where}/choices/{index}", f"choice {choice!r} is not a {kind} value", "type"))
    return out


def project_options_problems(options: Any, prefix: str = "/project_options") -> list[Violation]:
    """Violations of the declaration rules by a server's project_options (any JSON), unique names included."""
    if not isinstance(options, list):
        return []  # not a list: the schema's own check says so
    out = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        out += option_problems(option, f"{prefix}/{index}")
        name = option.get("name") if isinstance(option, dict) else None
        if isinstance(name, str):
            if name in seen:
                out.append(Violation(f"{prefix}/{index}/name", f"option name {name!r} is declared twice", "uniqueNames"))
            seen.add(name)
    return out
