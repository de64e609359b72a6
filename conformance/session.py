"""A raw JSON-RPC session with the server under test: every byte sent is chosen, every byte back is judged.

Each call sends one line and reads exactly one reply line within the deadline, then checks the
envelope (jsonrpc.json#/$defs/Reply), the id, and the method's result schema for the revision.
A hang, an exit, or anything on the reply channel that is not a JSON-RPC reply raises
CheckFailed with what was sent and what came back; the session is then dead and is not reused.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from microtvm_project_api.client.errors import ServerExitedError, ServerNotFoundError
from microtvm_project_api.client.server_process import ServerProcess
from microtvm_project_api.conformance.check import CheckFailed
from microtvm_project_api.conformance.progress import SILENT, SLOW_METHODS, Progress
from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.registry import default_registry

MAX_REPLY_BYTES = 8 * 1024 * 1024
"""The kit never asks for more than 1 MiB per reply; a longer line is a failure, not a memory hazard."""
SHOWN_BYTES = 300
REPLY_RULE = "every line on the reply channel is one JSON-RPC reply [jsonrpc.json#/$defs/Reply]"


def shown(data: bytes | str) -> str:
    """A bounded, printable rendering of wire bytes for reports."""
    text = data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")
    return text if len(text) <= SHOWN_BYTES else f"{text[:SHOWN_BYTES]}... ({len(text)} chars)"


class Transcript:
    """The exchanges of the check that is running, for its report."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, direction: str, data: bytes | str) -> None:
        """Record one line sent (->) or received (<-), shortened for reports."""
        self.lines.append(f"{direction} {shown(data)}")

    def take(self) -> list[str]:
        """The lines recorded since the last take (the finished check's), and start afresh."""
        lines, self.lines = self.lines, []
        return lines


@dataclass(frozen=True)
class Reply:
    """One validated reply: a result or an error object, and how long it took."""

    sent: bytes
    raw: bytes
    result: Any
    error: dict[str, Any] | None
    seconds: float

    def describe(self) -> str:
        """What was sent and what came back, for a failure message."""
        return f"sent {shown(self.sent.rstrip())}\n  got  {shown(self.raw)}"


