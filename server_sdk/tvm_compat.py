"""TVM's server-module API (`tvm.micro.project_api.server`) on the SDK: a platform written for TVM moves here by
changing its import line, and then needs no TVM.

    from microtvm_project_api.server_sdk import tvm_compat as server     # was: from tvm.micro.project_api import server

or, for a platform carrying a copy of TVM's module beside its script as server.py, by replacing that file with
`from microtvm_project_api.server_sdk.tvm_compat import *` (`microtvm-project migrate DIR` makes either move).

The names are the ones TVM-era platforms use (docs/migrating-from-tvm.md lists them), with the behaviour they rely
on; the platform's handler is then served by the SDK's loop (server_sdk/loop.py), not by TVM's: both revisions
(TVM's client gets revision 1, the typed client revision 2), the strict JSON-RPC checks, option checks against the
declarations, the Model Library Format archive checked before generate_project sees it, and every tar archive the
server process extracts filtered as untrusted (PEP 706 `data` filter). Differences a platform may notice:
- `ProjectAPIHandler` requires only server_info_query; a method left out, or a stub that only raises
  NotImplementedError, is not claimed in supported_methods and answers MethodNotSupportedError (revision 2).
- Declarations TVM's module accepted but the spec does not (an empty `choices`, a default of another type, a
  misspelt method name...) lose no user: each problem is named once on stderr at start, revision 1 serves them as
  declared (the values of such an option pass unchecked, as TVM's module passed them), and revision 2, whose clients
  rely on the declarations, is not offered until they are fixed.
- In revision 1 a method gets what TVM's client sends: every declared option, the checked value for the options
  declared for that method and the value sent (or the default) for the others. In revision 2 it gets the options
  declared for it, and reading another is an error naming the option, the method and the declaration to fix.
- Declarations are read once at start, from server_info_query with the last TVM version that shipped microTVM; each
  client's server_info_query calls it again with the client's version, which it may refuse.
- `write_with_timeout` raises TransportClosedError at end of file, where TVM's referenced an undefined name.
"""
from __future__ import annotations

import dis
import os
import select
import selectors
import sys
import tarfile
from collections import namedtuple
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from microtvm_project_api.generated.handlers import TransportTimeouts, TvmHandlerMethods
from microtvm_project_api.generated.methods import METHOD_NAMES, METHODS, REVISIONS, SERVER_INFO_QUERY
from microtvm_project_api.protocol import checks
from microtvm_project_api.protocol.agreement import DEFAULT_TVM_VERSION
from microtvm_project_api.protocol.errors import (
    InternalError,
    IoTimeoutError,
    ServerError,
    TransportClosedError,
    UnsupportedTVMVersionError,
)
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.method_table import MethodEntry
from microtvm_project_api.protocol.violations import Violation
from microtvm_project_api.server_sdk import mlf
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.loop import method_problems
from microtvm_project_api.server_sdk.main import main as sdk_main
from microtvm_project_api.server_sdk.options import MethodOptions
from microtvm_project_api.server_sdk.options import ProjectOption as SdkProjectOption
from microtvm_project_api.server_sdk.transports.base import MAX_READ_BYTES, Deadline

__all__ = [
    "IoTimeoutError",
    "ProjectAPIHandler",
    "ProjectOption",
    "ServerError",
    "ServerInfo",
    "TransportClosedError",
    "TransportTimeouts",
    "UnsupportedTVMVersionError",
    "default_project_options",
    "main",
    "read_with_timeout",
    "write_with_timeout",
]

MLF_PARAM = "model_library_format_path"
"""The param of generate_project holding the Model Library Format archive, checked before the platform's code sees it."""
START_TVM_VERSION = DEFAULT_TVM_VERSION
"""The tvm_version the handler's server_info_query is asked with at start, to read its declarations."""

OPTION_FIELDS = ("name", "type", "required", "optional", "default", "choices", "help")


