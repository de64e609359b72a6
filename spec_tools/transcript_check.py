"""Check a recorded session (JSON Lines, as client/transcript.py writes them) against the spec of its revision.

Each record is `{"time": t, "direction": "request" | "reply", "message": {...}}`, or for a reply line
that was not JSON `{"time": t, "direction": "reply", "raw": "..."}`. Replies are paired with requests
by id; every envelope, params, result, error and payload is checked, and each violation names its line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, Any

from microtvm_project_api.protocol.method_table import RevisionEntry
from microtvm_project_api.protocol.payload import PayloadDecodeError
from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.protocol.wire import MAX_LINE_BYTES
from microtvm_project_api.spec_tools.schema_view import error_codes

MAX_RECORD_CHARS = 2 * MAX_LINE_BYTES
"""A record wraps one wire line (at most MAX_LINE_BYTES) in a little JSON; a longer record is not read."""
RAW_EXCERPT = 80


@dataclass(frozen=True)
class TranscriptViolation:
    """A spec rule broken by the record on `line` (1-based; 0: the transcript as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class TranscriptReport:
    """What was checked and what broke the spec."""

    revision: int
    records: int
    violations: list[TranscriptViolation] = field(default_factory=list)


@dataclass(frozen=True)
class _Record:
    line: int
    direction: str
    message: Any
    raw: str | None


@dataclass(frozen=True)
class _Pending:
    line: int
    method: Any
    params: Any


def check_transcript(stream: IO[str], registry: SchemaRegistry, protocol_version: int | None = None,
                     max_record_chars: int = MAX_RECORD_CHARS) -> TranscriptReport:
    """Check every record of `stream`; the revision is `protocol_version`, else the server_info_query reply's."""
    violations: list[TranscriptViolation] = []
    records = _read_records(stream, violations, max_record_chars)
    version = protocol_version if protocol_version is not None else _announced_revision(records, registry, violations)
    checker = _Checker(registry, registry.revision(version), violations)
    for record in records:
        checker.feed(record)
    checker.finish()
    violations.sort(key=lambda v: v.line)
    return TranscriptReport(version, len(records), violations)


def _read_records(stream: IO[str], violations: list[TranscriptViolation], limit: int) -> list[_Record]:
    """The well-formed records, one per line, never holding more than `limit` characters of one line."""
    records = []
    number = 0
    while True:
        text = stream.readline(limit + 1)
        if not text:
            return records
        number += 1
        if len(text) > limit:
            violations.append(TranscriptViolation(number, f"record longer than {limit} characters; not read"))
            while not text.endswith("\n") and (text := stream.readline(limit + 1)):
                pass
            continue
        if not text.strip():
            continue
        record = _parse_record(number, text, violations)
        if record is not None:
            records.append(record)


def _parse_record(number: int, text: str, violations: list[TranscriptViolation]) -> _Record | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        violations.append(TranscriptViolation(number, "not a transcript record: the line is not JSON"))
        return None
    problem = _record_problem(value)
    if problem:
        violations.append(TranscriptViolation(number, f"not a transcript record: {problem}"))
        return None
    return _Record(number, value["direction"], value.get("message"), value.get("raw"))


def _record_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not an object"
    if not isinstance(value.get("time"), (int, float)) or isinstance(value.get("time"), bool):
        return "time is not a number"
    if value.get("direction") not in ("request", "reply"):
        return 'direction is neither "request" nor "reply"'
    if ("message" in value) == ("raw" in value):
        return "exactly one of message and raw is required"
    if "raw" in value and (value["direction"] != "reply" or not isinstance(value["raw"], str)):
        return "raw is only for a reply line that was not JSON, as a string"
    return None


def _announced_revision(records: list[_Record], registry: SchemaRegistry, violations: list[TranscriptViolation]) -> int:
    """The protocol_version of the first successful server_info_query reply, checked to be a known revision."""
    queried: set[Any] = set()
    for record in records:
        message = record.message
        if not isinstance(message, dict):
            continue
        if record.direction == "request" and message.get("method") == "server_info_query":
            queried.add(_id_key(message.get("id")))
        elif record.direction == "reply" and _id_key(message.get("id")) in queried and isinstance(message.get("result"), dict):
            version = message["result"].get("protocol_version")
            if version in registry.revisions:
                return version
            violations.append(TranscriptViolation(record.line, f"protocol_version {version!r} is not a revision of the spec"))
            break
    violations.append(TranscriptViolation(0, "no server_info_query reply names the revision; "
                                             f"checked as revision {registry.latest_revision} (give --protocol-version)"))
    return registry.latest_revision


def _id_key(value: Any) -> Any:
    """Request ids as dictionary keys: 1 and "1" differ, and so do 1 and true."""
    return (type(value).__name__, value) if isinstance(value, (str, int)) else None


class _Checker:
    """Walks the records in order, pairing replies with the requests in flight."""

    def __init__(self, registry: SchemaRegistry, revision: RevisionEntry, violations: list[TranscriptViolation]) -> None:
        self.registry = registry
        self.revision = revision
        self.violations = violations
        self.pending: dict[Any, _Pending] = {}
        self.code_of = error_codes(registry)
        self.codes = set(self.code_of.values())
        self.request_ref = registry.definition_uri("Request")
        self.reply_ref = registry.definition_uri("Reply")

    def report(self, line: int, message: str) -> None:
        self.violations.append(TranscriptViolation(line, message))

    def feed(self, record: _Record) -> None:
        if record.direction == "request":
            self.request(record.line, record.message)
        elif record.raw is not None:
            self.report(record.line, f"reply is not JSON: {record.raw[:RAW_EXCERPT]!r}")
            if len(self.pending) == 1:
                self.pending.clear()
        else:
            self.reply(record.line, record.message)

    def finish(self) -> None:
        for key, pending in self.pending.items():
            self.report(pending.line, f"request id {key[1]!r} ({pending.method}) has no reply")

    def request(self, line: int, message: Any) -> None:
        envelope = self.registry.validate(message, self.request_ref)
        for v in envelope:
            self.report(line, f"request{v.pointer}: {v.message}")
        key = _id_key(message.get("id")) if isinstance(message, dict) else None
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
            if method == "write_transport" and isinstance(params.get("data"), str):
                self.payload(line, f"{method} params/data", params["data"])
        self.pending[key] = _Pending(line, method, params)

    def abandon_pending(self, line: int) -> None:
        """One request in flight: a request sent before the previous one was answered leaves that one unanswered."""
        for key, pending in self.pending.items():
            self.report(pending.line, f"request id {key[1]!r} ({pending.method}) got no reply before the next request "
                                      f"(line {line}; one request in flight)")
        self.pending.clear()

    def reply(self, line: int, message: Any) -> None:
        envelope = self.registry.validate(message, self.reply_ref)
        for v in envelope:
            self.report(line, f"reply{v.pointer}: {v.message}")
        if envelope:
            self.pending.pop(_id_key(message.get("id")) if isinstance(message, dict) else None, None)
            return
        key = _id_key(message["id"])
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
            self.result(line, pending, message["result"])

    def result(self, line: int, pending: _Pending, result: Any) -> None:
        method = pending.method
        violations = self.registry.validate_result(self.revision.version, method, result)
        for v in violations:
            self.report(line, f"{method} result{v.pointer}: {v.message}")
        if violations or method != "read_transport":
            return
        data = self.payload(line, f"{method} result/data", result["data"])
        n = pending.params.get("n") if isinstance(pending.params, dict) else None
        if data is not None and isinstance(n, int) and len(data) > n:
            self.report(line, f"{method} result/data: {len(data)} bytes, more than the {n} requested")

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