class Session:
    """One server process of the project under test, spoken to in raw wire lines.

    `revision` None judges only the envelope: the first server_info_query, before the revision is known.
    A method that hung is remembered in `hung` (shared by the run's sessions, per project) and not
    called again: later calls fail at once, so one hanging method costs one deadline, not one per check.
    """

    def __init__(
        self,
        project_dir: Path,
        timeout: float,
        transcript: Transcript,
        revision: int | None = 2,
        stdin: int | IO[bytes] = subprocess.DEVNULL,
        hung: dict[tuple[Path, str], str] | None = None,
        progress: Progress = SILENT,
    ) -> None:
        self.project_dir = project_dir
        self.progress = progress
        self.hung = {} if hung is None else hung
        self.timeout = timeout
        self.transcript = transcript
        self.revision = revision
        try:
            self.process = ServerProcess(project_dir, max_line_bytes=MAX_REPLY_BYTES, stdin=stdin)
        except ServerNotFoundError as exc:
            raise CheckFailed(f"the server cannot be started: {exc}") from None
        self.alive = True
        self._next_id = 1

    @property
    def pid(self) -> int:
        """The server's process id (and process group id)."""
        return self.process.pid

    def call(
        self, method: str, params: Any, timeout: float | None = None, request_id: int | str | None = None, validate: bool = True
    ) -> Reply:
        """Send a well-formed request and return its reply, judged as a reply and (unless `validate` is off) against the method's result schema."""
        if (self.project_dir, method) in self.hung:
            raise CheckFailed(f"{method} hung earlier in this run and is not called again:\n  {self.hung[self.project_dir, method]}")
        if request_id is None:
            request_id = self._next_id
            self._next_id += 1
        line = wire.encode_message(wire.request(method, params, request_id))
        if method not in SLOW_METHODS:
            return self.send_line(line, (request_id,), method if validate else None, timeout)
        self.progress.step_started(method)
        started = time.monotonic()
        try:
            reply = self.send_line(line, (request_id,), method if validate else None, timeout)
        except Exception:  # not KeyboardInterrupt: an interrupted run ends with one line, from the command
            self.progress.step_finished(method, time.monotonic() - started, "failed")
            raise
        self.progress.step_finished(method, time.monotonic() - started, "done" if reply.error is None else "error reply")
        return reply

    def send_line(self, line: bytes, expect_ids: tuple[Any, ...], method: str | None = None, timeout: float | None = None) -> Reply:
        """Send any bytes as one request line and judge the one reply line, whose id must be one of `expect_ids`."""
        deadline = self.timeout if timeout is None else timeout
        self.transcript.add("->", line.rstrip(b"\n"))
        started = time.monotonic()
        raw = self._exchange(line, deadline, method)
        seconds = time.monotonic() - started
        self.transcript.add("<-", raw)
        message = self._decode(line, raw)
        error = message.get("error")
        if not any(type(message["id"]) is type(e) and message["id"] == e for e in expect_ids):
            wanted = " or ".join(map(repr, expect_ids))
            self._fail(line, raw, f"the reply id {message['id']!r} is not {wanted}"
                       " [MUST: a reply carries the id of the request it answers, jsonrpc.json#/$defs/Reply]")
        if error is None and method is not None and self.revision is not None:
            violations = default_registry().validate_result(self.revision, method, message["result"])
            if violations:
                ref = default_registry().revision(self.revision).methods[method].result_ref.rsplit("/schema/", 1)[-1]
                self._fail(line, raw, f"the {method} result breaks its schema {ref}: " + "; ".join(map(str, violations)))
        if error is not None:
            violations = default_registry().validate(error["code"], default_registry().definition_uri("ErrorCode"))
            if violations:
                self._fail(line, raw, f"error code {error['code']} is not one the spec defines [errors.json#/$defs/ErrorCode]")
        return Reply(line, raw, message.get("result"), error, seconds)

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
            tail = self._tail()
            self.kill()
            failure = (f"sent {shown(line.rstrip())}\n  got  nothing within {deadline:g} s: the server hangs"
                       f" [MUST: one reply per request, before the caller's deadline]{tail}")
            if method not in (None, "server_info_query"):  # a silent server_info_query is judged by process.starts
                self.hung[self.project_dir, method] = failure
            raise CheckFailed(failure) from None
        except ServerExitedError as exc:
            self.alive = False
            self.process.close(grace=0.5)
            raise CheckFailed(f"sent {shown(line.rstrip())}\n  got  no reply: {exc}"
                              " [MUST: a server serves until its request pipe ends]") from None
        except wire.LineTooLong:
            self.kill()
            raise CheckFailed(f"sent {shown(line.rstrip())}\n  got  a reply line longer than {MAX_REPLY_BYTES} bytes"
                              f" [{REPLY_RULE}]") from None

    def _decode(self, line: bytes, raw: bytes) -> dict[str, Any]:
        try:
            message = wire.decode_message(raw)
        except wire.WireDecodeError as exc:
            self._fail(line, raw, f"the reply channel carried a line that is not JSON ({exc}) [{REPLY_RULE}]")
        violations = default_registry().validate(message, default_registry().definition_uri("Reply"))
        if violations:
            self._fail(line, raw, f"not a JSON-RPC reply: {'; '.join(map(str, violations[:3]))} [{REPLY_RULE}]")
        return message

    def _fail(self, line: bytes, raw: bytes, why: str) -> None:
        self.kill()
        raise CheckFailed(f"sent {shown(line.rstrip())}\n  got  {shown(raw)}\n  {why}")

    def _tail(self) -> str:
        tail = self.process.stderr_tail[-5:]
        return "".join(f"\n    stderr: {t}" for t in tail)

