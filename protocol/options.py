"""Project options, one set of rules for every side: value types, `--option` strings, declarations, per-call checks.

The SDK checks each call's options with `value_matches` and `is_choice`; the client checks them before
sending with `check_options`; `microtvm-project build|flash|generate` and `conform` convert
`--option NAME=VALUE` strings with `parse_option_string`, whose one rule is:

- bool: true/false, yes/no, 1/0, in any case (not on/off);
- int: a decimal integer; leading zeros are decimal (010 is 10); no 0x/0o/0b prefixes (0x10 is refused);
- float: a finite decimal number (1.5, 1e3); nan and inf are refused (JSON has no such number);
- str: the text as given.

Value types and the rules on declarations are the schema's, read by `protocol.option_rules`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence, TypeAlias

from microtvm_project_api.protocol.errors import OptionsError
from microtvm_project_api.protocol.option_rules import rules

OptionType = Literal["bool", "str", "int", "float"]
OptionValue = bool | str | int | float
if TYPE_CHECKING:  # the models import pydantic: a server checking options must not pay for it at start-up
    from microtvm_project_api.generated.models import ProjectOptionV1, ProjectOptionV2

DeclaredOption: TypeAlias = "ProjectOptionV1 | ProjectOptionV2"
"""An option as a server declares it in server_info_query, read with the revision's model."""

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def value_matches(option_type: str, value: Any) -> bool:
    """Whether `value` is a JSON value of the option type, as the schema types it (a boolean is never an int or float)."""
    return rules().is_value(option_type, value)


def is_choice(value: Any, choices: Sequence[Any]) -> bool:
    """Whether `value` is one of `choices` by JSON equality: True is not 1."""
    return any(value == choice and isinstance(value, bool) == isinstance(choice, bool) for choice in choices)


def parse_option_string(option_type: str, text: str) -> OptionValue:
    """A command-line string as a value of `option_type`, by the module's one rule; ValueError saying why not."""
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


def show_value(value: Any) -> str:
    """A value as a command line writes it (true, not True): what `parse_option_string` reads back."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def option_methods(option: DeclaredOption, kind: str) -> list[str]:
    """The method names in the option's `required` or `optional` list (`kind`)."""
    return [method.value for method in getattr(option, kind) or []]


def undeclared_read(method: str, name: str, declared_for: Sequence[str]) -> str:
    """What a handler of `method` that read option `name` it was not given is told: the option, the method, and the
    declaration to fix (`declared_for`: the methods `name` is declared for, empty when it is not declared at all).
    The kit and `microtvm-project migrate` find such reads in a server's answers by UNDECLARED_READ."""
    if not declared_for:
        return (f"{method} read option {name!r}, which is not declared for {method}: no ProjectOption {name!r} is declared; "
                f"declare it with {method!r} in its required or optional list")
    return (f"{method} read option {name!r}, which is not declared for {method} (only for {', '.join(declared_for)}): "
            f"add {method!r} to the required or optional list of ProjectOption {name!r}")


UNDECLARED_READ = re.compile(r"(?P<method>[a-z_]+) read option '(?P<option>[A-Za-z0-9_]+)', which is not declared for ")
"""Finds `undeclared_read`'s sentence in a message (an error reply, a log line)."""


def check_options(declared: Sequence[DeclaredOption], method: str, options: Mapping[str, Any]) -> None:
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
        elif not value_matches(option.type.value, value):
            problems.append(f"option {name!r} takes a {option.type.value} value, not {value!r}")
        elif option.choices is not None and not is_choice(value, option.choices):
            problems.append(f"option {name!r}: {value!r} is not one of its choices: {_choices(option)}")
    for option in declared:
        if method in option_methods(option, "required") and option.name not in options:
            problems.append(f"{method} requires option {option.name!r} ({option.help})")
    if problems:
        raise OptionsError([f"{method}: {problem}" for problem in problems])


def convert_option_strings(declared: Sequence[DeclaredOption], strings: Mapping[str, str]) -> dict[str, Any]:
    """Command-line strings converted to each option's declared type; OptionsError naming the option otherwise.

    A value outside the option's choices is reported with the choices.
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
            value = parse_option_string(option.type.value, text)
        except ValueError as exc:
            problems.append(f"option {name!r}: {exc}")
            continue
        if option.choices is not None and not is_choice(value, option.choices):
            problems.append(f"option {name!r}: {text!r} is not one of its choices: {_choices(option)}")
            continue
        converted[name] = value
    if problems:
        raise OptionsError(problems)
    return converted


def _names(declared: Sequence[DeclaredOption]) -> str:
    return ", ".join(sorted(option.name for option in declared)) or "(none: this server declares no options)"


def _choices(option: DeclaredOption) -> str:
    return ", ".join(show_value(choice) for choice in option.choices or [])
