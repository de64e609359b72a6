"""Newline-delimited JSON-RPC 2.0 framing: encode messages, decode lines, read bounded lines from a fd."""

from __future__ import annotations

import functools
import json
import math
import os
import select
import time
from typing import Any, Callable

from microtvm_project_api.generated import methods
from microtvm_project_api.protocol.payload import DecodedPayload, PayloadCodec, PayloadDecodeError

JSONRPC = methods.JSONRPC_VERSION
MAX_LINE_BYTES = methods.MAX_LINE_BYTES
"""The longest line either side must accept (schema/jsonrpc.json x-max-line-bytes); a longer one is discarded and
answered with an error."""
MAX_LINE_VALUES = methods.MAX_LINE_VALUES
"""The most JSON values one line may hold (schema/jsonrpc.json x-max-line-values): parsed, a value costs far more
memory than its bytes on the wire (`[],` is 3 bytes and about 64 in CPython), so a line over it is a parse error."""

READ_CHUNK = 64 * 1024
"""Bytes asked of one os.read: a pipe's default capacity. A larger request makes CPython allocate (mmap) and
free (munmap) a buffer that large on every read, which costs more than the read itself for a short line."""


Parts = tuple[bytes | bytearray, ...]
"""One line given in parts, written with os.writev instead of being joined into one copy."""
JOIN_BYTES = 4096
"""A line in parts no longer than this is joined and written with one os.write: cheaper than os.writev's views."""


def coalesced(parts: Parts) -> Parts:
    """`parts`, joined into one when the line is short (see JOIN_BYTES)."""
    if len(parts) > 1 and sum(map(len, parts)) <= JOIN_BYTES:
        return (b"".join(parts),)
    return parts


def write_parts(fd: int, parts: Parts, wait: Callable[[], bool] | None = None) -> None:
    """Write one whole line given in parts to `fd` (os.writev: a long line's parts are never joined into one copy).
    On a non-blocking fd, `wait` is called whenever the pipe is full; when it returns False (its deadline passed) the
    write gives up with TimeoutError. The one writer of the wire: the SDK's replies and the client's requests."""
    views = [memoryview(part) for part in coalesced(parts) if part]
    while views:
        try:
            written = os.writev(fd, views) if len(views) > 1 else os.write(fd, views[0])
        except BlockingIOError:
            written = 0
        while views and written >= len(views[0]):
            written -= len(views.pop(0))
        if views:
            views[0] = views[0][written:]
            if wait is not None and not wait():
                raise TimeoutError("the peer did not read the line before the deadline")


class WireDecodeError(ValueError):
    """A line that is not one UTF-8 JSON text (the JSON-RPC parse error)."""


