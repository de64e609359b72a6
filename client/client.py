"""The typed client: one method per protocol method, every reply checked, every call under a deadline.

`ProjectApiClient.launch(project_dir)` starts the project's server, asks `server_info_query`
offering the revisions it speaks (`protocol_versions`, [2, 1] unless told otherwise; a
revision-1-only server refuses the member with -32602 and is asked again without it), and
from then on speaks the revision the server reported (its payload codec, its result schemas).
A reply that is not JSON, breaks the JSON-RPC envelope or answers another id, a call that
outlives its deadline, and a server that exits all end the session: the server's
process group is killed and reaped, and later calls raise SessionOverError at once. An error
reply is raised as its protocol.errors class; a result that breaks the method's schema as
MalformedReplyError naming the method, the JSON pointer and the rule.

Every reply is validated once, fully: the envelope, and the result of a wrapper that returns None or
bytes, by the validators compiled from schema/ (protocol.checks); a result returned as a model by
building that model; a server_info_query result equal to the session's first is answered with the
model already built. Payload strings are judged by the strict decoder alone, and a write request is
spliced around its encoded payload instead of being encoded as a whole.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Mapping, Sequence, TypeVar

from microtvm_project_api.client.errors import (
    CallTimeoutError,
    MalformedReplyError,
    MismatchedIdError,
    ServerExitedError,
    SessionOverError,
    UnsupportedProtocolVersionError,
)
from microtvm_project_api.client.transcript import Transcript
from microtvm_project_api.generated import models
from microtvm_project_api.generated.client_methods import ClientMethods
from microtvm_project_api.generated.methods import METHODS, REVISIONS, SERVER_INFO_QUERY
from microtvm_project_api.protocol import checks, wire
from microtvm_project_api.protocol.agreement import DEFAULT_TVM_VERSION, query_params
from microtvm_project_api.protocol.errors import InvalidParamsError, error_from_object
from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.method_table import MethodEntry
from microtvm_project_api.protocol.options import DeclaredOption, check_options
from microtvm_project_api.protocol.payload import PayloadCodec, PayloadDecodeError
from microtvm_project_api.protocol.remove_tree import remove_tree
from microtvm_project_api.protocol.violations import Violation, parse

RESULT_REPLY_MEMBERS = frozenset({"jsonrpc", "id", "result"})
RAW_LINE_KEPT = 64 * 1024
"""Of a validated reply line longer than this (a payload), only this much is kept for a later error message
(MalformedReplyError.raw_line of a payload that does not decode), so the line's memory goes back at once."""
DEFAULT_PROTOCOL_VERSIONS = tuple(sorted(REVISIONS, reverse=True))
ServerInfo = models.ServerInfoV1 | models.ServerInfoV2
E = TypeVar("E", bound=Exception)


TERMINATE_GRACE = 2.0
"""Seconds a server stopped mid-call gets between SIGTERM and SIGKILL, for its own cleanup (a half-made project)."""


class UnboundedCallWarning(UserWarning):
    """A call was made without any deadline (a TimeoutSec param of None and no `timeout=`)."""


@dataclass(frozen=True)
class CallTimeouts:
    """Per-call deadlines in seconds by the method table's classes: long-running methods (`x-long-running`), the rest,
    the margin over a method's own TimeoutSec param (transport I/O), and per-method overrides."""

    default: float = 30.0
    long_running: float = 600.0
    transport_margin: float = 10.0
    per_method: Mapping[str, float] = field(default_factory=dict)

    def deadline(self, method: str, timeout_sec: float | None = None) -> float | None:
        """Seconds to wait for `method`'s reply; None (wait forever) only for a method with a TimeoutSec param given None."""
        if method in self.per_method:
            return self.per_method[method]
        entry = METHODS.get(method)
        if entry is not None and entry.timeout_param is not None:
            return None if timeout_sec is None else timeout_sec + self.transport_margin
        return self.long_running if entry is not None and entry.long_running else self.default


