"""A long write_transport request as the typed client writes it is parsed with its payload taken out and decoded
first (wire.parse_split_payload). The outcome must be the one parsing the whole line gives, for every line: these
send long write requests over real pipes, some that take the split path and some that must fall back to the whole
parse, and check the exact reply and the bytes the device got."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.payload import BASE64, DecodedPayload
from microtvm_project_api.server_sdk.loop import Server

DATA = os.urandom(12_000)
TEXT = base64.b64encode(DATA).decode()
HEAD = wire.payload_request_head("write_transport", "data").decode()


def line(payload: str, rest: str = ',"timeout_sec":null},"id":7}') -> bytes:
    return (HEAD + payload + '"' + rest).encode()


def whole_parse_reply(loopback_dir: Path, request_line: bytes) -> dict[str, Any]:
    """The reply the SDK gives `request_line` parsed whole (Server.handle_line never splits), on an open loopback."""
    spec = importlib.util.spec_from_file_location("loopback_example_server", loopback_dir / "microtvm_api_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)  # not under its file's name: no other test's import finds it
    sys.modules[spec.name] = module  # the handler finds its own file through its module
    spec.loader.exec_module(module)
    server = Server(module.LoopbackHandler())
    server.handle_line(b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"0.18.0","protocol_versions":[2]},"id":1}')
    server.handle_line(b'{"jsonrpc":"2.0","method":"open_transport","params":{"options":{}},"id":2}')
    return json.loads(server.handle_line(request_line))


OUTSIDE = TEXT[:5000] + "*" + TEXT[5001:]
LINES = {
    "split": (line(TEXT), None),
    "an escaped solidus (valid JSON)": (line(TEXT.replace("/", "\\/", 1)), None),
    "a character outside the alphabet": (line(OUTSIDE), -32602),
    "a raw control character": (line(TEXT[:5000] + "\x01" + TEXT[5001:]), -32700),
    "an extra param": (line(TEXT, ',"timeout_sec":null,"x":1},"id":7}'), -32602),
    "a wrong timeout": (line(TEXT, ',"timeout_sec":"soon"},"id":7}'), -32602),
    "the rest cut short": (line(TEXT, ',"timeout_sec":null'), -32700),
    "a nested data member": (line(TEXT, ',"timeout_sec":{"data":""}},"id":7}'), -32602),
    "a duplicate data member (the last wins)": (line(TEXT, ',"data":"QUJD","timeout_sec":null},"id":7}'), None),
}


@pytest.mark.parametrize("name", list(LINES))
def test_a_long_write_gets_the_reply_the_whole_line_gets(start, loopback_dir, name) -> None:
    request_line, code = LINES[name]
    expected = whole_parse_reply(loopback_dir, request_line)
    assert (expected["error"]["code"] if "error" in expected else None) == code, expected
    server = start(loopback_dir)
    server.result("open_transport", {"options": {}})
    assert server.send(request_line) == expected
    if code is None:
        written = base64.b64decode(wire.decode_message(request_line)["params"]["data"])
        assert base64.b64decode(server.result("read_transport", {"n": len(DATA), "timeout_sec": 1})["data"]) == written


def test_the_split_parse_gives_the_whole_parse_with_the_payload_decoded() -> None:
    request_line = line(TEXT)
    split = wire.parse_split_payload(request_line, HEAD.encode(), "params", "data", BASE64)
    whole = wire.decode_message(request_line)
    payload = split["params"]["data"]
    assert type(payload) is DecodedPayload and payload.data == DATA and BASE64.decode(payload) == DATA and payload == TEXT[:4]
    assert {**split, "params": {**split["params"], "data": TEXT}} == whole
    for other in (request_line[:4000], request_line.replace(b'{"data"', b'{ "data"'), line(TEXT, ',"timeout_sec":{"data":""}},"id":7}')):
        assert wire.parse_split_payload(other, HEAD.encode(), "params", "data", BASE64) is None
