"""Declaring ProjectOptions and checking the options of one call against them.

Checking rules (ProjectOptionV2 in schema/types.json): an undeclared name, a value of the wrong
type, a value outside `choices`, or a missing option that is required for the method is
InvalidParamsError (-32602) naming the option. An option declared only for other methods is
accepted and dropped (TVM's tooling sends every option to every method).

Revision 1 accepts exactly what TVM's shipped client sends (PROTOCOL.md, "Revision 1 as deployed"):
it completes the caller's options with every declared option, at its default or null, and sends
that same dictionary to every method. So in revision 1:
- a null value means "not set": the handler sees the option's declared default (None when it has
  none), exactly as if the option had been left out; a required option sent as null is missing,
  and refused with -32602 naming it (the user must set it);
- an undeclared name is logged and dropped instead of refused;
- the other checks are the same: a value that fails here would have failed later inside the
  platform's build.
Revision 2 refuses null values (schema: OptionsV2) and undeclared names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from microtvm_project_api.protocol.errors import InvalidParamsError
from microtvm_project_api.protocol.options import OptionType, OptionValue, is_choice, value_matches

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProjectOption:
    """One option a server declares: its type, which methods require or use it, default, choices, help."""

    name: str
    type: OptionType
    help: str
    required: Sequence[str] = ()
    optional: Sequence[str] = ()
    default: OptionValue | None = None
    choices: Sequence[OptionValue] | None = None

    def methods(self) -> tuple[str, ...]:
        """Every method that takes this option."""
        return (*self.required, *self.optional)

    def to_json(self, revision: int) -> dict[str, Any]:
        """The option as server_info_query reports it: revision 1 writes every member (null where unset),
        revision 2 leaves unset members out."""
        members: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": list(self.required) or None,
            "optional": list(self.optional) or None,
            "default": self.default,
            "choices": None if self.choices is None else list(self.choices),
            "help": self.help,
        }
        if revision >= 2:
            return {key: value for key, value in members.items() if value is not None}
        return members


class OptionChecker:
    """Checks the `options` of calls to one server against its declarations, method by method."""

    def __init__(self, declared: Sequence[ProjectOption], revision: int) -> None:
        self.declared = {option.name: option for option in declared}
        self.strict_names = revision >= 2
        self.null_is_unset = revision == 1

    def check(self, method: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """The options the handler of `method` sees: every option declared for it, given value or default
        (None when it has neither); InvalidParamsError naming the first offending option. In revision 1 a null
        value counts as not given."""
        for name in given:
            if name not in self.declared:
                valid = ", ".join(sorted(self.declared)) or "none"
                if self.strict_names:
                    raise InvalidParamsError(f"{method}: /options/{name}: unknown option {name!r}; valid options: {valid}")
                logger.warning("%s: ignoring undeclared option %r (valid options: %s)", method, name, valid)
        unset = {name for name, value in given.items() if value is None} if self.null_is_unset else set()
        given = {name: value for name, value in given.items() if name not in unset}
        out: dict[str, Any] = {}
        for option in self.declared.values():
            if method not in option.required and method not in option.optional:
                continue
            if option.name not in given:
                if method in option.required:
                    sent = " and was sent as null (not set)" if option.name in unset else ""
                    raise InvalidParamsError(f"{method}: /options/{option.name}: option {option.name!r} is required by {method}{sent}")
                out[option.name] = option.default
                continue
            value = given[option.name]
            where = f"{method}: /options/{option.name}"
            if not value_matches(option.type, value):
                raise InvalidParamsError(f"{where}: expected a {option.type} value, got {value!r}")
            if option.choices is not None and not is_choice(value, option.choices):
                raise InvalidParamsError(f"{where}: {value!r} is not one of the choices {list(option.choices)!r}")
            out[option.name] = value
        return out
