"""A raw JSON-RPC session with the server under test: every byte sent is chosen, every byte back is judged.

Each call sends one line and reads exactly one reply line within the deadline, then checks the
envelope (jsonrpc.json#/$defs/Reply), the id, and the method's result schema for the revision.
A hang, an exit, or anything on the reply channel that is not a JSON-RPC reply raises
CheckFailed with what was sent and what came back; the session is then dead and is not reused.
An error reply's cause (the exception line and innermost frames of data.traceback, the server's
stderr tail) goes into every failure message that shows it.
"""

from __future__ import annotations

import collections
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from microtvm_project_api.conformance.check import CheckBlocked, CheckFailed
from microtvm_project_api.conformance.progress import SILENT, SLOW_METHODS, Progress
from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, ServerExitedError, ServerNotFoundError, ServerProcess
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.server_traceback import exception_line, last_frames


def _spec_line_bound() -> int:
    """The spec's bound on one line, newline excluded: jsonrpc.json#/x-max-line-bytes."""
    envelope = default_registry().definition_uri("Reply").partition("#")[0]
    return int(default_registry().resolve(f"{envelope}#/x-max-line-bytes"))


MAX_REPLY_BYTES = _spec_line_bound()
"""A reply line longer than the spec's line bound is a failure, never held whole in memory."""
SHOWN_BYTES = 300
KEPT_CHARS = 1000
"""ExchangeLog lines longer than this are shortened in reports, except error replies and a failed check's last exchange."""
STDERR_LINES = 6
TRACEBACK_FRAMES = 3
REPLY_RULE = "every line on the reply channel is one JSON-RPC reply [jsonrpc.json#/$defs/Reply]"


def shown(data: bytes | str) -> str:
    """A bounded, printable rendering of wire bytes for reports."""
    text = data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")
    return text if len(text) <= SHOWN_BYTES else f"{text[:SHOWN_BYTES]}... ({len(text)} chars)"


def signal_name(exit_code: int | None) -> str | None:
    """The signal that killed a server, from its exit code: negative for the process itself, 128+N as a shell reports it
    for a child it did not exec; None for an exit with a status of its own."""
    if exit_code is None:
        return None
    number = -exit_code if exit_code < 0 else exit_code - 128 if exit_code > 128 else 0
    try:
        return signal.Signals(number).name if number > 0 else None
    except ValueError:
        return None


def same_id(got: Any, wanted: Any) -> bool:
    """Whether a reply id is the request id: the same JSON value (a number equal in value: 1e3 and 1000.0; never a boolean for a number)."""
    numbers = (int, float)
    if isinstance(got, numbers) and isinstance(wanted, numbers) and not isinstance(got, bool) and not isinstance(wanted, bool):
        return got == wanted
    return type(got) is type(wanted) and got == wanted


def stderr_lines(tail: list[str]) -> str:
    """The last lines a server wrote to stderr, indented for a failure message ("" when it wrote none)."""
    return "".join(f"\n    stderr: {line}" for line in tail[-STDERR_LINES:])


