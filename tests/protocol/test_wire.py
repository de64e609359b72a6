"""Line framing over a real pipe: bounded lines, deadlines, end of file, strict decoding."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microtvm_project_api.protocol import wire


@pytest.fixture
def pipe():
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        try:
            os.close(fd)
        except OSError:
            pass


def test_lines_split_across_writes_are_reassembled(pipe) -> None:
    read_fd, write_fd = pipe
    os.write(write_fd, b'{"a":')
    os.write(write_fd, b'1}\n{"b":2}\n')
    reader = wire.LineReader(read_fd)
    assert reader.read_line(1) == b'{"a":1}'
    assert reader.read_line(1) == b'{"b":2}'


def test_end_of_file_returns_none(pipe) -> None:
    read_fd, write_fd = pipe
    os.close(write_fd)
    assert wire.LineReader(read_fd).read_line(1) is None


def test_deadline_raises_read_timeout_and_keeps_partial_bytes(pipe) -> None:
    read_fd, write_fd = pipe
    reader = wire.LineReader(read_fd)
    os.write(write_fd, b"partial")
    with pytest.raises(wire.ReadTimeout):
        reader.read_line(0.05)
    os.write(write_fd, b" line\n")
    assert reader.read_line(1) == b"partial line"


def test_overlong_line_is_discarded_and_the_next_line_is_read(pipe) -> None:
    read_fd, write_fd = pipe
    reader = wire.LineReader(read_fd, limit=1000)

    def writer() -> None:
        os.write(write_fd, b"x" * 50_000 + b"\n" + b'{"ok":true}\n')

    thread = threading.Thread(target=writer)
    thread.start()
    with pytest.raises(wire.LineTooLong):
        reader.read_line(5)
    assert reader.read_line(5) == b'{"ok":true}'
    thread.join()
    assert len(reader._buffer) <= 1000 + wire.READ_CHUNK


def test_without_resync_a_line_that_never_ends_raises_at_the_bound_and_the_reader_stays_spent(pipe) -> None:
    read_fd, write_fd = pipe
    reader = wire.LineReader(read_fd, limit=1000, resync=False)
    os.write(write_fd, b"x" * 1500)  # no newline, ever: with resync the reader would wait for one
    with pytest.raises(wire.LineTooLong, match="line longer than 1000 bytes"):
        reader.read_line(None)
    os.write(write_fd, b'\n{"ok":true}\n')
    with pytest.raises(wire.LineTooLong):
        reader.read_line(1)


@pytest.mark.parametrize("line,reason", [
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{", "not JSON"),
    (b'{"a": NaN}', "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
])
def test_decode_rejects_what_is_not_utf8_json(line: bytes, reason: str) -> None:
    with pytest.raises(wire.WireDecodeError, match=reason):
        wire.decode_message(line)


@pytest.mark.parametrize("line", [
    b'{"a":' + b"1" * 5000 + b"}",
    b"[" + b"-" + b"9" * 6000 + b"]",
    b'{"jsonrpc":"2.0","id":' + b"7" * 4301 + b"}",
], ids=["5000-digits", "negative-6000-digits", "id-4301-digits"])
def test_a_number_the_parser_cannot_hold_is_a_parse_error(line: bytes) -> None:
    with pytest.raises(wire.WireDecodeError, match="^not JSON this implementation can hold: "):
        wire.decode_message(line)


@pytest.mark.parametrize("line,values", [
    (b"[1,2]", 3),
    (b'{"a":1}', 3),
    (b'["a,b:c[d"]', 3),
    (b'["\\\\"]', 3),
    (b'["\\"",1]', 5),
])
def test_a_line_over_the_value_bound_is_a_parse_error_and_one_at_it_is_not(line: bytes, values: int) -> None:
    """Commas, colons and brackets inside strings are not counted; an escaped quote is."""
    wire.decode_message(line, max_values=values)
    with pytest.raises(wire.WireDecodeError, match=f"^may hold more than {values - 1} JSON values"):
        wire.decode_message(line, max_values=values - 1)


def test_the_default_value_bound_refuses_a_million_values_and_one() -> None:
    at_bound = b"[" + b"0," * (wire.MAX_LINE_VALUES - 2) + b"0]"  # the array and its elements
    assert len(wire.decode_message(at_bound)) == wire.MAX_LINE_VALUES - 1
    with pytest.raises(wire.WireDecodeError, match="may hold more than 1000000 JSON values"):
        wire.decode_message(b"[" + b"0," * (wire.MAX_LINE_VALUES - 1) + b"0]")


def _values(value: Any) -> int:
    """The JSON values in `value`, object member names included."""
    if isinstance(value, list):
        return 1 + sum(map(_values, value))
    if isinstance(value, dict):
        return 1 + sum(1 + _values(item) for item in value.values())
    return 1


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet='ab,:[]{}"\\\n'),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='k,:["\\'), inner, max_size=4),
                    max_leaves=30)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON, st.booleans())
def test_the_value_count_is_an_upper_bound(value: Any, ascii_only: bool) -> None:
    line = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert wire.may_hold_more_values(line, _values(value) - 1)


def test_encode_is_one_compact_utf8_line() -> None:
    line = wire.encode_message(wire.request("build", {"options": {"name": "na\nme é"}}, 7))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert wire.decode_message(line) == {"jsonrpc": "2.0", "method": "build", "params": {"options": {"name": "na\nme é"}}, "id": 7}
    with pytest.raises(ValueError):
        wire.encode_message({"x": float("nan")})


@pytest.mark.parametrize("request_id", [7, -1, 2**70, 1.0, "", "é", "\ud800 lone surrogate"], ids=repr)
def test_result_reply_line_is_the_reply_encode_message_writes(request_id) -> None:
    result = {"data": "AAAA", "nested": ["é", None]}
    line = wire.result_reply_line(request_id, wire.encode_message(result)[:-1])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert wire.decode_message(line) == wire.decode_message(wire.encode_message(wire.result_reply(request_id, result)))


@pytest.mark.parametrize("params", [{}, {"timeout_sec": None}, {"timeout_sec": 0.5, "note": "é"}], ids=repr)
@pytest.mark.parametrize("request_id", [7, 2**70, "", "\ud800 lone surrogate"], ids=repr)
def test_payload_request_parts_splice_the_payload_into_the_request_encode_message_writes(params, request_id) -> None:
    parts = wire.payload_request_parts("write_transport", params, request_id, "data", b"QUJD+/==")
    line = b"".join(parts)
    assert parts[1] == b"QUJD+/==" and line.endswith(b"\n") and line.count(b"\n") == 1
    expected = wire.request("write_transport", {"data": "QUJD+/==", **params}, request_id)
    assert wire.decode_message(line) == wire.decode_message(wire.encode_message(expected))


def test_a_line_of_many_reads_comes_back_whole_and_the_next_one_after_it() -> None:
    read_fd, write_fd = os.pipe()
    reader = wire.LineReader(read_fd)
    payload = b"x" * (5 * wire.READ_CHUNK)

    def writer() -> None:
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload + b"\nnext\n")

    thread = threading.Thread(target=writer)
    thread.start()
    assert reader.read_line(10) == payload
    assert reader.read_line(10) == b"next"
    assert reader.read_line(10) is None
    thread.join()
    os.close(read_fd)


@pytest.mark.parametrize("params", [{}, {"n": 1, "timeout_sec": None}, {"options": {"name": "na\nme é", "s": "\ud800"}}], ids=repr)
@pytest.mark.parametrize("request_id", [7, 2**70, "", "é", "\ud800 lone surrogate"], ids=repr)
def test_request_line_is_the_line_encode_message_writes(params, request_id) -> None:
    line = wire.request_line("build", params, request_id)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert wire.decode_message(line) == wire.decode_message(wire.encode_message(wire.request("build", params, request_id)))


def test_a_short_line_in_parts_is_joined_and_a_long_one_left_in_parts() -> None:
    assert wire.coalesced((b"ab", b"cd", b"\n")) == (b"abcd\n",)
    long = (b"x" * wire.JOIN_BYTES, b"\n")
    assert wire.coalesced(long) is long


def test_a_value_with_whitespace_around_it_is_parsed_and_anything_after_it_is_a_parse_error() -> None:
    assert wire.decode_message(b' \t{"a":[1,"x"]} \r\n') == {"a": [1, "x"]}
    with pytest.raises(wire.WireDecodeError, match="^not JSON: Extra data at line 1 column 9$"):
        wire.decode_message(b'{"a":1} x')
    with pytest.raises(wire.WireDecodeError, match="^not JSON: Expecting value at line 1 column 1$"):
        wire.decode_message(b"")


def test_the_encoder_built_once_refuses_what_is_not_json_and_stays_usable() -> None:
    circular: dict[str, object] = {}
    circular["self"] = circular
    with pytest.raises(ValueError, match="circular"):
        wire.encode_message(circular)
    with pytest.raises(TypeError, match="not JSON serializable"):
        wire.encode_message({"a": [object()]})
    with pytest.raises(ValueError, match="not JSON compliant"):
        wire.encode_message({"a": float("nan")})
    shared = [1]
    assert wire.encode_message({"a": shared, "b": shared, "\ud800": "é"}) == '{"a":[1],"b":[1],"\\ud800":"\\u00e9"}\n'.encode()
