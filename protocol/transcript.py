"""The session transcript format (schema/transcript.json): its entries written and read back, and the revision agreed.

A transcript is JSON Lines: a header, then launch, message, exit and limit entries. A message keeps one wire
line exactly (as text when it is UTF-8, else base64), with its direction, its time offset from the header's
`recorded_at` and the revision agreed on its launch when it went. The typed client (client/transcript.py) and
`microtvm-project record`'s relay write them; `spec check-transcript` and `microtvm-project replay` read them
with `read_transcript`. Standard library only: the relay imports it on every launch.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import IO, Any, Iterator, NoReturn, Union

from microtvm_project_api.generated.methods import REVISIONS, SERVER_INFO_QUERY

FORMAT = 1
DISTRIBUTION = "microtvm-project-api"
MAX_ENTRY_CHARS = 2 * 64 * 1024 * 1024 + 4096
"""An entry wraps one wire line (at most 64 MiB, base64 grows it by a third, JSON escapes by more) in a little JSON;
a longer entry is not read."""
QUERY_TOKEN = json.dumps(SERVER_INFO_QUERY).encode()
LONG_LINE = 4096
_CONTROL = re.compile(rb"[\x00-\x1f]")
_RECORDED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


class TranscriptFormatError(ValueError):
    """A line of the file is not an entry of schema/transcript.json: the file cannot be read as a transcript."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class Header:
    """The first line: when recording began, what was recorded, by what, with which bounds."""

    recorded_at: str
    platform_dir: str | None
    platform_name: str | None
    client_name: str | None
    client_version: str | None
    recorder_name: str | None
    recorder_version: str | None
    max_bytes: int | None = None
    payload_digest: bool = False


@dataclass(frozen=True)
class Digest:
    """A payload kept as the length and sha256 of its bytes; its string in the line is empty."""

    pointer: str
    length: int
    sha256: str


@dataclass(frozen=True)
class Launch:
    """A server started in project_dir; `number` is the entry's line in the file."""

    number: int
    launch: str
    time: float
    project_dir: str


@dataclass(frozen=True)
class Message:
    """One wire line, without its newline, as it went."""

    number: int
    launch: str
    direction: str
    time: float
    revision: int | None
    line: bytes
    partial: bool = False
    digests: tuple[Digest, ...] = ()


@dataclass(frozen=True)
class Exit:
    """The launch's server ended with `status` (None: unknown)."""

    number: int
    launch: str
    time: float
    status: int | None


@dataclass(frozen=True)
class Limit:
    """The transcript reached its size limit here; nothing after it was recorded."""

    number: int
    time: float
    max_bytes: int
    message: str


Entry = Union[Launch, Message, Exit, Limit]


def now_rfc3339(seconds: float) -> str:
    """`seconds` since the epoch as the header's recorded_at."""
    import datetime

    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def package_version() -> str | None:
    """This package's version, for a header (None when it is not installed)."""
    from importlib import metadata  # here: the relay, which imports this module at every launch, never needs it

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def header_entry(header: Header) -> dict[str, Any]:
    """The first line of a transcript, as a JSON object."""
    return {"kind": "header", "format": FORMAT, "recorded_at": header.recorded_at,
            "platform": {"directory": header.platform_dir, "name": header.platform_name},
            "client": {"name": header.client_name, "version": header.client_version},
            "recorder": {"name": header.recorder_name, "version": header.recorder_version},
            "max_bytes": header.max_bytes, "payload_digest": header.payload_digest}


def message_entry(launch: str, direction: str, offset: float, revision: int | None, line: bytes | bytearray,
                  partial: bool = False, digests: tuple[Digest, ...] = ()) -> dict[str, Any]:
    """A message entry for `line` (without its newline): as text when it is UTF-8, else as base64."""
    entry: dict[str, Any] = {"kind": "message", "launch": launch, "direction": direction, "time": round(offset, 6),
                             "revision": revision}
    try:
        entry["text"] = bytes(line).decode("utf-8")
    except UnicodeDecodeError:
        entry["base64"] = base64.b64encode(line).decode("ascii")
    if partial:
        entry["partial"] = True
    if digests:
        entry["digests"] = [{"pointer": d.pointer, "length": d.length, "sha256": d.sha256} for d in digests]
    return entry