class ExchangeLog:
    """The exchanges of the check that is running, for its report.

    Lines longer than KEPT_CHARS are shortened, except error replies (their traceback is the cause)
    and, when the check failed, its last request and reply: the JSON report cuts no cause.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._last: collections.deque[tuple[int, str]] = collections.deque(maxlen=2)

    def add(self, direction: str, data: bytes | str, whole: bool = False) -> None:
        """Record one line sent (->) or received (<-); `whole` keeps it uncut."""
        text = f"{direction} {data if isinstance(data, str) else data.decode('utf-8', 'backslashreplace')}"
        self._last.append((len(self.lines), text))
        self.lines.append(text if whole or len(text) <= KEPT_CHARS else f"{text[:KEPT_CHARS]}... ({len(text)} chars)")

    def take(self, failed: bool = False) -> list[str]:
        """The lines recorded since the last take (the finished check's), the last exchange whole when it `failed`; start afresh."""
        lines, self.lines = self.lines, []
        if failed:
            for index, text in self._last:
                lines[index] = text
        self._last.clear()
        return lines


@dataclass
class Hangs:
    """Methods that hung in this run, per project, and the check that is running (to know who reports a hang).

    A hung method is not called again: one hanging method costs one deadline, not one per check.
    Its owner (the check that declares it owns the method, else the check it hung in) reports the hang;
    any other check is blocked by it.
    """

    owners: dict[str, str] = field(default_factory=dict)
    """method -> the check that owns it (Check.owns)."""
    failures: dict[tuple[Path, str], tuple[str, CheckFailed]] = field(default_factory=dict)
    current_check: str = ""

    def record(self, project_dir: Path, method: str, failure: CheckFailed) -> None:
        """Remember that `method` hung in the running check."""
        self.failures[project_dir, method] = (self.current_check, failure)

    def refuse(self, project_dir: Path, method: str) -> None:
        """Raise for a call to a method that hung earlier: its full failure for its owner, a one-line block for anyone else."""
        if (project_dir, method) not in self.failures:
            return
        where, failure = self.failures[project_dir, method]
        owner = self.owners.get(method, where)
        if owner == self.current_check:
            raise failure
        raise CheckBlocked(owner, f"{method} hung earlier in this run (no reply before the deadline) and is not called again")


@dataclass(frozen=True)
class Reply:
    """One validated reply: a result or an error object, how long it took, and the server that sent it."""

    sent: bytes
    raw: bytes
    result: Any
    error: dict[str, Any] | None
    seconds: float
    server: ServerProcess | None = None
    id: Any = None
    """The id the reply carried."""

    def describe(self) -> str:
        """What was sent and what came back, for a failure message."""
        return f"sent {shown(self.sent.rstrip())}\n  got  {shown(self.raw)}"

    def failed(self, why: str, rule: str = "") -> CheckFailed:
        """The failure of a check that expected something else of this reply: `why` says what, the cause comes along."""
        return CheckFailed(why, sent=shown(self.sent.rstrip()), got=shown(self.raw), rule=rule, cause=self.cause())

    def cause(self) -> str:
        """For an error reply: the server's exception line, its innermost frames and its stderr tail ("" for a result)."""
        if self.error is None:
            return ""
        data = self.error.get("data")
        trace = data.get("traceback") if isinstance(data, dict) else None
        lines = []
        if isinstance(trace, str) and trace.strip():
            lines.append(f"\n  server exception: {exception_line(trace) or '(none in the traceback)'}")
            frames = last_frames(trace, TRACEBACK_FRAMES)
            if frames:
                lines.append(f"\n  server traceback, innermost {TRACEBACK_FRAMES} frames:")
                lines += [f"\n    {frame}" for frame in frames]
        elif isinstance(data, dict) and isinstance(data.get("detail"), str):
            lines.append(f"\n  server detail: {data['detail']}")
        if self.server is not None:
            lines.append(stderr_lines(self.server.stderr_tail))
        return "".join(lines)

    def summary(self) -> str:
        """One line: the error's message and, when the traceback has one, the exception line."""
        if self.error is None:
            return "a result"
        data = self.error.get("data")
        trace = data.get("traceback") if isinstance(data, dict) else None
        detail = data.get("detail") if isinstance(data, dict) else None
        cause = exception_line(trace) if isinstance(trace, str) else detail if isinstance(detail, str) else ""
        return f"{self.error.get('message')}" + (f": {cause}" if cause and cause not in str(self.error.get("message")) else "")


class ServerStopped(CheckFailed):
    """The server exited (or closed its reply pipe) while a reply was awaited; `signal` names the signal that killed it, if one did."""

    def __init__(self, sent: str, got: str, cause: str, exit_code: int | None = None) -> None:
        super().__init__("", sent=sent, got=got, rule="MUST: a server serves until its request pipe ends", cause=cause)
        self.exit_code = exit_code
        self.signal = signal_name(exit_code)


class Session:
    """One server process of the project under test, spoken to in raw wire lines.

    `revision` None judges only the envelope: the first server_info_query, before the revision is known.
    `hello` is what server_info_query sends on this session (it keeps the server in the judged revision).
    The first reply of a server started by a launch script may take `start_allowance` seconds more
    than a call's deadline: the script's own start-up (a virtualenv, a toolchain) is not the call's.
    """

    def __init__(
        self,
        project_dir: Path,
        timeout: float,
        transcript: ExchangeLog,
        revision: int | None = 2,
        stdin: int | IO[bytes] = subprocess.DEVNULL,
        hangs: Hangs | None = None,
        *,
        hello: dict[str, Any],
        python: str | None = None,
        start_allowance: float = 0.0,
        progress: Progress = SILENT,
    ) -> None:
        self.project_dir = project_dir
        self.progress = progress
        self.hello = hello
        """The params of this session's server_info_query: the ones that get the revision judged."""
        self.hangs = Hangs() if hangs is None else hangs
        self.timeout = timeout
        self.transcript = transcript
        self.revision = revision
        try:
            self.process = ServerProcess(project_dir, python=python, max_line_bytes=MAX_REPLY_BYTES, stdin=stdin)
        except ServerNotFoundError as exc:
            raise CheckFailed(f"the server cannot be started: {exc}") from None
        self.alive = True
        self.transport_open = False
        """Whether open_transport succeeded on this server and no close_transport succeeded since (the context closes it)."""
        self._next_id = 1
        self._allowance = start_allowance if (project_dir / LAUNCH_SCRIPT).is_file() else 0.0

    @property
    def pid(self) -> int:
        """The server's process id (and process group id)."""
        return self.process.pid

    def call(
        self, method: str, params: Any, timeout: float | None = None, request_id: int | str | None = None, validate: bool = True
    ) -> Reply:
        """Send a well-formed request and return its reply, judged as a reply and (unless `validate` is off) against the method's result schema."""
        self.hangs.refuse(self.project_dir, method)
        if request_id is None:
            request_id = self._next_id
            self._next_id += 1
        line = wire.encode_message(wire.request(method, params, request_id))
        if method not in SLOW_METHODS:
            reply = self.send_line(line, (request_id,), method if validate else None, timeout, hang_method=method)
            if reply.error is None and method in ("open_transport", "close_transport"):
                self.transport_open = method == "open_transport"
            return reply
        self.progress.step_started(method)
        started = time.monotonic()
        try:
            reply = self.send_line(line, (request_id,), method if validate else None, timeout, hang_method=method)
        except Exception:  # not KeyboardInterrupt: an interrupted run ends with one line, from the command
            self.progress.step_finished(method, time.monotonic() - started, "failed")
            raise
        self.progress.step_finished(method, time.monotonic() - started, "done" if reply.error is None else "error reply")
        return reply

    def send_line(self, line: bytes, expect_ids: tuple[Any, ...], method: str | None = None, timeout: float | None = None,
                  hang_method: str | None = None, deployed_ids: tuple[Any, ...] = ()) -> Reply:
        """Send any bytes as one request line and judge the one reply line, whose id must be one of `expect_ids`.

        `deployed_ids` are ids the reply envelope does not allow that a reply may still carry (revision 1 as
        deployed echoes null and boolean ids); the rest of such a reply is judged as usual.
        """
        deadline = (self.timeout if timeout is None else timeout) + self._allowance
        self._allowance = 0.0
        self.transcript.add("->", line.rstrip(b"\n"))
        started = time.monotonic()
        raw = self._exchange(line, deadline, hang_method)
        seconds = time.monotonic() - started
        message = self._decode(line, raw, deployed_ids)
        error = message.get("error")
        self.transcript.add("<-", raw, whole=error is not None)
        if not any(same_id(message["id"], e) for e in expect_ids):
            wanted = " or ".join(map(repr, expect_ids))
            self._fail(line, raw, f"the reply id {message['id']!r} is not {wanted}"
                       " [MUST: a reply carries the id of the request it answers, jsonrpc.json#/$defs/Reply]")
        if error is None and method is not None and self.revision is not None and method in REVISIONS[self.revision].methods:
            violations = default_registry().validate_result(self.revision, method, message["result"])
            if violations:
                ref = default_registry().revision(self.revision).methods[method].result_ref.rsplit("/schema/", 1)[-1]
                self._fail(line, raw, f"the {method} result breaks its schema {ref}: " + "; ".join(map(str, violations)))
        if error is not None:
            violations = default_registry().validate(error["code"], default_registry().definition_uri("ErrorCode"))
            if violations:
                self._fail(line, raw, f"error code {error['code']} is not one the spec defines [errors.json#/$defs/ErrorCode]")
        return Reply(line, raw, message.get("result"), error, seconds, self.process, message["id"])

    def close(self) -> None:
        """Stop the server and reap its process group."""
        self.alive = False
        self.process.close(grace=1.0)

    def kill(self) -> None:
        """Stop the server at once (after a hang or a protocol violation) and reap its group."""
        self.alive = False
        self.process.kill()

    def _exchange(self, line: bytes, deadline: float, method: str | None) -> bytes:
        if not self.alive:
            raise CheckFailed("the server is no longer running (it failed an earlier exchange in this check)")
        try:
            self.process.send_line(line, deadline)
            return self.process.read_line(deadline)
        except TimeoutError:
            tail = stderr_lines(self.process.stderr_tail)
            self.kill()
            failure = CheckFailed("", sent=shown(line.rstrip()), got=f"nothing within {deadline:g} s: the server hangs",
                                  rule="MUST: one reply per request, before the caller's deadline", cause=tail)
            if method not in (None, "server_info_query"):  # a silent server_info_query is judged by process.starts
                self.hangs.record(self.project_dir, method, failure)
            raise failure from None
        except ServerExitedError as exc:
            self.alive = False
            self.process.close(grace=0.5)
            killed = signal_name(exc.exit_code)
            how = f"exit code {exc.exit_code}" + (f": killed by {killed}" if killed else "")
            raise ServerStopped(shown(line.rstrip()), f"no reply: {exc.reason} ({how})", stderr_lines(exc.stderr_tail),
                                exc.exit_code) from None
        except wire.LineTooLong:
            self.kill()
            raise CheckFailed("", sent=shown(line.rstrip()), got=f"a reply line longer than {MAX_REPLY_BYTES} bytes",
                              rule=REPLY_RULE) from None

    def _decode(self, line: bytes, raw: bytes, deployed_ids: tuple[Any, ...]) -> dict[str, Any]:
        try:
            message = wire.decode_message(raw)
        except wire.WireDecodeError as exc:
            self.transcript.add("<-", raw)
            self._fail(line, raw, f"the reply channel carried a line that is not JSON ({exc}) [{REPLY_RULE}]")
        judged = message
        if isinstance(message, dict) and "id" in message and any(same_id(message["id"], i) for i in deployed_ids):
            judged = {**message, "id": 0}  # the id is judged by the caller; the rest of the envelope here
        violations = default_registry().validate(judged, default_registry().definition_uri("Reply"))
        if violations:
            self.transcript.add("<-", raw)
            self._fail(line, raw, f"not a JSON-RPC reply: {'; '.join(shown(str(v)) for v in violations[:3])} [{REPLY_RULE}]")
        return dict(message)  # a Reply is an object (checked above)

    def _fail(self, line: bytes, raw: bytes, why: str) -> None:
        self.kill()
        raise CheckFailed(why, sent=shown(line.rstrip()), got=shown(raw))
