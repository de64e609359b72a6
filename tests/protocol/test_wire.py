"""Line framing over a real pipe: bounded lines, deadlines, end of file, strict decoding."""

from __future__ import annotations

import os
import threading

import pytest

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


@pytest.mark.parametrize("line,reason", [
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{", "not JSON"),
    (b'{"a": NaN}', "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
])
def test_decode_rejects_what_is_not_utf8_json(line: bytes, reason: str) -> None:
    with pytest.raises(wire.WireDecodeError, match=reason):
        wire.decode_message(line)


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
