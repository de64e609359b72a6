"""Check a recorded session (schema/transcript.json, as the typed client and `microtvm-project record` write it)
against the spec, following each revision agreement.

Each launch (one server process) is checked on its own: replies are paired with requests by id, and every
envelope, params, result, error and payload is checked in the revision agreed on that launch when the line went:
the protocol_version of the last server_info_query reply before it (before the first, the first one agreed). Each
violation names its line. A file that is not a transcript raises TranscriptFormatError (the CLI's exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.payload import PayloadDecodeError
from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.protocol.transcript import MAX_ENTRY_CHARS, Message, RevisionFollower, id_key, read_transcript
from microtvm_project_api.spec_tools.schema_view import error_codes

RAW_EXCERPT = 80


@dataclass(frozen=True)
class TranscriptViolation:
    """A spec rule broken by the entry on `line` (1-based; 0: the transcript as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class TranscriptReport:
    """What was checked and what broke the spec: `revisions` agreed, in order, over every launch."""

    revisions: list[int]
    records: int
    violations: list[TranscriptViolation] = field(default_factory=list)

    @property
    def revision(self) -> int:
        """The first revision agreed (the one the whole session spoke, unless it agreed again)."""
        return self.revisions[0]


@dataclass(frozen=True)
class _Pending:
    line: int
    method: Any
    params: Any
    digest_length: int | None = None


def check_transcript(stream: IO[str], registry: SchemaRegistry, protocol_version: int | None = None,
                     max_record_chars: int = MAX_ENTRY_CHARS) -> TranscriptReport:
    """Check every message of `stream`, launch by launch, in the revision agreed (or `protocol_version` throughout);
    TranscriptFormatError when a line is not a transcript entry."""
    _, entries = read_transcript(stream, max_record_chars)
    launches: dict[str, list[Message]] = {}
    for entry in entries:
        if isinstance(entry, Message):
            launches.setdefault(entry.launch, []).append(entry)
    violations: list[TranscriptViolation] = []
    agreed: list[int] = []
    for messages in launches.values():
        checker = _Checker(registry, protocol_version, _first_revision(messages, registry, protocol_version, violations), violations)
        for message in messages:
            checker.feed(message)
        checker.finish()
        agreed += [v for v in checker.agreed if not agreed or agreed[-1] != v]
    violations.sort(key=lambda v: v.line)
    if not agreed:
        agreed = [protocol_version if protocol_version is not None else registry.latest_revision]
    return TranscriptReport(agreed, sum(map(len, launches.values())), violations)


def _first_revision(messages: list[Message], registry: SchemaRegistry, forced: int | None,
                    violations: list[TranscriptViolation]) -> int:
    """The revision a launch starts in: `forced`, else the first one agreed on it, else the latest (reported)."""
    if forced is not None:
        return forced
    follower = RevisionFollower()
    for message in messages:
        (follower.request if message.direction == "request" else follower.reply)(message.line)
        if follower.revision is not None:
            if follower.revision in registry.revisions:
                return follower.revision
            break
    line = messages[0].number
    violations.append(TranscriptViolation(0, f"no server_info_query reply names a revision of the spec on the launch starting at line {line}; "
                                             f"checked as revision {registry.latest_revision} (give --protocol-version)"))
    return registry.latest_revision


class _Checker:
    """Walks one launch's messages in order, pairing replies with the requests in flight and following agreements."""

    def __init__(self, registry: SchemaRegistry, forced: int | None, first: int, violations: list[TranscriptViolation]) -> None:
        self.registry = registry
        self.forced = forced
        self.revision = registry.revision(first)
        self.agreed: list[int] = []
        self.violations = violations
        self.pending: dict[Any, _Pending] = {}
        self.code_of = error_codes(registry)
        self.codes = set(self.code_of.values())
        self.request_ref = registry.definition_uri("Request")
        self.reply_ref = registry.definition_uri("Reply")

    def report(self, line: int, message: str) -> None:
        self.violations.append(TranscriptViolation(line, message))

    def feed(self, entry: Message) -> None:
        if entry.partial:
            self.report(entry.number, f"{entry.direction} line ends without its newline (the stream ended)")
        try:
            message = wire.decode_message(entry.line)
        except wire.WireDecodeError as exc:
            excerpt = entry.line[:RAW_EXCERPT].decode("utf-8", "replace")
            self.report(entry.number, f"{entry.direction} is not JSON ({exc}): {excerpt!r}")
            if entry.direction == "reply" and len(self.pending) == 1:
                self.pending.clear()
            return
        digest = next((d.length for d in entry.digests), None)
        if digest is not None:
            self.stand_in(message, entry.digests[0].pointer, digest)
        if entry.direction == "request":
            self.request(entry.number, message, digest)
        else:
            self.reply(entry.number, message, digest)

    def stand_in(self, message: Any, pointer: str, length: int) -> None:
        """Put a payload of the digest's length (capped at one byte) where the recorder left the empty string, so the
        schema judges the rest of the message; the length is judged from the digest."""
        part, _, member = pointer.strip("/").partition("/")
        holder = message.get(part) if isinstance(message, dict) else None
        if isinstance(holder, dict) and holder.get(member) == "":
            holder[member] = self.revision.codec.encode(bytes(min(length, 1)))

    def finish(self) -> None:
        for key, pending in self.pending.items():
            self.report(pending.line, f"request id {key[1]!r} ({pending.method}) has no reply")

    def request(self, line: int, message: Any, digest: int | None) -> None:
        envelope = self.registry.validate(message, self.request_ref)
        for v in envelope:
            self.report(line, f"request{v.pointer}: {v.message}")
        key = id_key(message.get("id")) if isinstance(message, dict) else None
        if envelope:
            self.abandon_pending(line)
            if key is not None:
                self.pending[key] = _Pending(line, None, None)  # its reply must be an error; any error will do
            return
        self.abandon_pending(line)
        method, params = message["method"], message["params"]
        spec = self.revision.methods.get(method)
        if spec is not None:
            # server_info_query chooses the revision (revision agreement): its params are those of the latest
            # revision whatever the session's, since a client offers protocol_versions before it knows.
            judged = max(self.registry.revisions) if method == "server_info_query" else self.revision.version
            for v in self.registry.validate_params(judged, method, params):
                self.report(line, f"{method} params{v.pointer}: {v.message}")
            for member in spec.payload_params:  # write_transport's data, by the method table
                if isinstance(params.get(member), str) and digest is None:
                    self.payload(line, f"{method} params/{member}", params[member])
        self.pending[key] = _Pending(line, method, params)

    def abandon_pending(self, line: int) -> None:
        """One request in flight: a request sent before the previous one was answered leaves that one unanswered."""
        for key, pending in self.pending.items():
            self.report(pending.line, f"request id {key[1]!r} ({pending.method}) got no reply before the next request "
                                      f"(line {line}; one request in flight)")
        self.pending.clear()

    def reply(self, line: int, message: Any, digest: int | None) -> None:
        envelope = self.registry.validate(message, self.reply_ref)
        for v in envelope:
            self.report(line, f"reply{v.pointer}: {v.message}")
        if envelope:
            self.pending.pop(id_key(message.get("id")) if isinstance(message, dict) else None, None)
            return
        key = id_key(message["id"])
        if key is None and len(self.pending) == 1:
            key = next(iter(self.pending))  # -32700/-32600 with id null answers the one request in flight
        pending = self.pending.pop(key, None)
        if pending is None:
            self.report(line, f"reply id {message['id']!r} answers no request in flight")
            return
        if "error" in message:
            if pending.method is not None:
                self.error(line, pending, message["error"])
        elif pending.method is None:
            self.report(line, "a result for an invalid request (expected an error)")
        elif pending.method not in self.revision.methods:
            self.report(line, f"a result for {pending.method!r}, which is not a method of revision {self.revision.version} "
                              "(expected error -32601)")
        else:
            if pending.method == "server_info_query":
                self.agree(line, message["result"])
            self.result(line, pending, message["result"], digest)

    def agree(self, line: int, result: Any) -> None:
        """A server_info_query result: its protocol_version is the revision of it and of every later line."""
        version = result.get("protocol_version") if isinstance(result, dict) else None
        if self.forced is not None or not isinstance(version, int) or isinstance(version, bool):
            return
        if version not in self.registry.revisions:
            self.report(line, f"protocol_version {version!r} is not a revision of the spec")
            return
        self.revision = self.registry.revision(version)
        self.agreed.append(version)

    def result(self, line: int, pending: _Pending, result: Any, digest: int | None) -> None:
        method = pending.method
        violations = self.registry.validate_result(self.revision.version, method, result)
        for v in violations:
            self.report(line, f"{method} result{v.pointer}: {v.message}")
        spec = self.revision.methods[method]
        if violations or not spec.payload_result:  # read_transport's data and its bound n, by the method table
            return
        member = next(iter(spec.payload_result))
        length = digest if digest is not None else _length(self.payload(line, f"{method} result/{member}", result[member]))
        n = pending.params.get(spec.read_bound) if spec.read_bound is not None and isinstance(pending.params, dict) else None
        if length is not None and isinstance(n, int) and length > n:
            self.report(line, f"{method} result/{member}: {length} bytes, more than the {n} requested")

    def error(self, line: int, pending: _Pending, error: dict[str, Any]) -> None:
        code, message = error["code"], error["message"]
        if code not in self.codes:
            self.report(line, f"error/code: {code} is not a code of the error catalogue")
        spec = self.revision.methods.get(pending.method)
        if spec is None:
            if code != self.code_of["METHOD_NOT_FOUND"]:
                self.report(line, f"error/code: {code} for unknown method {pending.method!r} (expected {self.code_of['METHOD_NOT_FOUND']})")
            return
        named = self.registry.resolve(self.registry.definition_uri("ServerErrorName"))["enum"]
        allowed = set(spec.errors) | set(self.revision.common_server_errors)
        if code == self.code_of["SERVER_ERROR"] and message in named and message not in allowed:
            self.report(line, f"error/message: {message} is not an error {pending.method} may raise "
                              f"in revision {self.revision.version}")

    def payload(self, line: int, where: str, text: str) -> bytes | None:
        try:
            return self.revision.codec.decode(text)
        except PayloadDecodeError as exc:
            self.report(line, f"{where}: {exc}")
            return None


def _length(data: bytes | None) -> int | None:
    return None if data is None else len(data)
