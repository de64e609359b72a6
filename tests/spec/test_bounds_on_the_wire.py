"""A bound added to the schema is a bound on the wire: `maximum` on read_transport's `n` and `maxLength` on the payload
type, added to a copy of the package and regenerated there with `make generate`'s tools/generate.py (models, validators
and reference docs, then current by `--check`), make an SDK server run from that copy answer -32602 to a request that
breaks them. The payload bound holds on both of the SDK's paths: a
short write_transport line parsed whole, and a long one as the typed client writes it, whose payload is taken out of
the line and decoded before the rest is parsed (wire.parse_split_payload)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from schema_copies import ROOT, copy_package, put

from microtvm_project_api.protocol import wire
from microtvm_project_api.protocol.payload import BASE64

MAX_N = 65536
MAX_DATA = 100


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package whose schema bounds n and payload strings, regenerated; the copy's root."""
    site = tmp_path_factory.mktemp("site")
    package = copy_package(site)
    put(package / "schema", "methods/read_transport.json", "/$defs/ReadTransportParams/properties/n/maximum", MAX_N)
    put(package / "schema", "types.json", "/$defs/Base64Bytes/maxLength", MAX_DATA)
    put(package / "schema", "types.json", "/$defs/NonEmptyBase64Bytes/maxLength", MAX_DATA)  # what a read reply carries
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, str(package / "tools" / "generate.py")], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "le=65536" in (package / "generated" / "models.py").read_text()
    assert "max_length=100" in (package / "generated" / "models.py").read_text()
    assert "<= 65536" in (package / "docs" / "reference" / "v2.md").read_text()
    check = subprocess.run([sys.executable, str(package / "tools" / "generate.py"), "--check"], env=env, capture_output=True, text=True, timeout=180)
    assert check.returncode == 0, check.stdout + check.stderr  # what `make check` holds the generated files to
    return site


@pytest.fixture
def server(bounded: Path, tmp_path: Path) -> Iterator[Any]:
    """The loopback example served by the copy's SDK over real pipes: a function sending one line, returning the reply."""
    project = tmp_path / "loopback"
    project.mkdir()
    shutil.copy(ROOT / "examples" / "loopback" / "microtvm_api_server.py", project)
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    env = {**os.environ, "PYTHONPATH": str(bounded), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen([sys.executable, "microtvm_api_server.py", "--read-fd", str(request_read), "--write-fd", str(reply_write)],
                               cwd=project, env=env, pass_fds=(request_read, reply_write), stderr=subprocess.PIPE)
    os.close(request_read)
    os.close(reply_write)
    reader = wire.LineReader(reply_read)

    def call(*parts: bytes) -> Any:
        for part in parts:
            os.write(request_write, part)
        line = reader.read_line(30.0)
        assert line is not None, process.stderr.read() if process.stderr else ""
        return json.loads(line)

    try:
        assert call(wire.request_line("server_info_query", {"tvm_version": "0.18.0", "protocol_versions": [2]}, 1))["result"]["protocol_version"] == 2
        assert "result" in call(wire.request_line("open_transport", {"options": {}}, 2))
        yield call
    finally:
        os.close(request_write)
        assert process.wait(30) == 0
        os.close(reply_read)
        if process.stderr:
            process.stderr.close()


def _error(reply: dict[str, Any]) -> tuple[int, str]:
    return reply["error"]["code"], reply["error"]["message"]


def test_n_over_the_schema_maximum_is_refused_by_the_sdk(server: Any) -> None:
    reply = server(wire.request_line("read_transport", {"n": MAX_N + 1, "timeout_sec": 0}, 3))
    assert _error(reply) == (-32602, "read_transport: /n: Input should be less than or equal to 65536")
    assert _error(server(wire.request_line("read_transport", {"n": MAX_N, "timeout_sec": 0}, 4)))[1] == "IoTimeoutError"


def test_a_payload_over_the_schema_max_length_is_refused_on_both_paths(server: Any) -> None:
    too_long = "write_transport: /data: String should have at most 100 characters"
    fits = BASE64.encode(b"x" * 75)
    assert len(fits) == MAX_DATA
    assert server(wire.request_line("write_transport", {"data": fits, "timeout_sec": None}, 5)) == {"jsonrpc": "2.0", "id": 5, "result": None}
    short = wire.request_line("write_transport", {"data": BASE64.encode(b"y" * 78), "timeout_sec": None}, 6)
    assert _error(server(short)) == (-32602, too_long)
    payload = base64.b64encode(b"z" * 6000)
    long = wire.payload_request_parts("write_transport", {"timeout_sec": None}, 7, "data", payload)
    spliced = wire.parse_split_payload(b"".join(long)[:-1], wire.payload_request_head("write_transport", "data"), "params", "data", BASE64)
    assert spliced is not None and len(spliced["params"]["data"]) == len(payload)  # the path taken: payload out first
    assert _error(server(*long)) == (-32602, too_long)
    read = server(wire.request_line("read_transport", {"n": MAX_N, "timeout_sec": 0}, 8))
    assert base64.b64decode(read["result"]["data"]) == b"x" * 75  # only the payload that kept the bound was written


def test_a_read_reply_over_the_schema_max_length_is_the_server_s_internal_error(server: Any) -> None:
    """The SDK encodes a read's bytes itself: text longer than the payload type allows is not sent but answered -32603,
    since the handler returned more than the spec lets a reply carry."""
    for request_id in (9, 10):
        chunk = wire.request_line("write_transport", {"data": BASE64.encode(b"w" * 75), "timeout_sec": None}, request_id)
        assert server(chunk)["result"] is None
    reply = server(wire.request_line("read_transport", {"n": 150, "timeout_sec": 0}, 11))
    assert _error(reply) == (-32603, "read_transport returned an invalid result: /data: String should have at most 100 characters")