class ProjectApiClient(ClientMethods):
    """A session with one Project API server; a context manager that always stops the server."""

    def __init__(
        self,
        server: ServerProcess,
        timeouts: CallTimeouts | None = None,
        transcript: Transcript | None = None,
        tvm_version: str = DEFAULT_TVM_VERSION,
        check_options: bool = True,
        protocol_versions: Sequence[int] = DEFAULT_PROTOCOL_VERSIONS,
    ) -> None:
        """Take over a started server and agree on a revision among `protocol_versions`; the server is stopped if that fails."""
        self.server = server
        self.timeouts = timeouts or CallTimeouts()
        self.transcript = transcript
        self.check_options = check_options
        self.tvm_version = tvm_version
        self.protocol_versions = tuple(protocol_versions)
        self._asked: tuple[int, ...] | None = self.protocol_versions
        """What server_info_query sends as protocol_versions: ours, or None once the server refused the member."""
        self._lock = threading.Lock()
        self._next_id = 1
        self._over: Exception | None = None
        self._last_line = b""
        self._closed = False
        self._server_info_json: Any = None
        self._warned_unbounded = False
        try:
            unknown = [v for v in self.protocol_versions if v not in REVISIONS]
            if not self.protocol_versions or unknown or len(set(self.protocol_versions)) != len(self.protocol_versions):
                raise ValueError(f"protocol_versions must list revisions this client knows ({', '.join(map(str, REVISIONS))}) "
                                 f"once each; got {list(protocol_versions)!r}")
            self.server_info: ServerInfo = self._first_server_info(tvm_version)
        except BaseException:
            self.close()
            raise

    @classmethod
    def launch(
        cls,
        project_dir: str | os.PathLike[str],
        python: str | None = None,
        timeouts: CallTimeouts | None = None,
        transcript: str | os.PathLike[str] | IO[str] | Transcript | None = None,
        tvm_version: str = DEFAULT_TVM_VERSION,
        debug: bool = False,
        env: dict[str, str] | None = None,
        check_options: bool = True,
        max_line_bytes: int = wire.MAX_LINE_BYTES,
        protocol_versions: Sequence[int] = DEFAULT_PROTOCOL_VERSIONS,
    ) -> "ProjectApiClient":
        """Start the server of `project_dir` (launch convention) and open a session with it.

        `transcript` is a path or open text file to record the session to (see client.transcript).
        `protocol_versions` are the revisions to offer (`[1]` speaks revision 1 to a server offering both).
        """
        recorder = transcript if transcript is None or isinstance(transcript, Transcript) else Transcript(transcript, project_dir)
        try:
            server = ServerProcess(project_dir, python=python, debug=debug, env=env, max_line_bytes=max_line_bytes)
        except BaseException:
            if recorder is not None:
                recorder.close()
            raise
        return cls(server, timeouts, recorder, tvm_version, check_options, protocol_versions)

    @property
    def revision(self) -> int:
        """The protocol revision the server reported."""
        return self.server_info.protocol_version

    @property
    def over(self) -> bool:
        """Whether the session has ended (closed, or a fatal error); every call then raises SessionOverError."""
        return self._over is not None

    @property
    def codec(self) -> PayloadCodec:
        """The payload codec of the session's revision (base85 in 1, base64 in 2)."""
        return REVISIONS[self.revision].codec

    @property
    def project_options(self) -> list[DeclaredOption]:
        """The options the server declared."""
        return list(self.server_info.project_options)

    @property
    def supported_methods(self) -> list[str]:
        """The methods the server implements (revision 1 servers do not say: every method)."""
        if isinstance(self.server_info, models.ServerInfoV2):
            return [method.value for method in self.server_info.supported_methods]
        return list(REVISIONS[self.revision].methods)

    # The protocol methods: one typed wrapper each, generated from the method table (generated/client_methods.py),
    # every one calling `_invoke`, which acts on the table's facts.

    def _invoke(self, method: str, arguments: dict[str, Any], timeout: float | None) -> Any:
        """A wrapper's call: paths made absolute (the server would resolve relative ones against its own directory),
        options checked against the declarations, a payload encoded in the session's codec and spliced in as it is,
        a payload result decoded and held to its read bound; server_info_query asked as the first time was (so the
        session's revision is kept). A call that creates a directory (`x-creates`) and ends the session removes it
        only when it did not exist before the call and this session's server marked it as its own (protocol/launch.py,
        SESSION_MARKER): another session may have made the same path meanwhile."""
        if method == SERVER_INFO_QUERY:
            return self.call(method, query_params(arguments["tvm_version"] or self.tvm_version, self._asked), timeout)
        entry = METHODS[method]
        params: dict[str, Any] = {}
        payload: tuple[str, bytes | bytearray] | None = None
        for name, value in arguments.items():
            if name in entry.payload_params:
                payload = (name, self.codec.encode_bytes(value))
            elif name in entry.path_params:
                params[name] = os.path.abspath(value)
            elif entry.takes_options and name == "options":
                params[name] = self._checked(method, value)
            else:
                params[name] = value
        fresh = [Path(params[name]) for name in entry.created_params if not os.path.lexists(params[name])]
        try:
            result = self._call(method, params, timeout, payload, as_model=not entry.payload_result, caller=4)
        except BaseException:
            if self._over is not None:
                for directory in fresh:
                    self._remove_half_made(directory)
            raise
        return self._payload_result(entry, params, result) if entry.payload_result else result

    def _payload_result(self, entry: MethodEntry, params: dict[str, Any], result: dict[str, Any]) -> bytes:
        """The bytes of a payload result, decoded strictly (the text let go at once) and held to the read bound."""
        member = next(iter(entry.payload_result))
        try:
            data = self.codec.decode(result.pop(member))
        except PayloadDecodeError as exc:
            raise MalformedReplyError(entry.name, f"the {member} is not valid", self._last_line,
                                      [Violation(f"/result/{member}", str(exc), "contentEncoding")]) from None
        bound = params[entry.read_bound] if entry.read_bound is not None else None
        if not data or (bound is not None and len(data) > bound):
            raise MalformedReplyError(entry.name, f"the server returned {len(data)} bytes for {entry.read_bound}={bound}", self._last_line,
                                      [Violation(f"/result/{member}", f"holds {len(data)} bytes, expected 1 to {bound}", "maxBytes")])
        return data

    def _remove_half_made(self, project: Path) -> None:
        """Remove a directory this session's stopped server was making (its group is reaped by now: nothing writes there
        any more), only when the server marked it with this session's token: another session may have made the same
        path meanwhile. A failure to remove is a warning, never in place of the error that ended the call."""
        if not self.server.made(project):
            return
        try:
            remove_tree(project)
        except OSError as exc:
            warnings.warn(f"could not remove the half-made {project}: {exc}", RuntimeWarning, stacklevel=4)

    def call(self, method: str, params: dict[str, Any], timeout: float | None = None) -> Any:
        """Call any method of the session's revision with JSON params: the result as the method table's model (None
        for a null result). The deadline is `timeout`, else the method's class in CallTimeouts; ValueError, before
        anything is sent, for a method the revision does not have."""
        return self._call(method, params, timeout)

    def _call(self, method: str, params: dict[str, Any], timeout: float | None, payload: tuple[str, bytes | bytearray] | None = None,
              as_model: bool = True, caller: int = 3) -> Any:
        """`call`, with `payload` (a param's name and its encoded bytes) spliced into the request as it is, and the
        result as plain JSON instead of a model when `as_model` is false (the wrappers returning None or bytes).
        `caller` is the stack level of the user's line, which a warning names."""
        entry = REVISIONS[self.revision].methods.get(method)
        if entry is None:
            raise ValueError(f"{method} is not a method of protocol revision {self.revision}")
        timeout_sec = params.get(entry.timeout_param) if entry.timeout_param is not None else None
        deadline = timeout if timeout is not None else self.timeouts.deadline(method, timeout_sec)
        if deadline is None and not self._warned_unbounded:
            self._warned_unbounded = True
            warnings.warn(f"{method}: {entry.timeout_param}=None has no call deadline, so a silent server blocks this call "
                          "forever; pass timeout=SECONDS to bound it (warned once per session)", UnboundedCallWarning, stacklevel=caller)
        with self._lock:
            result = self._exchange(method, params, deadline, payload)
            return self._validated(self.revision, method, result, as_model)

    # Session lifecycle.

    def close(self) -> int | None:
        """End the session: the server gets EOF, then its process group is terminated, killed and reaped."""
        if not self._closed:
            self._closed = True
            if self._over is None:
                self._over = SessionOverError("the session was closed")
        code = self.server.close()
        if self.transcript is not None:
            self.transcript.close()
        return code

    def __enter__(self) -> "ProjectApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Internals.

    def _checked(self, method: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
        options = dict(options or {})
        if self.check_options:
            check_options(self.project_options, method, options)
        return options

    def _first_server_info(self, tvm_version: str) -> ServerInfo:
        """server_info_query before the revision is known, offering ours (revision agreement, protocol/agreement.py):
        the reply says which revision validates it. A revision-1-only server refuses protocol_versions as an extra
        parameter and keeps serving: it is asked again without it, as TVM's client asks."""
        deadline = self.timeouts.deadline(SERVER_INFO_QUERY)
        try:
            result = self._exchange(SERVER_INFO_QUERY, query_params(tvm_version, self._asked), deadline)
        except InvalidParamsError:
            self._asked = None
            result = self._exchange(SERVER_INFO_QUERY, query_params(tvm_version, None), deadline)
        version = result.get("protocol_version") if isinstance(result, dict) else None
        if not isinstance(version, int) or isinstance(version, bool):
            raise self._end(MalformedReplyError(SERVER_INFO_QUERY, "the result has no integer protocol_version",
                                                self._last_line, [Violation("/result/protocol_version", "required integer", "type")]))
        if version not in REVISIONS:
            raise self._end(UnsupportedProtocolVersionError(
                f"the server speaks protocol revision {version}; this client knows {', '.join(map(str, REVISIONS))}"))
        if version not in self.protocol_versions:
            raise self._end(UnsupportedProtocolVersionError(
                f"the server speaks protocol revision {version}; this session offered {', '.join(map(str, self.protocol_versions))}"))
        info = self._validated(version, SERVER_INFO_QUERY, result)
        assert isinstance(info, (models.ServerInfoV1, models.ServerInfoV2))
        self._server_info_json = result
        return info

    def _validated(self, revision: int, method: str, result: Any, as_model: bool = True) -> Any:
        """The result, validated once: the method's generated model (None for a null result), or with `as_model`
        false the plain JSON checked by the compiled validators; MalformedReplyError naming each violation otherwise."""
        if result is None and method in checks.NULL_RESULTS[revision]:
            return None
        if method == SERVER_INFO_QUERY and self._server_info_json is not None and result == self._server_info_json:
            return self.server_info
        if as_model:
            model, violations = parse(REVISIONS[revision].methods[method].result_model, result)
            if model is not None and method == SERVER_INFO_QUERY:
                violations = check_server_info(result, revision)
        else:
            model, violations = result, checks.result_violations(revision, method, result)
        if model is None or violations:
            where = [Violation("/result" + v.pointer, v.message, v.rule) for v in violations]
            raise MalformedReplyError(method, f"the result breaks the revision {revision} schema", self._last_line, where)
        return None if getattr(model, "root", model) is None else model

    def _exchange(self, method: str, params: dict[str, Any], deadline: float | None, payload: tuple[str, bytes | bytearray] | None = None) -> Any:
        """Send one request and read its reply; the result member, or the raised error. `payload`, a param's name and
        its encoded bytes, is spliced into the params as it is (wire.payload_request_parts)."""
        if self._over is not None:
            raise SessionOverError(f"{method}: the session is over: {self._over}") from self._over
        request_id = self._next_id
        self._next_id += 1
        if payload is None:
            parts: wire.Parts = (wire.request_line(method, params, request_id),)
        else:
            parts = wire.payload_request_parts(method, params, request_id, *payload)
        if self.transcript is not None:
            self.transcript.request_line(b"".join(parts))
        self._last_line = b""
        try:
            started = 0.0 if deadline is None else time.monotonic()
            self.server.send_parts(parts, deadline)
            remaining = None if deadline is None else max(0.0, deadline - (time.monotonic() - started))
            line = self.server.read_line(remaining)
        except TimeoutError:
            raise self._end(CallTimeoutError(f"{method}: no reply within {deadline:g} s; the server was stopped")) from None
        except ServerExitedError as exc:
            raise self._end(ServerExitedError(f"{method}: {exc.reason}", exc.exit_code, exc.stderr_tail, exc.command)) from None
        except wire.LineTooLong as exc:
            raise self._end(MalformedReplyError(method, f"the reply is a {exc}", b"")) from None
        except BaseException as exc:
            self._end(SessionOverError(f"{method} was interrupted: {exc!r}"))
            raise
        self._last_line = line[:RAW_LINE_KEPT]  # what an error message shows (the line itself when short: no copy)
        if self.transcript is not None:
            self.transcript.reply_line(line)  # the line exactly as received, before anything is parsed from it
        # Only a long reply carrying a payload can be split: the head is not built for the short ones.
        entry = METHODS[method]
        if entry.payload_result and len(line) >= wire.SPLIT_PAYLOAD_BYTES:
            member = next(iter(entry.payload_result))
            spliced = wire.parse_split_payload(line, wire.payload_reply_head(request_id, member), "result", member, self.codec)
            if spliced is not None:  # a long read_transport reply as the SDK writes it, its payload decoded already
                del line
                return self._unwrap(method, request_id, spliced)
        try:  # each copy of a long reply is let go as soon as the next is made: line, its text, the parsed reply
            text = wire.line_text(line)
        except wire.WireDecodeError as exc:
            raise self._not_json(method, exc, line) from None
        del line
        try:
            reply = wire.parse_text(text)
        except wire.WireDecodeError as exc:
            raise self._not_json(method, exc, text.encode()) from None  # the line as it was: it was strict UTF-8
        del text
        return self._unwrap(method, request_id, reply)

    def _not_json(self, method: str, exc: wire.WireDecodeError, line: bytes) -> MalformedReplyError:
        """The error ending the session on a reply line that is not one JSON text."""
        return self._end(MalformedReplyError(method, f"the reply is {exc}", line))

    def _unwrap(self, method: str, request_id: int, reply: Any) -> Any:
        """Check the reply envelope; raise an error reply as its exception, return a result member."""
        line = self._last_line
        if type(reply) is dict and reply.keys() == RESULT_REPLY_MEMBERS and reply["jsonrpc"] == wire.JSONRPC and reply["id"] == request_id \
                and type(reply["id"]) is int:
            return reply["result"]  # the envelope of a result reply to this request, checked in one line
        if not isinstance(reply, dict) or ("result" in reply) == ("error" in reply):
            raise self._end(MalformedReplyError(method, "a reply is a JSON object with exactly one of result and error", line))
        violations = checks.reply_violations("ErrorReply" if "error" in reply else "ResultReply", reply)
        if violations:
            raise self._end(MalformedReplyError(method, "the reply breaks the JSON-RPC envelope", line, violations))
        answered = reply["id"]
        if answered != request_id and not (answered is None and "error" in reply):
            raise self._end(MismatchedIdError(method, f"the reply answers id {answered!r}, the request in flight is {request_id}", line))
        if "error" in reply:
            raise error_from_object(reply["error"])
        return reply["result"]

    def _end(self, error: E) -> E:
        """Mark the session over because of `error`, kill and reap the server, and return `error` to raise."""
        self._over = error
        self.server.kill(grace=TERMINATE_GRACE)
        return error

