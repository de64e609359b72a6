"""`microtvm-project replay FILE DIR`: a recorded session sent again to DIR's server, each reply compared with the
recorded one (sessions/equivalence.py), stopping at the first divergence.

Each launch of the transcript starts a server as the launch convention says (protocol/launch.py): the recorded
platform's launch starts DIR's server; a launch in a project the session generated starts the server of the
replay's own fresh project. generate_project's paths are mapped: project_dir to a fresh directory, the archive and
the CRT to those given, else to the recorded ones when they still exist. Every other request is sent exactly as
recorded, and as many replies are read as were recorded after it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.launch import ServerExitedError, ServerNotFoundError, ServerProcess
from microtvm_project_api.protocol.transcript import Entry, Exit, Header, Launch, Message, TranscriptFormatError, read_transcript
from microtvm_project_api.sessions.equivalence import compare_replies

SHOWN = 2000
"""The longest excerpt of a line a report shows."""


class ReplayError(Exception):
    """The replay could not run: the transcript, the directory or a mapped path is unusable."""


@dataclass(frozen=True)
class ReplaySettings:
    """How to replay: stop after request `until`, generate_project's inputs, the interpreter, the longest wait for a reply."""

    until: int | None = None
    mlf: Path | None = None
    standalone_crt_dir: Path | None = None
    python: str | None = None
    timeout: float = 600.0


@dataclass(frozen=True)
class Divergence:
    """The first reply that differs: the request (its number and line), both replies and where they differ."""

    request: int
    line: int
    method: str | None
    sent: str
    recorded: str
    replayed: str
    pointer: str
    why: str