def message_bytes(launch: str, direction: str, offset: float, revision: int | None, line: bytes) -> bytes:
    """The line of a message entry without partial or digests, as message_entry and entry_bytes make it, built
    without a dictionary: what the relay writes for each wire line, so its cost stays off the session's path."""
    try:
        body = b',"text":' + _json_string(line)
    except UnicodeDecodeError:
        body = b',"base64":"' + base64.b64encode(line) + b'"'
    return b"".join((b'{"kind":"message","launch":', encode_basestring_ascii(launch).encode("ascii"), b',"direction":"',
                     direction.encode("ascii"), b'","time":', repr(round(offset, 6)).encode("ascii"), b',"revision":',
                     b"null" if revision is None else str(revision).encode("ascii"), body, b"}\n"))


def _json_string(line: bytes) -> bytes:
    """`line` (UTF-8) as a JSON string in ASCII; a long ASCII line without control characters by two replaces."""
    if len(line) > LONG_LINE and line.isascii() and not _CONTROL.search(line):
        return b'"' + line.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return encode_basestring_ascii(line.decode("utf-8")).encode("ascii")


def entry_bytes(entry: dict[str, Any]) -> bytes:
    """One entry as its line: ASCII JSON (a lone surrogate a wire line may carry as an escape is kept as one)."""
    return (json.dumps(entry, separators=(",", ":")) + "\n").encode("ascii")


class RevisionFollower:
    """The revision agreed on one launch: the protocol_version of the last server_info_query reply (None before any).

    Request lines are parsed only when they name server_info_query, replies only while one is in flight."""

    def __init__(self) -> None:
        self.revision: int | None = None
        self._queries: set[Any] = set()

    def request(self, line: bytes | bytearray) -> None:
        """Note a server_info_query request's id."""
        if QUERY_TOKEN not in line:
            return
        message = json_or_none(line)
        if isinstance(message, dict) and message.get("method") == SERVER_INFO_QUERY:
            self._queries.add(id_key(message.get("id")))

    def reply(self, line: bytes | bytearray) -> None:
        """Take the protocol_version of a successful reply to a server_info_query in flight."""
        if not self._queries:
            return
        message = json_or_none(line)
        if not isinstance(message, dict):
            return
        key = id_key(message.get("id"))
        if key not in self._queries:
            return
        self._queries.discard(key)
        result = message.get("result")
        version = result.get("protocol_version") if isinstance(result, dict) else None
        if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
            self.revision = version


def read_transcript(stream: IO[str], max_entry_chars: int = MAX_ENTRY_CHARS) -> tuple[Header, Iterator[Entry]]:
    """The header and an iterator over the entries of `stream`; TranscriptFormatError names the first line that is
    not an entry of schema/transcript.json (a line longer than `max_entry_chars` is not read)."""
    lines = _lines(stream, max_entry_chars)
    first = next(lines, None)
    if first is None:
        raise TranscriptFormatError(1, "the file is empty: a transcript starts with its header")
    header = _header(1, _object(*first))
    return header, (_entry(number, _object(number, text)) for number, text in lines)


def _lines(stream: IO[str], limit: int) -> Iterator[tuple[int, str]]:
    number = 0
    while True:
        text = stream.readline(limit + 1)
        if not text:
            return
        number += 1
        if len(text) > limit:
            raise TranscriptFormatError(number, f"longer than {limit} characters; not read")
        if text.strip():
            yield number, text