class ProjectOption(namedtuple("ProjectOption", OPTION_FIELDS)):  # type: ignore[misc]
    """One option a platform declares. `ProjectOption(name, type=..., help=..., required=[...] or optional=[...],
    default=..., choices=...)`: everything but the name by keyword; unset fields are None.

    It refuses only what TVM's module refused (a field it does not know; no type, no help, neither required nor
    optional given); the values are judged by the spec's rules when the server starts (see the module's docstring)."""

    __slots__ = ()

    def __new__(cls, name: str, **fields: Any) -> "ProjectOption":
        unknown = sorted(set(fields) - set(OPTION_FIELDS[1:]))
        if unknown:
            raise TypeError(f"ProjectOption {name!r}: unknown fields {', '.join(unknown)}; fields are {', '.join(OPTION_FIELDS[1:])}")
        if "type" not in fields:
            raise ValueError(f"ProjectOption {name!r}: give its type (bool, str, int or float)")
        if "required" not in fields and "optional" not in fields:
            raise ValueError(f"ProjectOption {name!r}: give the methods that take it, in required=[...] or optional=[...]")
        if "help" not in fields:
            raise ValueError(f"ProjectOption {name!r}: help (a string saying what the option does) is required")
        values = {field: fields.get(field) for field in OPTION_FIELDS[1:]}
        return super().__new__(cls, name, **values)  # type: ignore[call-arg]

    def replace(self, attributes: Mapping[str, Any]) -> "ProjectOption":
        """A copy with `attributes` (field name to new value) changed, checked like a new option."""
        values = {**self._asdict(), **attributes}
        name = values.pop("name")
        return type(self)(name, **values)


class ServerInfo(NamedTuple):
    """What a handler's server_info_query returns (the protocol_version is the SDK's to add)."""

    platform_name: str
    is_template: bool
    model_library_format_path: Any
    project_options: Sequence[ProjectOption]


class ProjectAPIHandler(TvmHandlerMethods):
    """A platform's handler in TVM's shape: one method per protocol method (generated/handlers.py), options as plain
    dicts, paths as Paths. Only server_info_query must be written; the others answer MethodNotSupportedError until
    overridden."""


def default_project_options(**overrides: Mapping[str, Any]) -> list[ProjectOption]:
    """The options many platforms share, each changed by the fields given for its name
    (`default_project_options(board={"choices": [...]})`); ValueError for a name not in the list."""
    options = [
        ProjectOption("verbose", type="bool", optional=["generate_project", "build"], default=False,
                      help="Log the commands run and their output."),
        ProjectOption("project_type", type="str", required=["generate_project"],
                      help="Which kind of project the template generates."),
        ProjectOption("board", type="str", required=["generate_project"], help="The board the project is made for."),
        ProjectOption("cmsis_path", type="str", optional=["generate_project"], help="Directory of the CMSIS sources, when the project needs them."),
        ProjectOption("compile_definitions", type="str", optional=["generate_project"],
                      help="Extra preprocessor definitions for the project's build."),
        ProjectOption("extra_files_tar", type="str", optional=["generate_project"],
                      help="A tar archive whose files are added to the generated project."),
        ProjectOption("warning_as_error", type="bool", optional=["generate_project"], default=False,
                      help="Fail the build on a compiler warning."),
    ]
    by_name = {option.name: index for index, option in enumerate(options)}  # type: ignore[attr-defined]
    for name, fields in overrides.items():
        if name not in by_name:
            raise ValueError(f"default_project_options: no option {name!r}; the options are {', '.join(by_name)}")
        options[by_name[name]] = options[by_name[name]].replace(fields)
    return options


def read_with_timeout(fd: int, n: int, timeout_sec: float | None) -> bytes:
    """1 to n bytes from `fd` (blocking or not) once the first arrives; IoTimeoutError when none arrives within
    `timeout_sec` (0: do not wait, None: wait forever), TransportClosedError at end of file or on a read error."""
    deadline = Deadline(timeout_sec)
    while True:
        if not _ready(fd, selectors.EVENT_READ, deadline):
            raise IoTimeoutError(f"no byte arrived within {timeout_sec} s")
        try:
            data = os.read(fd, min(n, MAX_READ_BYTES))
        except BlockingIOError:
            continue
        except OSError as exc:  # EIO from a pty whose far end closed
            raise TransportClosedError(f"read failed: {exc}") from None
        if not data:
            raise TransportClosedError("end of file: the far end closed the channel")
        return data


def write_with_timeout(fd: int, data: bytes, timeout_sec: float | None) -> int:
    """Write every byte of `data` to `fd` (blocking or not) before the deadline and return how many;
    IoTimeoutError when it passes, TransportClosedError when the far end is gone."""
    deadline = Deadline(timeout_sec)
    view = memoryview(data)
    # On a blocking fd, a write no larger than PIPE_BUF cannot block once the fd is writable.
    chunk = len(view) if not os.get_blocking(fd) else select.PIPE_BUF
    while view:
        if not _ready(fd, selectors.EVENT_WRITE, deadline):
            raise IoTimeoutError(f"{len(view)} of {len(data)} bytes not written within {timeout_sec} s")
        try:
            written = os.write(fd, view[:chunk])
        except BlockingIOError:
            continue
        except OSError as exc:  # EPIPE, EIO: the far end closed
            raise TransportClosedError(f"write failed: {exc}") from None
        if written == 0:
            raise TransportClosedError("end of file: the far end accepts no more bytes")
        view = view[written:]
    return len(data)


