"""Option values checked against the ProjectOptions a server declared, before they are sent.

The server stays the authority (revision 2 servers check again, revision 1 servers never do);
checking here gives the caller a message that lists the valid names and choices, and converts
the strings of a command line (`--option NAME=VALUE`) to the declared types.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from microtvm_project_api.client.errors import OptionsError
from microtvm_project_api.generated.models import ProjectOptionV1, ProjectOptionV2
from microtvm_project_api.protocol.metadata_rules import option_value_matches

ProjectOption = ProjectOptionV1 | ProjectOptionV2
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def option_methods(option: ProjectOption, kind: str) -> list[str]:
    """The method names in the option's `required` or `optional` list (`kind`)."""
    return [method.value for method in getattr(option, kind) or []]


def check_options(declared: Sequence[ProjectOption], method: str, options: Mapping[str, Any]) -> None:
    """Raise OptionsError listing every problem of `options` for `method`: unknown, wrong type, not a choice, required missing.

    An option declared only for other methods is accepted, as the spec says (tooling sends every
    option to every method).
    """
    by_name = {option.name: option for option in declared}
    problems = []
    for name, value in options.items():
        option = by_name.get(name)
        if option is None:
            problems.append(f"unknown option {name!r}; valid options: {_names(declared)}")
        elif not option_value_matches(option.type.value, value):
            problems.append(f"option {name!r} takes a {option.type.value} value, not {value!r}")
        elif option.choices is not None and value not in option.choices:
            problems.append(f"option {name!r}: {value!r} is not one of its choices: {_choices(option)}")
    for option in declared:
        if method in option_methods(option, "required") and option.name not in options:
            problems.append(f"{method} requires option {option.name!r} ({option.help})")
    if problems:
        raise OptionsError([f"{method}: {problem}" for problem in problems])


def convert_option_strings(declared: Sequence[ProjectOption], strings: Mapping[str, str]) -> dict[str, Any]:
    """Command-line strings converted to each option's declared type; OptionsError naming the option otherwise.

    bool accepts true/false, 1/0, yes/no (any case); int a decimal integer; float a finite number;
    str any text. A value outside the option's choices is reported with the choices.
    """
    by_name = {option.name: option for option in declared}
    converted: dict[str, Any] = {}
    problems = []
    for name, text in strings.items():
        option = by_name.get(name)
        if option is None:
            problems.append(f"unknown option {name!r}; valid options: {_names(declared)}")
            continue
        try:
            value = _convert(option.type.value, text)
        except ValueError as exc:
            problems.append(f"option {name!r}: {exc}")
            continue
        if option.choices is not None and value not in option.choices:
            problems.append(f"option {name!r}: {text!r} is not one of its choices: {_choices(option)}")
            continue
        converted[name] = value
    if problems:
        raise OptionsError(problems)
    return converted


def _convert(option_type: str, text: str) -> Any:
    if option_type == "bool":
        word = text.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(f"{text!r} is not a bool (true/false, 1/0, yes/no)")
    if option_type == "int":
        try:
            return int(text.strip(), 10)
        except ValueError:
            raise ValueError(f"{text!r} is not an int") from None
    if option_type == "float":
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a float") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite float")
        return value
    return text


def _names(declared: Sequence[ProjectOption]) -> str:
    return ", ".join(sorted(option.name for option in declared)) or "(none: this server declares no options)"


def _choices(option: ProjectOption) -> str:
    return ", ".join(show_value(choice) for choice in option.choices or [])


def show_value(value: Any) -> str:
    """A value as a command line writes it (true, not True)."""
    return str(value).lower() if isinstance(value, bool) else str(value)
