"""Fuzzing a real SDK server (the loopback example): requests generated from the spec, then mutated.

Every line gets exactly one reply that the spec allows (judged with jsonschema, independently of the
SDK's pydantic models), and the server keeps answering a valid request after every one of them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from fuzz_settings import FUZZ
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from spec_schemas import resolved
from wire_oracle import INVALID_REQUEST, PARSE_ERROR, REPLY_DEADLINE, check_reply, info_params, loopback_server

from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.wire import MAX_LINE_BYTES, MAX_LINE_VALUES, encode_message, request

REVISIONS = (1, 2)
ENVELOPE = ("jsonrpc", "method", "params", "id")
JSON_VALUES = (None, True, False, 0, -1, 7, 2.5, "", "text", [], [1, "a"], {}, {"k": 1})
HUGE_NUMBERS = ("1e400", "-1e400", "1" + "0" * 400, "-" + "9" * 400, "18446744073709551617", "1.7976931348623157e308", "5e-324",
                "1" * 5000, "-" + "9" * 6000)  # the last two: over CPython's 4,300-digit limit, a parse error
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xf8\x88\x80\x80\x80")
SENTINEL = "__RAW_JSON__"


@lru_cache(maxsize=None)
def params_strategy(revision: int, method: str) -> st.SearchStrategy[Any]:
    """Params the spec allows for `method`, from its schema (built once: building is slow)."""
    registry = default_registry()
    return from_schema(resolved(registry, registry.revision(revision).methods[method].params_ref))


def exchange(server: ServerProcess, line: bytes) -> bytes:
    """Send one line and read one reply line."""
    server.send_line(line + b"\n", REPLY_DEADLINE)
    return server.read_line(REPLY_DEADLINE)


def still_serving(server: ServerProcess, tag: int, revision: int) -> None:
    """The server answers a valid request next, with that request's id (so no extra reply was pending);
    close_transport puts the loopback back in its initial state (a read on an open, empty loopback waits out its timeout),
    and server_info_query back in `revision` (a fuzzed server_info_query may have chosen another)."""
    for method, params in (("close_transport", {}), ("server_info_query", info_params(revision))):
        reply = json.loads(exchange(server, encode_message(request(method, params, f"probe-{tag}")).rstrip(b"\n")))
        assert reply.get("id") == f"probe-{tag}" and "result" in reply, f"after the fuzzed line, {method} got {reply}"


@st.composite
def valid_requests(draw: st.DrawFn, revision: int, workdir: Path) -> dict[str, Any]:
    """A request the spec allows, paths of generate_project pointing inside the test's directory."""
    method = draw(st.sampled_from(sorted(default_registry().revision(revision).methods)))
    params = draw(params_strategy(revision, method))
    if method == "generate_project":
        params.update(model_library_format_path=str(workdir / "missing.tar"), standalone_crt_dir=str(workdir / "crt"),
                      project_dir=str(workdir / "generated" / draw(st.sampled_from(("a", "b", "c")))))
    request_id = draw(st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=20)))
    return request(method, params, request_id)


def _raw(message: dict[str, Any], raw: str) -> bytes:
    """The encoded message with the one SENTINEL string replaced by raw JSON text."""
    return encode_message(message).rstrip(b"\n").replace(json.dumps(SENTINEL).encode(), raw.encode())


@st.composite
def mutated_lines(draw: st.DrawFn, revision: int, workdir: Path) -> bytes:
    """A valid request broken in one way (the line has no newline of its own)."""
    message = draw(valid_requests(revision, workdir))
    params = message["params"]
    kind = draw(st.sampled_from(("wrong_type", "missing", "extra", "huge_number", "deep_nesting", "invalid_utf8",
                                 "truncated", "very_long", "not_a_request", "lone_surrogate")))
    target = draw(st.sampled_from(sorted(params) or ENVELOPE)) if draw(st.booleans()) else draw(st.sampled_from(ENVELOPE))
    holder = params if target in params else message
    if kind == "wrong_type":
        holder[target] = draw(st.sampled_from(JSON_VALUES))
    elif kind == "missing":
        del holder[target]
    elif kind == "extra":
        holder[draw(st.sampled_from(("extra", "n", "data", "Options", "ID")))] = draw(st.sampled_from(JSON_VALUES))
    elif kind == "huge_number":
        holder[target] = SENTINEL
        return _raw(message, draw(st.sampled_from(HUGE_NUMBERS)))
    elif kind == "deep_nesting":
        depth = draw(st.sampled_from((64, 500, 100_000)))
        holder[target] = SENTINEL
        return _raw(message, "[" * depth + "]" * depth if draw(st.booleans()) else '{"a":' * depth + "1" + "}" * depth)
    elif kind == "invalid_utf8":
        line = encode_message(message).rstrip(b"\n")
        at = draw(st.integers(0, len(line)))
        return line[:at] + draw(st.sampled_from(INVALID_UTF8)) + line[at:]
    elif kind == "truncated":
        line = encode_message(message).rstrip(b"\n")
        return line[: draw(st.integers(0, len(line) - 1))]
    elif kind == "very_long":
        holder[target] = "A" * draw(st.integers(1 << 16, 8 << 20))
    elif kind == "not_a_request":
        return json.dumps(draw(st.sampled_from(([message], [], 1, "request", None, [1, 2])))).encode()
    else:
        holder[target] = "\ud800" + str(holder.get(target, ""))
    return encode_message(message).rstrip(b"\n")