def _object(number: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        raise TranscriptFormatError(number, "not JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(number, f"not JSON: {exc.msg}") from None
    except ValueError:  # json's int() of a number longer than CPython converts
        digits = getattr(sys, "get_int_max_str_digits", lambda: 4300)()  # 3.10.7 and later
        raise TranscriptFormatError(number, f"not JSON: a number longer than {digits} digits") from None
    if not isinstance(value, dict):
        raise TranscriptFormatError(number, "not a JSON object")
    return value


def _header(number: int, value: dict[str, Any]) -> Header:
    fail = _Checker(number, value, "header")
    if value.get("kind") != "header":
        raise TranscriptFormatError(number, 'the first line is not the header (kind "header")')
    fail.members({"kind", "format", "recorded_at", "platform", "client", "recorder"}, {"max_bytes", "payload_digest"})
    if value["format"] != FORMAT or isinstance(value["format"], bool):
        raise TranscriptFormatError(number, f"format {value['format']!r} is not {FORMAT}, the version this reader knows")
    recorded_at = value["recorded_at"]
    if not isinstance(recorded_at, str) or not _RECORDED_AT.match(recorded_at):
        fail.bad("recorded_at", "an RFC 3339 UTC time")
    pairs: dict[str, tuple[Any, Any]] = {}
    for member, names in (("platform", ("directory", "name")), ("client", ("name", "version")), ("recorder", ("name", "version"))):
        part = value[member]
        if not isinstance(part, dict) or set(part) != set(names) or any(not isinstance(part[n], (str, type(None))) for n in names):
            fail.bad(member, f"an object of {' and '.join(names)}, each a string or null")
        pairs[member] = (part[names[0]], part[names[1]])
    max_bytes = value.get("max_bytes")
    if max_bytes is not None and not _integer(max_bytes, 1):
        fail.bad("max_bytes", "an integer >= 1 or null")
    digest = value.get("payload_digest", False)
    if not isinstance(digest, bool):
        fail.bad("payload_digest", "a boolean")
    (directory, name), (client, client_version), (recorder, recorder_version) = pairs["platform"], pairs["client"], pairs["recorder"]
    return Header(recorded_at, directory, name, client, client_version, recorder, recorder_version,
                  None if max_bytes is None else int(max_bytes), digest)


def _entry(number: int, value: dict[str, Any]) -> Entry:
    kind = value.get("kind")
    fail = _Checker(number, value, str(kind))
    if kind == "message":
        fail.members({"kind", "launch", "direction", "time", "revision"}, {"text", "base64", "partial", "digests"})
        if value["direction"] not in ("request", "reply"):
            fail.bad("direction", '"request" or "reply"')
        revision = value["revision"]
        if revision is not None and not _integer(revision, 1):
            fail.bad("revision", "an integer >= 1 or null")
        if value.get("partial", True) is not True:
            fail.bad("partial", "true when present")
        return Message(number, fail.launch(), value["direction"], fail.time(), None if revision is None else int(revision),
                       _line(fail, value), "partial" in value, _digests(fail, value["digests"]) if "digests" in value else ())
    if kind == "launch":
        fail.members({"kind", "launch", "time", "project_dir"}, set())
        if not isinstance(value["project_dir"], str):
            fail.bad("project_dir", "a string")
        return Launch(number, fail.launch(), fail.time(), value["project_dir"])
    if kind == "exit":
        fail.members({"kind", "launch", "time", "status"}, set())
        status = value["status"]
        if status is not None and not _integer(status, None):
            fail.bad("status", "an integer or null")
        return Exit(number, fail.launch(), fail.time(), None if status is None else int(status))
    if kind == "limit":
        fail.members({"kind", "time", "max_bytes", "message"}, set())
        if not _integer(value["max_bytes"], 1):
            fail.bad("max_bytes", "an integer >= 1")
        if not isinstance(value["message"], str):
            fail.bad("message", "a string")
        return Limit(number, fail.time(), int(value["max_bytes"]), value["message"])
    if kind == "header":
        raise TranscriptFormatError(number, "a second header: a transcript has one, on its first line")
    raise TranscriptFormatError(number, f"kind {kind!r} is not one of launch, message, exit, limit")


class _Checker:
    """Checks one entry's members, raising TranscriptFormatError for the first problem."""

    def __init__(self, number: int, value: dict[str, Any], kind: str) -> None:
        self.number, self.value, self.kind = number, value, kind

    def bad(self, member: str, wanted: str) -> NoReturn:
        raise TranscriptFormatError(self.number, f"{self.kind} entry: {member} must be {wanted}")

    def members(self, required: set[str], optional: set[str]) -> None:
        missing = sorted(required - set(self.value))
        if missing:
            raise TranscriptFormatError(self.number, f"{self.kind} entry: missing {', '.join(missing)}")
        extra = sorted(set(self.value) - required - optional)
        if extra:
            raise TranscriptFormatError(self.number, f"{self.kind} entry: unexpected {', '.join(extra)}")

    def launch(self) -> str:
        launch = self.value["launch"]
        if not isinstance(launch, str) or not 1 <= len(launch) <= 64:
            self.bad("launch", "a string of 1 to 64 characters")
        return str(launch)

    def time(self) -> float:
        offset = self.value["time"]
        if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not offset >= 0:
            self.bad("time", "a number >= 0")
        return float(offset)


def _line(fail: _Checker, value: dict[str, Any]) -> bytes:
    if ("text" in value) == ("base64" in value):
        raise TranscriptFormatError(fail.number, "message entry: exactly one of text and base64 is required")
    if "text" in value:
        if not isinstance(value["text"], str):
            fail.bad("text", "a string")
        text: str = value["text"]
        return text.encode("utf-8", "surrogatepass")
    if not isinstance(value["base64"], str):
        fail.bad("base64", "a string")
    try:
        return base64.b64decode(value["base64"], validate=True)
    except (binascii.Error, ValueError):
        fail.bad("base64", "base64 text")


def _digests(fail: _Checker, value: Any) -> tuple[Digest, ...]:
    if not isinstance(value, list) or not value:
        fail.bad("digests", "a non-empty array")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"pointer", "length", "sha256"} \
                or item["pointer"] not in ("/params/data", "/result/data") or not _integer(item["length"], 0) \
                or not isinstance(item["sha256"], str) or not _SHA256.match(item["sha256"]):
            fail.bad("digests", 'an array of {"pointer": "/params/data" or "/result/data", "length", "sha256"}')
        out.append(Digest(item["pointer"], int(item["length"]), item["sha256"]))
    return tuple(out)


def _integer(value: Any, minimum: int | None) -> bool:
    """A JSON Schema integer: a number without fraction (1.0 is one), never a boolean."""
    integral = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    return integral and (minimum is None or value >= minimum)


def without_newline(line: bytes | bytearray) -> bytes | bytearray:
    """`line` without its final newline, if it has one."""
    return line[:-1] if line.endswith(b"\n") else line


def json_or_none(line: bytes | bytearray) -> Any:
    """The JSON value of a recorded line, or None when it is not JSON (a transcript keeps any line)."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def id_key(value: Any) -> Any:
    """Request ids as dictionary keys: 1 and "1" differ, and so do 1 and true."""
    return (type(value).__name__, value) if isinstance(value, (str, int)) else None


def recorded_payload(text: Any, revision: int | None) -> bytes | None:
    """The bytes of a payload string recorded in `revision` (its encoding from the method table), decoded as leniently
    as Python's codecs read it, so a recording keeps what any server sent; None when it cannot be told."""
    spec = REVISIONS.get(revision) if revision is not None else None
    if not isinstance(text, str) or spec is None:
        return None
    try:
        return base64.b85decode(text) if spec.payload_encoding == "base85" else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return None