@dataclass
class ReplayOutcome:
    """What a replay did: requests sent, servers launched, and the first divergence (None: every reply equivalent)."""

    transcript: Path
    directory: Path
    requests: int = 0
    divergence: Divergence | None = None
    stopped_at: int | None = None
    launches: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The outcome for a terminal: one line when equivalent, the request and both replies when not."""
        if self.divergence is None:
            until = f" (stopped after request {self.stopped_at})" if self.stopped_at else ""
            return f"{self.transcript}: {self.requests} requests replayed against {self.directory}, every reply equivalent{until}"
        d = self.divergence
        return "\n".join([
            f"{self.transcript}:{d.line}: request {d.request} ({d.method}): the reply diverges at {d.pointer or '/'}: {d.why}",
            f"  sent:     {d.sent}",
            f"  recorded: {d.recorded}",
            f"  replayed: {d.replayed}",
        ])

    def as_json(self) -> dict[str, Any]:
        """The outcome for --report-json."""
        d = self.divergence
        return {"transcript": str(self.transcript), "directory": str(self.directory), "requests": self.requests,
                "outcome": "same" if d is None else "divergence", "stopped_at": self.stopped_at,
                "divergence": None if d is None else {"request": d.request, "line": d.line, "method": d.method, "pointer": d.pointer,
                                                      "why": d.why, "sent": d.sent, "recorded": d.recorded, "replayed": d.replayed}}


def replay_file(path: Path, directory: Path, settings: ReplaySettings) -> ReplayOutcome:
    """Replay the transcript at `path` against the server of `directory`; ReplayError when it cannot run."""
    if not directory.is_dir():
        raise ReplayError(f"{directory}: not a directory")
    for option, given in (("--mlf", settings.mlf), ("--standalone-crt-dir", settings.standalone_crt_dir)):
        if given is not None and not given.exists():
            raise ReplayError(f"{option} {given}: no such file or directory")
    try:
        with path.open(encoding="utf-8") as stream:
            header, entries = read_transcript(stream)
            listed = list(entries)
    except OSError as exc:
        raise ReplayError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ReplayError(f"{path}: not a transcript (schema/transcript.json): not UTF-8 at byte {exc.start} of a read") from None
    except TranscriptFormatError as exc:
        raise ReplayError(f"{path}:{exc.line}: not a transcript (schema/transcript.json): {exc.reason}") from None
    with tempfile.TemporaryDirectory(prefix="microtvm-replay-") as work:
        session = _Replay(header, directory.resolve(), settings, Path(work), ReplayOutcome(path, directory))
        try:
            session.run(listed)
        finally:
            session.close()
        return session.outcome


class _Replay:
    """One replay in progress: the servers of the launches still running, and where generated projects went."""

    def __init__(self, header: Header, directory: Path, settings: ReplaySettings, work: Path, outcome: ReplayOutcome) -> None:
        self.header = header
        self.directory = directory
        self.settings = settings
        self.work = work
        self.outcome = outcome
        self.platform_dir = header.platform_dir
        self.generated: dict[str, Path] = {}
        self.servers: dict[str, ServerProcess] = {}

    def run(self, entries: list[Entry]) -> None:
        """Launch, send, compare and stop servers in the order of the entries, until the first divergence."""
        replies = _replies_after_each_request(entries)
        for index, entry in enumerate(entries):
            if isinstance(entry, Launch):
                self.launch(entry)
            elif isinstance(entry, Exit):
                server = self.servers.pop(entry.launch, None)
                if server is not None:
                    server.close()
            elif isinstance(entry, Message) and entry.direction == "request":
                if self.settings.until is not None and self.outcome.requests >= self.settings.until:
                    self.outcome.stopped_at = self.outcome.requests
                    return
                if not self.request(entry, replies.get(index, [])):
                    return

    def launch(self, entry: Launch) -> None:
        """Start the server a launch entry started: DIR's, or that of a project the replay generated."""
        recorded = entry.project_dir
        if self.platform_dir is None:
            self.platform_dir = recorded
        if _same_path(recorded, self.platform_dir):
            where = self.directory
        elif recorded in self.generated:
            where = self.generated[recorded]
        else:
            raise ReplayError(f"line {entry.number}: a server launched in {recorded}, which is neither the recorded platform "
                              f"({self.platform_dir}) nor a project the session generated")
        try:
            self.servers[entry.launch] = ServerProcess(where, python=self.settings.python)
        except ServerNotFoundError as exc:
            raise ReplayError(str(exc)) from None
        self.outcome.launches.append(str(where))

    def request(self, entry: Message, replies: list[Message]) -> bool:
        """Send one request and compare the replies recorded after it; False at the first divergence."""
        self.outcome.requests += 1
        server = self.servers.get(entry.launch)
        if server is None:
            raise ReplayError(f"line {entry.number}: a request on launch {entry.launch}, which has no launch entry before it "
                              "or has exited")
        if entry.digests:
            raise ReplayError(f"line {entry.number}: the request's payload was kept only as its digest (--payload-digest): "
                              "it cannot be sent again")
        line, method = self.mapped(entry)
        try:
            server.send_line(line + b"\n", self.settings.timeout)
        except (TimeoutError, ServerExitedError) as exc:
            return self.diverged(entry, line, method, replies[0] if replies else None, None, f"the request could not be sent: {exc}")
        for recorded in replies:
            try:
                replayed = server.read_line(self.settings.timeout)
            except TimeoutError:
                return self.diverged(entry, line, method, recorded, None, f"no reply within {self.settings.timeout:g} s")
            except ServerExitedError as exc:
                return self.diverged(entry, line, method, recorded, None, f"no reply: {exc}")
            except wire.LineTooLong as exc:
                return self.diverged(entry, line, method, recorded, None, f"the reply is a {exc}")
            difference = compare_replies(recorded.line, replayed, method, recorded.revision, recorded.digests)
            if difference is not None:
                return self.diverged(entry, line, method, recorded, replayed, difference.why, difference.pointer)
        return True

    def mapped(self, entry: Message) -> tuple[bytes, str | None]:
        """The line to send (generate_project's paths mapped, every other line as recorded) and its method."""
        try:
            message = wire.decode_message(entry.line)
        except wire.WireDecodeError:
            return entry.line, None
        method = message.get("method") if isinstance(message, dict) else None
        method = method if isinstance(method, str) else None
        params = message.get("params") if isinstance(message, dict) else None
        if method != "generate_project" or not isinstance(params, dict):
            return entry.line, method
        mapped = dict(params)
        for name, given in (("model_library_format_path", self.settings.mlf), ("standalone_crt_dir", self.settings.standalone_crt_dir)):
            recorded = params.get(name)
            if given is not None:
                mapped[name] = str(given.resolve())
            elif isinstance(recorded, str) and not os.path.exists(recorded):
                option = "--mlf" if name == "model_library_format_path" else "--standalone-crt-dir"
                raise ReplayError(f"line {entry.number}: generate_project's {name} {recorded} no longer exists; give {option}")
        recorded_dir = params.get("project_dir")
        if isinstance(recorded_dir, str):  # the same recorded directory maps to the same fresh one every time
            fresh = self.generated.get(recorded_dir) or self.work / f"project-{len(set(self.generated.values())) + 1}"
            self.generated[recorded_dir] = self.generated[os.path.realpath(recorded_dir)] = fresh
            mapped["project_dir"] = str(fresh)
        return json.dumps({**message, "params": mapped}, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), method

    def diverged(self, entry: Message, sent: bytes, method: str | None, recorded: Message | None, replayed: bytes | None,
                 why: str, pointer: str = "") -> bool:
        self.outcome.divergence = Divergence(self.outcome.requests, entry.number, method, _shown(sent),
                                             "(none recorded)" if recorded is None else _shown(recorded.line),
                                             "(none)" if replayed is None else _shown(replayed), pointer, why)
        return False

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()
        for fresh in set(self.generated.values()):
            shutil.rmtree(fresh, ignore_errors=True)


def _replies_after_each_request(entries: list[Any]) -> dict[int, list[Message]]:
    """For each request entry's index, the reply entries of its launch recorded before that launch's next request."""
    out: dict[int, list[Message]] = {}
    last: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if isinstance(entry, Message):
            if entry.direction == "request":
                last[entry.launch] = index
                out[index] = []
            elif entry.launch in last:
                out[last[entry.launch]].append(entry)
    return out


def _same_path(a: str, b: str) -> bool:
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def _shown(line: bytes) -> str:
    text = line.decode("utf-8", "replace")
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(line)} bytes)"