def fuzz_one_server(revision: int, tmp_path: Path, lines: st.SearchStrategy[bytes], max_examples: int) -> None:
    """Send every drawn line to one loopback server: one reply the spec allows each, then a probe answered."""
    with loopback_server(tmp_path / "server", revision) as server:
        tags = iter(range(10**9))

        @settings(FUZZ, max_examples=max_examples)
        @given(lines)
        def check(line: bytes) -> None:
            reply = check_reply(revision, line, exchange(server, line))
            event(f"error {reply['error']['code']}" if "error" in reply else "result")
            still_serving(server, next(tags), revision)

        check()


@pytest.mark.parametrize("revision", REVISIONS)
def test_every_valid_request_gets_one_reply_the_spec_allows(revision: int, tmp_path: Path) -> None:
    lines = valid_requests(revision, tmp_path).map(lambda message: encode_message(message).rstrip(b"\n"))
    fuzz_one_server(revision, tmp_path, lines, 60)


@pytest.mark.parametrize("revision", REVISIONS)
def test_every_mutated_request_gets_one_reply_the_spec_allows(revision: int, tmp_path: Path) -> None:
    fuzz_one_server(revision, tmp_path, mutated_lines(revision, tmp_path), 150)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"", PARSE_ERROR),
        (b"\xff\xfe", PARSE_ERROR),
        (b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"x"},"id":1', PARSE_ERROR),
        (b"[" * 100_000 + b"]" * 100_000, PARSE_ERROR),
        (b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":NaN},"id":1}', PARSE_ERROR),
        (b'{"jsonrpc":"2.0","method":"nope","params":{},"id":"\\ud800"}', -32601),
        (b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"x"},"id":true}', INVALID_REQUEST),
        (b'{"jsonrpc":"2.0","method":"read_transport","params":{"n":true,"timeout_sec":0},"id":3}', -32602),
        (b'{"jsonrpc":"2.0","method":"read_transport","params":{"n":1e400,"timeout_sec":0},"id":4}', -32602),
        (b'{"jsonrpc":"2.0","method":"read_transport","params":{"n":1,"timeout_sec":-1e400},"id":5}', -32602),
    ],
)
def test_known_hostile_lines_get_the_exact_error(line: bytes, code: int, tmp_path: Path) -> None:
    with loopback_server(tmp_path / "server", 2) as server:
        reply = check_reply(2, line, exchange(server, line))
        assert reply["error"]["code"] == code
        still_serving(server, 0, 2)


def test_a_line_over_the_bound_is_discarded_and_answered(tmp_path: Path) -> None:
    with loopback_server(tmp_path / "server", 2) as server:
        reply = json.loads(exchange(server, b'{"x":"' + b"A" * MAX_LINE_BYTES + b'"}'))
        assert reply == {"jsonrpc": "2.0", "id": None, "error": reply["error"]} and reply["error"]["code"] == INVALID_REQUEST
        still_serving(server, 0, 2)


def peak_memory_bytes(pid: int) -> int:
    """The peak resident memory of process `pid` so far (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


UNHOLDABLE_LINES = {
    "5000-digit parameter": b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":' + b"1" * 5000 + b'},"id":1}',
    "5000-digit id": b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"x"},"id":' + b"7" * 5000 + b"}",
    "a million values and one": b'{"jsonrpc":"2.0","method":"build","params":{"options":{"x":[' + b"0," * MAX_LINE_VALUES + b'0]}},"id":2}',
    "64 MiB of [],": b"[" + b"[]," * (MAX_LINE_BYTES // 3 - 1) + b"[]]",
}


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_line_the_parser_cannot_hold_is_a_parse_error_and_costs_little_memory(revision: int, tmp_path: Path) -> None:
    """Numbers over CPython's digit limit and lines over x-max-line-values: -32700 with id null, the server keeps
    serving, and the 64 MiB line of empty arrays (1.7 GiB once parsed) costs at most 3x its bytes."""
    with loopback_server(tmp_path / "server", revision) as server:
        still_serving(server, 0, revision)
        idle = peak_memory_bytes(server.process.pid)
        for tag, (name, line) in enumerate(UNHOLDABLE_LINES.items(), 1):
            reply = check_reply(revision, line, exchange(server, line))
            assert (reply["id"], reply["error"]["code"]) == (None, PARSE_ERROR), name
            still_serving(server, tag, revision)
        assert peak_memory_bytes(server.process.pid) - idle < 3 * MAX_LINE_BYTES
