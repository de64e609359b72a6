"""Declaring ProjectOptions and checking the options of one call against them.

Checking rules (ProjectOptionV2 in schema/types.json): an undeclared name, a value of the wrong
type, a value outside `choices`, or a missing option that is required for the method is
InvalidParamsError (-32602) naming the option. An option declared only for other methods is
accepted and dropped (TVM's tooling sends every option to every method).

Revision 1 accepts exactly what TVM's shipped client sends: that client completes the caller's options
with every declared option, at its declared default (null when there is none), and sends that same
dictionary to every method. So in revision 1:
- a null value means "not set": the handler sees the option's declared default (None when it has
  none), exactly as if the option had been left out; a required option sent as null is missing,
  and refused with -32602 naming it (the user must set it);
- an undeclared name is logged and dropped instead of refused;
- the other checks are the same: a value that fails here would have failed later inside the
  platform's build.
Revision 2 refuses null values (schema: OptionsV2) and undeclared names.

A handler gets its method's options as MethodOptions: every option declared for the method is present
(its value or default); reading any other raises UndeclaredOptionError, a -32000 reply naming the option,
the method and the declaration to fix, instead of a bare KeyError. An option declared with
`checked=False` (tvm_compat: a declaration TVM's module accepted that breaks the spec, served in
revision 1 only) has its value passed on as sent.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from microtvm_project_api.protocol.errors import InvalidParamsError, ServerError
from microtvm_project_api.protocol.options import OptionType, OptionValue, is_choice, undeclared_read, value_matches

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
    checked: bool = True
    """False: values are passed on as sent, unchecked (for tvm_compat's declarations that break the spec)."""

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


class UndeclaredOptionError(ServerError, KeyError):
    """A handler read an option not declared for its method (also a KeyError, for handlers that catch one)."""


class MethodOptions(dict[str, Any]):
    """The options one method's handler gets: reading one not declared for that method raises UndeclaredOptionError.

    `elsewhere` holds what a revision 1 client sent for options declared only for other methods (TVM's client sends
    every option to every method), for tvm_compat to hand to TVM-era code as TVM's module did."""

    def __init__(self, method: str, revision: int, checked: Mapping[str, Any], declared: Mapping[str, "ProjectOption"],
                 elsewhere: Mapping[str, Any]) -> None:
        super().__init__(checked)
        self.method = method
        self.revision = revision
        self.declared = declared
        self.elsewhere = dict(elsewhere)

    def __missing__(self, name: str) -> Any:
        option = self.declared.get(name)
        stack = "".join(traceback.format_stack()[:-1])
        raise UndeclaredOptionError(undeclared_read(self.method, name, option.methods() if option else ()), {"traceback": stack})


class OptionChecker:
    """Checks the `options` of calls to one server against its declarations, method by method."""

    def __init__(self, declared: Sequence[ProjectOption], revision: int) -> None:
        self.declared = {option.name: option for option in declared}
        self.revision = revision
        self.strict_names = revision >= 2
        self.null_is_unset = revision == 1

    def check(self, method: str, given: Mapping[str, Any]) -> MethodOptions:
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
        elsewhere: dict[str, Any] = {}
        for option in self.declared.values():
            if method not in option.required and method not in option.optional:
                if option.name in given:
                    elsewhere[option.name] = given[option.name]
                continue
            if not option.checked:
                out[option.name] = given.get(option.name, option.default)
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
        return MethodOptions(method, self.revision, out, self.declared, elsewhere)