def main(handler: ProjectAPIHandler, argv: Sequence[str] | None = None) -> int:
    """Serve `handler` (TVM's launch convention: --read-fd, --write-fd, --debug) until end of file; 0 then. Its
    declarations are judged first: each problem is named on stderr, and revision 2 offered only without any."""
    if hasattr(tarfile, "data_filter"):  # PEP 706: the platform's own extractall calls refuse unsafe members too
        tarfile.TarFile.extraction_filter = staticmethod(tarfile.data_filter)
    instance = handler() if isinstance(handler, type) else handler
    adapter = adapter_for(instance)
    return sdk_main(adapter, argv, adapter.revisions)


class CompatHandler(ProjectApiHandler):
    """The SDK handler serving one TVM-style handler: declarations from its server_info_query, calls translated."""

    declarations_served_as_given = frozenset({1})
    """Revision 1 serves declarations TVM's module accepted, whatever the spec says of them (named at start)."""

    def __init__(self, handler: ProjectAPIHandler, info: ServerInfo) -> None:
        self.handler = handler
        self.info = info
        self.revisions: tuple[int, ...] = tuple(REVISIONS)
        """The revisions this server offers: revision 2 only when the declarations meet its rules."""
        self.implemented = [m for m in METHOD_NAMES if m != SERVER_INFO_QUERY and hasattr(type(handler), m)
                            and not only_raises_not_implemented(getattr(type(handler), m))]
        module = sys.modules.get(type(handler).__module__)
        super().__init__(Path(getattr(module, "__file__", None) or ".").resolve().parent)

    def model_library_format_path(self) -> Path | None:
        path = self.info.model_library_format_path
        return None if self.info.is_template or not path else Path(path)

    def is_template(self) -> bool:
        return bool(self.info.is_template)

    def supported_methods(self) -> list[str]:
        template = self.is_template()
        return [SERVER_INFO_QUERY, *(m for m in self.implemented if template or not METHODS[m].template_only)]

    def server_info(self, revision: int) -> dict[str, Any]:
        """The SDK's answer; in revision 1 with the options exactly as the platform declared them, as TVM's module served them."""
        info = super().server_info(revision)
        if revision == 1:
            info["project_options"] = [{field: getattr(option, field, None) for field in OPTION_FIELDS}
                                       for option in self.info.project_options]
        return info

    def check_tvm_version(self, tvm_version: str) -> None:
        """Ask the handler again with the client's version: it may refuse it; its declarations must not change."""
        info = self.handler.server_info_query(tvm_version)
        if _declarations(info) != _declarations(self.info):
            raise InternalError(f"server_info_query({tvm_version!r}) declares something else than at start-up "
                                f"(asked with {START_TVM_VERSION!r}); the server serves fixed declarations")

    def _every_option(self, checked: dict[str, Any]) -> dict[str, Any]:
        """In revision 1, every declared option as TVM's client sends them: the checked values of this method's, the
        values sent (or defaults) for the rest; in revision 2, the method's own (reading another names the declaration to fix)."""
        if not isinstance(checked, MethodOptions) or checked.revision != 1:
            return checked
        return {option.name: option.default for option in self.project_options} | checked.elsewhere | checked


def _forwarder(entry: MethodEntry) -> Callable[..., Any]:
    """CompatHandler's method for `entry`: the TVM-style handler's, given every declared option where the method takes
    options (what TVM's client sends) and, for a template-only method, the archive checked first."""
    def forward(self: CompatHandler, *arguments: Any) -> Any:
        named = dict(zip(entry.params, arguments))
        if entry.takes_options:
            named["options"] = self._every_option(named["options"])
        if entry.template_only and MLF_PARAM in named:
            mlf.check(named[MLF_PARAM])
        return getattr(self.handler, entry.name)(*named.values())

    forward.__name__ = forward.__qualname__ = entry.name
    forward.__doc__ = f"The platform's {entry.name}, called as TVM's server module calls it."
    return forward


for _entry in METHODS.values():
    if _entry.name != SERVER_INFO_QUERY:
        setattr(CompatHandler, _entry.name, _forwarder(_entry))


