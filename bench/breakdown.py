"""Where a call and a payload byte spend their time: the pieces of our path timed one by one in one process
(`python -m bench.breakdown`), for the profile notes in bench/README.md. No pipes: what remains of a measured
call or transfer beyond these pieces is the pipe, the wake-ups and the loop around them."""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from typing import Any, Callable

from bench.subjects import LOOPBACK_DIR
from microtvm_project_api.protocol import checks, wire
from microtvm_project_api.protocol.payload import BASE64, BASE85

INFO_LINE = b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"0.18.0"},"id":1}'
WRITE_LINE = b'{"jsonrpc":"2.0","method":"write_transport","params":{"data":"Wg==","timeout_sec":null},"id":1}'
NULL_REPLY = b'{"jsonrpc":"2.0","id":1,"result":null}'
CHUNKS = (64 * 1024, 1024 * 1024)


def microseconds(operation: Callable[[], object], min_seconds: float = 0.2) -> float:
    """Mean microseconds of one run of `operation`."""
    operation()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds or runs < 3:
        operation()
        runs += 1
    return (time.perf_counter() - start) / runs * 1e6


def loopback_server() -> Any:
    """The SDK's loopback example as a Server object, transport open (requests are handed to it in-process)."""
    sys.path.insert(0, str(LOOPBACK_DIR))
    from microtvm_api_server import LoopbackHandler

    from microtvm_project_api.server_sdk.loop import Server

    server = Server(LoopbackHandler())
    server.handle_line(b'{"jsonrpc":"2.0","method":"open_transport","params":{"options":{}},"id":1}')
    return server


def per_call() -> dict[str, float]:
    """The pieces of one small call, server side then client side (microseconds)."""
    request = wire.decode_message(WRITE_LINE)
    reply = wire.decode_message(NULL_REPLY)
    server = loopback_server()
    read_line = b'{"jsonrpc":"2.0","method":"read_transport","params":{"n":1,"timeout_sec":null},"id":1}'
    return {
        "server: a whole server_info_query, line in, reply line out": microseconds(lambda: server.handle_line(INFO_LINE)),
        "server: a whole 1-byte write_transport and read_transport": microseconds(lambda: (server.handle_line(WRITE_LINE), server.handle_line(read_line))),
        "server: decode the request line (json)": microseconds(lambda: wire.decode_message(WRITE_LINE)),
        "server: validate write_transport params (compiled)": microseconds(lambda: checks.params_violations(2, "write_transport", request["params"])),
        "server: decode a 1-byte payload (base64)": microseconds(lambda: BASE64.decode("Wg==")),
        "server: reply line of a null result": microseconds(lambda: wire.result_reply_line(1, b"null")),
        "client: encode a request line": microseconds(lambda: wire.encode_message(wire.request("read_transport", {"n": 1, "timeout_sec": None}, 1))),
        "client: decode the reply line (json)": microseconds(lambda: wire.decode_message(NULL_REPLY)),
        "client: validate the reply envelope (compiled)": microseconds(lambda: checks.reply_violations("ResultReply", reply)),
        "plain pair, both sides: json.dumps + json.loads of request and reply": microseconds(
            lambda: (json.loads(json.dumps(request, separators=(",", ":"))), json.loads(json.dumps(reply, separators=(",", ":"))))),
    }


def per_byte(chunk: int) -> dict[str, float]:
    """The pieces of moving `chunk` payload bytes one way in revision 2, and revision 1's codec (nanoseconds per byte)."""
    data = os.urandom(chunk)
    encoded = BASE64.encode_bytes(data)
    parts = wire.payload_request_parts("write_transport", {"timeout_sec": None}, 1, "data", encoded)
    line = b"".join(parts)[:-1]
    text = encoded.decode("ascii")
    scale = 1e3 / chunk
    return {
        "base64 encode (client, or server for a read)": microseconds(lambda: BASE64.encode_bytes(data)) * scale,
        "base64 decode, strict (server, or client for a read)": microseconds(lambda: BASE64.decode(text)) * scale,
        "request line in parts around the payload (no copy)": microseconds(
            lambda: wire.payload_request_parts("write_transport", {"timeout_sec": None}, 1, "data", encoded)) * scale,
        "one copy of the line (bytes out of the read buffer)": microseconds(lambda: bytes(memoryview(line))) * scale,
        "decode the line (utf-8 and json)": microseconds(lambda: wire.decode_message(line)) * scale,
        "payload taken out, decoded strictly, the rest parsed (what the SDK does instead)": microseconds(
            lambda: wire.parse_split_payload(line, wire.payload_request_head("write_transport", "data"), "params", "data", BASE64))
        * scale,
        "json.dumps of the whole request (what splicing avoids)": microseconds(
            lambda: json.dumps({"jsonrpc": "2.0", "method": "write_transport", "params": {"data": text, "timeout_sec": None}, "id": 1},
                               separators=(",", ":"))) * scale,
        "base85 encode + decode, ours": microseconds(lambda: BASE85.decode(BASE85.encode(data))) * scale,
        "base85 encode + decode, stdlib (TVM's)": microseconds(lambda: base64.b85decode(base64.b85encode(data))) * scale,
    }


def measure() -> dict[str, dict[str, float]]:
    """Every piece, by section: per call in microseconds, per payload byte in nanoseconds."""
    return {"per call, in one process (us)": per_call(),
            **{f"per payload byte at {chunk >> 10} KiB chunks, in one process (ns per byte)": per_byte(chunk) for chunk in CHUNKS}}


def text(pieces: dict[str, dict[str, float]]) -> str:
    """The breakdown as printed."""
    return "\n".join(f"{section}\n" + "\n".join(f"  {value:8.3f}  {name}" for name, value in values.items()) for section, values in pieces.items())


if __name__ == "__main__":
    print(text(measure()))
