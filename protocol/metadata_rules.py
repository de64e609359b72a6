"""Cross-field rules of server metadata that the generated models cannot express.

They mirror ProjectOptionRules and ServerInfoV2's template rule in schema/types.json (the
jsonschema path checks those there), plus the one rule JSON Schema cannot state: option names
are unique. Input is plain JSON (dicts and lists) already validated by the generated models.
"""

from __future__ import annotations

from typing import Any

from microtvm_project_api.protocol.violations import Violation

JSON_TYPE_OF_OPTION = {"bool": (bool,), "str": (str,), "int": (int,), "float": (int, float)}


def option_value_matches(option_type: str, value: Any) -> bool:
    """Whether `value` is a JSON value of the option type (a boolean is never an int or float)."""
    if isinstance(value, bool) and option_type != "bool":
        return False
    return isinstance(value, JSON_TYPE_OF_OPTION[option_type])


def check_project_options(options: list[dict[str, Any]], prefix: str = "/project_options") -> list[Violation]:
    """Violations of the ProjectOption consistency rules in a server's declared options."""
    out = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        where = f"{prefix}/{index}"
        required = option.get("required") or []
        optional = option.get("optional") or []
        if not required and not optional:
            out.append(Violation(where, "at least one of required and optional is a non-empty list of methods", "anyOf"))
        for method in sorted(set(required) & set(optional)):
            out.append(Violation(where, f"a method is never both required and optional: {method}", "not"))
        kind = option["type"]
        default = option.get("default")
        if default is not None and not option_value_matches(kind, default):
            out.append(Violation(f"{where}/default", f"{default!r} is not a {kind} value", "type"))
        for at, choice in enumerate(option.get("choices") or []):
            if not option_value_matches(kind, choice):
                out.append(Violation(f"{where}/choices/{at}", f"{choice!r} is not a {kind} value", "type"))
        if option["name"] in seen:
            out.append(Violation(f"{where}/name", f"option name {option['name']!r} is declared twice", "uniqueNames"))
        seen.add(option["name"])
    return out


def check_server_info(info: dict[str, Any], revision: int) -> list[Violation]:
    """Violations of the cross-field rules of a server_info_query result in `revision`."""
    out = check_project_options(info["project_options"])
    if revision >= 2:
        path = info["model_library_format_path"]
        if info["is_template"] and path is not None:
            out.append(Violation("/model_library_format_path", "a template reports model_library_format_path null", "type"))
        if not info["is_template"] and not path:
            out.append(Violation("/model_library_format_path", "a generated project reports a non-empty model_library_format_path", "type"))
        if "server_info_query" not in info["supported_methods"]:
            out.append(Violation("/supported_methods", "supported_methods always includes server_info_query", "contains"))
    return out