def adapter_for(handler: ProjectAPIHandler) -> CompatHandler:
    """The SDK handler serving `handler`, its class named like the platform's (so start-up errors name it), with its
    declarations judged: each problem named once on stderr, the options concerned left unchecked in revision 1 and
    revision 2 offered only when there is none."""
    info = handler.server_info_query(START_TVM_VERSION)
    missing = [f for f in ServerInfo._fields if not hasattr(info, f)]
    if missing:
        raise TypeError(f"{type(handler).__name__}.server_info_query returned {info!r}, not a ServerInfo "
                        f"(missing {', '.join(missing)})")
    attributes = {"platform_name": info.platform_name, "project_options": tuple(map(_sdk_option, info.project_options))}
    adapter: CompatHandler = type(type(handler).__name__, (CompatHandler,), attributes)(handler, info)
    problems: list[Violation | str] = []
    for revision in REVISIONS:  # a place a lower revision already named is not named again in its own words
        named = {v.pointer for v in problems if isinstance(v, Violation)}
        problems += [v for v in declaration_problems(adapter, revision) if v.pointer not in named]
    problems += method_problems(adapter)  # the rules no server_info_query result shows
    if problems:
        broken = {int(v.pointer.split("/")[2]) for v in problems if isinstance(v, Violation) and v.pointer.startswith("/project_options/")}
        type(adapter).project_options = tuple(replace(option, checked=False) if index in broken else option
                                              for index, option in enumerate(adapter.project_options))
        adapter.revisions = (min(REVISIONS),)
        name = type(handler).__name__
        for problem in problems:
            print(f"{name}: declaration problem: {_described(problem, info)}", file=sys.stderr)
        print(f"{name}: revision 2 is not offered until the {len(problems)} declaration problem(s) above are fixed; "
              f"revision 1 serves the declarations as TVM's module did (values of the options concerned pass unchecked)",
              file=sys.stderr)
    return adapter


def declaration_problems(adapter: CompatHandler, revision: int) -> list[Violation]:
    """Every way the declarations, as `revision` reports them, break the spec, once per place: the declaration rules'
    words where they judge, the schema's elsewhere."""
    info = adapter.server_info(revision)
    ruled = check_server_info(info, revision)
    places = {v.pointer for v in ruled}
    return [*ruled, *(v for v in checks.result_violations(revision, SERVER_INFO_QUERY, info) if v.pointer not in places)]


def _described(problem: Violation | str, info: Any) -> str:
    """One declaration problem for a human: the option it concerns (by name), where, what."""
    if not isinstance(problem, Violation):
        return problem
    parts = problem.pointer.split("/")
    if len(parts) > 2 and parts[1] == "project_options" and parts[2].isdigit() and int(parts[2]) < len(info.project_options):
        option = info.project_options[int(parts[2])]
        return f"option {getattr(option, 'name', '?')!r}: {problem.pointer}: {problem.message}"
    return f"{problem.pointer or '/'}: {problem.message}"


STUB_OPCODES = frozenset({
    "RESUME", "NOP", "CACHE", "PUSH_NULL", "LOAD_GLOBAL", "LOAD_NAME", "LOAD_CONST", "LOAD_SMALL_INT", "LOAD_FAST",
    "LOAD_DEREF", "FORMAT_VALUE", "FORMAT_SIMPLE", "FORMAT_WITH_SPEC", "CONVERT_VALUE", "BUILD_STRING", "PRECALL",
    "CALL", "CALL_KW", "CALL_FUNCTION", "KW_NAMES", "RAISE_VARARGS", "RETURN_VALUE", "RETURN_CONST",
})
"""The bytecode of `raise NotImplementedError` / `raise NotImplementedError(f"... {arg}")` in CPython 3.10 to 3.13
(an unreachable implicit `return None` included); no jump, so no condition, can be part of a stub."""


def only_raises_not_implemented(function: Callable[..., Any]) -> bool:
    """Whether `function` is a stub: its body only raises NotImplementedError (a docstring aside)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    opcodes = {instruction.opname for instruction in dis.get_instructions(code)}
    return set(code.co_names) == {"NotImplementedError"} and "RAISE_VARARGS" in opcodes and opcodes <= STUB_OPCODES


def _sdk_option(option: Any) -> SdkProjectOption:
    """A TVM-style ProjectOption as the SDK declares it (a field of an unusable shape read as unset: such a declaration
    is a problem named at start)."""
    return SdkProjectOption(option.name, option.type, option.help, required=_sequence(option.required) or (),
                            optional=_sequence(option.optional) or (), default=option.default,
                            choices=_sequence(option.choices))


def _sequence(value: Any) -> tuple[Any, ...] | None:
    return tuple(value) if isinstance(value, (list, tuple)) else None


def _declarations(info: Any) -> tuple[Any, ...]:
    """What server_info_query declares, comparable between two answers."""
    return (info.platform_name, bool(info.is_template), str(info.model_library_format_path or ""),
            tuple(tuple(option) for option in info.project_options))


def _ready(fd: int, event: int, deadline: Deadline) -> bool:
    """Whether `fd` is ready for `event` before the deadline."""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, event)
        return bool(selector.select(deadline.remaining()))