class LineTooLong(ValueError):
    """A line exceeded the bound; its bytes were discarded, never held in memory."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"line longer than {limit} bytes")
        self.limit = limit


class ReadTimeout(TimeoutError):
    """No complete line arrived before the deadline."""


def _reject_constant(name: str) -> float:
    raise WireDecodeError(f"{name} is not JSON")


def _compact_encoder(ensure_ascii: bool) -> Callable[[Any], str]:
    """Compact JSON text of a value, with CPython's C encoder built once: json.dumps, and JSONEncoder.encode for a
    container, build a new one per call (a third of a small request's encoding time). It keeps no circular-reference
    marks (a mark left by a failed call would refuse a later value); a circular value ends in RecursionError, which
    is turned into the ValueError json raises."""
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii, allow_nan=False)
    strings = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]  # None where CPython has no C accelerator
    try:
        once = make(None, encoder.default, strings, None, ":", ",", False, False, False) if make is not None else None
    except TypeError:  # a CPython whose C encoder takes other arguments
        once = None
    if once is None:
        return encoder.encode

    def encode(value: Any) -> str:
        try:
            return "".join(once(value, 0))
        except RecursionError:
            raise ValueError("not JSON: a circular reference, or nested too deeply") from None

    return encode


_encode = _compact_encoder(ensure_ascii=False)
_encode_ascii = _compact_encoder(ensure_ascii=True)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
"""Built once: json.loads with arguments builds a new decoder for every message."""
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]  # what decode() runs inside


def encode_message(message: dict[str, Any]) -> bytes:
    """One message as a compact UTF-8 JSON line ending in a single newline.

    A string holding a lone surrogate (valid in JSON text as an escape, not encodable as UTF-8; an
    id or a parameter echoed back can carry one) is written as a \\u escape instead of failing.
    """
    return json_bytes(message) + b"\n"


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON text of `value`; \\u escapes where a lone surrogate cannot be UTF-8."""
    text = _encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _encode_ascii(value).encode("ascii")


def request_line(method: str, params: dict[str, Any], request_id: int | str) -> bytes:
    """A request line: the bytes encode_message(request(method, params, request_id)) writes, with the part before
    the params made once per method."""
    return b"".join((_request_head(method), json_bytes(params), b',"id":', id_json(request_id), b"}\n"))


@functools.lru_cache(maxsize=None)
def _request_head(method: str) -> bytes:
    return b'{"jsonrpc":"2.0","method":' + json_bytes(method) + b',"params":'


def id_json(request_id: int | float | str) -> bytes:
    """A request id as JSON text (ASCII): an integer or float as Python writes it, which is what json writes."""
    return str(request_id).encode("ascii") if type(request_id) in (int, float) else _encode_ascii(request_id).encode("ascii")


def result_reply_parts(request_id: int | float | str, *encoded_result: bytes | bytearray) -> Parts:
    """A result reply line, in parts for os.writev, around a result that is already JSON text (given in parts),
    so a large or fixed result is neither encoded again nor copied into one line: the bytes encode_message(result_reply(...)) writes."""
    return (b'{"jsonrpc":"2.0","id":', id_json(request_id), b',"result":', *encoded_result, b"}\n")


def result_reply_line(request_id: int | float | str, *encoded_result: bytes | bytearray) -> bytes:
    """result_reply_parts joined into one line."""
    return b"".join(result_reply_parts(request_id, *encoded_result))


def payload_request_parts(method: str, params: dict[str, Any], request_id: int | str, name: str,
                          payload: bytes | bytearray) -> Parts:
    """A request line, in parts for os.writev, whose params are `params` plus the member `name` holding `payload`, an
    encoded transport payload (base64 or base85: ASCII without quote or backslash, so a JSON string as it is); the
    payload is spliced in, neither escaped by json.dumps nor copied into one line. `name` comes first in params."""
    rest = json_bytes(params)
    tail = b'"' + (b"," + rest[1:] if len(rest) > 2 else b"}") + b',"id":' + id_json(request_id) + b"}\n"
    return payload_request_head(method, name), payload, tail


@functools.lru_cache(maxsize=None)
def payload_request_head(method: str, name: str) -> bytes:
    """How payload_request_parts begins a request line, up to the opening quote of the payload string."""
    return _request_head(method) + b"{" + json_bytes(name) + b':"'


def payload_reply_head(request_id: int | float | str, name: str) -> bytes:
    """How a result reply whose first result member is the payload `name` begins, as the SDK writes it
    (result_reply_parts), up to the opening quote of the payload string."""
    return b'{"jsonrpc":"2.0","id":' + id_json(request_id) + b',"result":{' + json_bytes(name) + b':"'


SPLIT_PAYLOAD_BYTES = 4096
"""Lines shorter than this are parsed whole: taking the payload out first saves nothing there."""


def parse_split_payload(line: bytes, head: bytes, owner: str, name: str, codec: PayloadCodec) -> Any:
    """A long line beginning with `head` (payload_request_head, payload_reply_head), parsed with its payload string
    taken out first: the string's bytes go to the codec's strict decoder as a view of the line, the rest is parsed
    as JSON, and message[owner][name] holds the decoded payload (a DecodedPayload). The payload never becomes text
    or a JSON string: one copy less in time and two in memory. None for any other line, and for anything amiss (a
    second `name` anywhere, a byte the decoder refuses, a rest that is not JSON): parsed whole, such a line gets
    the outcome it deserves."""
    decode = codec.decode_view
    if decode is None or len(line) < SPLIT_PAYLOAD_BYTES or not line.startswith(head):
        return None
    closing = line.find(b'"', len(head))
    if closing < 0:
        return None
    rest = line[:len(head)] + line[closing:]
    if rest.count(json_bytes(name)) != 1:  # a duplicate or nested member of that name: json's own rules decide
        return None
    with memoryview(line)[len(head):closing] as payload:
        try:
            data = decode(payload)
            message = parse_text(line_text(rest))
        except (PayloadDecodeError, WireDecodeError):
            return None
        members = message.get(owner) if type(message) is dict else None
        if type(members) is not dict or members.get(name) != "":
            return None
        members[name] = DecodedPayload(str(payload[:4], "ascii"), data, len(payload))
    return message


def decode_message(line: bytes, max_values: int = MAX_LINE_VALUES) -> Any:
    """Parse one line (its trailing newline optional); WireDecodeError if it is not UTF-8 JSON, may hold more than
    `max_values` values, or is JSON this process cannot hold (a number over CPython's 4,300 digits, deep nesting)."""
    return parse_text(line_text(line, max_values))


def line_text(line: bytes, max_values: int = MAX_LINE_VALUES) -> str:
    """The first half of decode_message: the line as text, checked against `max_values` and UTF-8. A caller holding a
    long line drops it once it has the text, then calls parse_text: the line never coexists with what is parsed
    from it, so a payload's peak memory is two copies of its line rather than three."""
    if may_hold_more_values(line, max_values):
        raise WireDecodeError(f"may hold more than {max_values} JSON values (x-max-line-values)")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireDecodeError(f"not UTF-8 at byte {exc.start}") from None


def parse_text(text: str) -> Any:
    """The second half of decode_message: one JSON text parsed, every failure of the parser a WireDecodeError."""
    try:
        try:  # the scanner alone when the text is one value and nothing else (every line we read), as json does inside
            value, end = _scan(text, 0)
            if end == len(text):
                return value
        except (StopIteration, json.JSONDecodeError):
            pass
        return _DECODER.decode(text)  # whitespace around the value, or an error to report with its position
    except WireDecodeError:  # NaN, Infinity: raised by _reject_constant
        raise
    except json.JSONDecodeError as exc:
        raise WireDecodeError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise WireDecodeError("not JSON this implementation can hold: nested too deeply") from None
    except MemoryError:
        raise WireDecodeError("not JSON this implementation can hold: out of memory while parsing") from None
    except ValueError as exc:  # an integer over CPython's digit limit, or whatever else the parser refuses
        raise WireDecodeError(f"not JSON this implementation can hold: {exc}") from None


def may_hold_more_values(line: bytes, limit: int) -> bool:
    """Whether `line` may hold more than `limit` JSON values, from an upper bound on them: one, plus each ',' ':' '['
    outside strings, each string and each escaped quote inside one (every unit is a distinct byte, so a line shorter
    than `limit` is never scanned). Strings are skipped with find(), so a payload line costs a few memchr passes."""
    if len(line) < limit:
        return False
    units, at, end = 1, 0, len(line)
    while True:
        opening = line.find(b'"', at)
        gap_end = end if opening < 0 else opening
        for structural in (b",", b":", b"["):
            units += line.count(structural, at, gap_end)
            if units > limit:
                return True
        if opening < 0:
            return False
        units += 1
        at = opening + 1
        while True:  # on to the quote that closes the string, counting each escaped one on the way
            closing = line.find(b'"', at)
            if closing < 0:
                return units > limit
            escaped = line[closing - 1] == 0x5C and _backslashes_before(line, at, closing) % 2 == 1
            at = closing + 1
            if not escaped:
                break
            units += 1
            if units > limit:
                return True


def _backslashes_before(line: bytes, start: int, end: int) -> int:
    """How many backslashes end line[start:end]."""
    segment = line[start:end]
    return len(segment) - len(segment.rstrip(b"\\"))


def request(method: str, params: dict[str, Any], request_id: int | float | str) -> dict[str, Any]:
    """A request object."""
    return {"jsonrpc": JSONRPC, "method": method, "params": params, "id": request_id}


def result_reply(request_id: int | float | str, result: Any) -> dict[str, Any]:
    """A successful reply object."""
    return {"jsonrpc": JSONRPC, "id": request_id, "result": result}


def error_reply(request_id: int | float | str | None, code: int, message: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An error reply object; `data` is left out when there is none."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data:
        error["data"] = data
    return {"jsonrpc": JSONRPC, "id": request_id, "error": error}


def milliseconds_until(deadline: float) -> int:
    """Time left until a time.monotonic() deadline, as a poll() timeout: whole milliseconds, rounded up, >= 0."""
    return max(0, math.ceil((deadline - time.monotonic()) * 1000))


class LineReader:
    """Reads newline-terminated lines from a file descriptor, never holding more than `limit` bytes of one.

    `read_line(timeout)` returns the line without its newline, None at end of file, and ReadTimeout when
    a deadline passes (bytes read so far are kept for the next call). An overlong line raises LineTooLong:
    with `resync` (a server, which answers it and reads on) once its bytes are discarded up to its newline;
    without (a caller that ends the session on it) as soon as the limit is passed, so a line that never ends
    is named as overlong rather than waited on, and every later read raises it again.
    """

    def __init__(self, fd: int, limit: int = MAX_LINE_BYTES, resync: bool = True) -> None:
        self.fd = fd
        self.limit = limit
        self.resync = resync
        self._buffer = bytearray()
        self._scanned = 0
        self._discarding = False
        self._eof = False
        self._poll = select.poll()  # one poll object for the reader's life: no setup syscalls per read
        self._poll.register(fd, select.POLLIN)

    def read_line(self, timeout: float | None = None) -> bytes | None:
        if self._discarding and not self.resync:
            raise LineTooLong(self.limit)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                too_long = self._discarding or newline > self.limit
                return self._take(newline, too_long)
            self._scanned = len(self._buffer)
            if len(self._buffer) > self.limit:
                self._discarding = True
                self._buffer.clear()
                self._scanned = 0
                if not self.resync:
                    raise LineTooLong(self.limit)
            if self._eof:
                if self._discarding:
                    self._discarding = False
                    raise LineTooLong(self.limit)
                if self._buffer:
                    line = bytes(self._buffer)
                    self._buffer.clear()
                    self._scanned = 0
                    return line
                return None
            chunk = self._fill(deadline)
            if chunk is not None:
                return chunk

    def _take(self, newline: int, too_long: bool) -> bytes:
        """The line ending at `newline` (one copy out of the buffer), removed with its newline; a buffer that held
        more than one read's worth is let go, so a long line's memory is freed before the line is parsed."""
        if too_long:
            line = b""
        else:
            with memoryview(self._buffer) as view:
                line = bytes(view[:newline])
        if newline + 1 == len(self._buffer) and len(self._buffer) > READ_CHUNK:
            self._buffer = bytearray()
        else:
            del self._buffer[: newline + 1]
        self._scanned = 0
        if too_long:
            self._discarding = not self.resync
            raise LineTooLong(self.limit)
        return line

    def _fill(self, deadline: float | None) -> bytes | None:
        """Read once into the buffer; a read that brings exactly one whole line into an empty buffer (the usual
        reply or request) is that line, returned without going through the buffer."""
        if deadline is not None and not self._poll.poll(milliseconds_until(deadline)):
            raise ReadTimeout("no complete line before the deadline")
        chunk = os.read(self.fd, READ_CHUNK)
        if not chunk:
            self._eof = True
        elif not self._buffer and not self._discarding and chunk.find(b"\n") == len(chunk) - 1 < self.limit + 1:
            return chunk[:-1]
        else:
            self._buffer += chunk
        return None
