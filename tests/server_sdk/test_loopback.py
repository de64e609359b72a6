"""The loopback example over real pipes: transport state, 16 MiB intact in both revisions, project generation,
and a revision 1 session written byte for byte like TVM's shipped client."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from microtvm_project_api.protocol.registry import default_registry

SIXTEEN_MIB = 16 * 1024 * 1024


def make_archive(path: Path) -> Path:
    """A small valid Model Library Format archive."""
    source = path.parent / "mlf-source"
    (source / "codegen" / "host" / "src").mkdir(parents=True)
    (source / "metadata.json").write_text(json.dumps({"version": 7, "modules": {}}))
    (source / "codegen" / "host" / "src" / "default_lib0.c").write_text("int x;\n")
    with tarfile.open(path, "w") as tar:
        tar.add(source, arcname=".")
    return path


@pytest.mark.parametrize("revision", [1, 2])
def test_sixteen_mib_of_random_bytes_come_back_intact(start, loopback_dir, revision):
    server = start(loopback_dir, revision)
    codec = default_registry().revision(revision).codec
    payload = os.urandom(SIXTEEN_MIB)
    server.result("open_transport", {"options": {}})
    assert server.result("write_transport", {"data": codec.encode(payload), "timeout_sec": None}) is None
    received = bytearray()
    while len(received) < SIXTEEN_MIB:
        received += codec.decode(server.result("read_transport", {"n": SIXTEEN_MIB, "timeout_sec": 5})["data"])
    assert received == payload
    peak_kib = int(next(line for line in open(f"/proc/{server.process.pid}/status") if line.startswith("VmHWM")).split()[1])
    assert peak_kib < 400 * 1024, f"server peak RSS {peak_kib} KiB for a 16 MiB round trip"


@pytest.mark.parametrize("revision", [1, 2])
def test_transport_state(start, loopback_dir, revision):
    server = start(loopback_dir, revision)
    closed = {"code": -32000, "message": "TransportClosedError", "data": {"detail": "the transport is not open"}}
    assert server.error("read_transport", {"n": 1, "timeout_sec": 0}) == closed
    assert server.error("write_transport", {"data": "", "timeout_sec": 0}) == closed
    assert server.result("close_transport", {}) is None
    assert server.result("open_transport", {"options": {"verbose": True}})["timeouts"]["session_start_timeout_sec"] == 5.0
    assert server.error("read_transport", {"n": 1, "timeout_sec": 0}) == {
        "code": -32000, "message": "IoTimeoutError", "data": {"detail": "no byte to read within 0.0 s"}}
    assert server.result("close_transport", {}) is None
    assert server.result("close_transport", {}) is None
    assert server.error("read_transport", {"n": 1, "timeout_sec": None}) == closed


def test_revision_1_payload_that_matches_the_pattern_but_is_not_base85(start, loopback_dir):
    server = start(loopback_dir, 1)
    server.result("open_transport", {"options": {}})
    assert server.error("write_transport", {"data": "~~~~~", "timeout_sec": None}) == {
        "code": -32602, "message": "write_transport: /data: not base85: base85 overflow in hunk starting at byte 0"}


@pytest.mark.parametrize("revision", [1, 2])
def test_template_generates_a_project_that_is_not_a_template(start, loopback_dir, tmp_path, revision):
    archive = make_archive(tmp_path / "model.tar")
    template = start(loopback_dir, revision)
    assert template.info()["is_template"] is True
    project = tmp_path / "project"
    params = {"model_library_format_path": str(archive), "standalone_crt_dir": str(tmp_path), "project_dir": str(project),
              "options": {}}
    assert template.result("generate_project", params) is None
    assert (project / "model" / "codegen" / "host" / "src" / "default_lib0.c").read_text() == "int x;\n"
    error = template.error("generate_project", params)
    assert (error["code"], error["message"].split(":")[0]) == (-32000, "[Errno 17] File exists")
    generated = start(project, revision)
    info = generated.info()
    assert (info["is_template"], info["model_library_format_path"]) == (False, str(project / "model.tar"))
    if revision == 2:
        assert "generate_project" not in info["supported_methods"]
    detail = "a generated project does not serve generate_project; its template does"
    expected = ({"code": -32000, "message": "MethodNotSupportedError", "data": {"detail": detail}} if revision == 2
                else {"code": -32000, "message": detail})
    assert generated.error("generate_project", {**params, "project_dir": str(tmp_path / "again")}) == expected
    assert generated.error("flash", {"options": {}})["message"] == "nothing to flash: call build first"
    assert generated.result("build", {"options": {"build_type": "debug"}}) is None
    assert (project / "build" / "build_type").read_text() == "debug"
    assert generated.result("flash", {"options": {}}) is None


def test_malicious_archive_is_refused_and_nothing_is_created(start, loopback_dir, tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        member = tarfile.TarInfo("../escaped.txt")
        member.size = 0
        tar.addfile(member)
    server = start(loopback_dir)
    project = tmp_path / "project"
    error = server.error("generate_project", {"model_library_format_path": str(archive), "standalone_crt_dir": str(tmp_path),
                                              "project_dir": str(project), "options": {}})
    assert (error["code"], error["message"]) == (-32000, "../escaped.txt: path '../escaped.txt' contains '..'")
    assert not project.exists() and not (tmp_path / "escaped.txt").exists()


def tvm_line(method: str, params: dict, request_id: int) -> bytes:
    """A request exactly as TVM's shipped client writes it: json.dumps with default separators, integer ids."""
    return json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}).encode() + b"\n"


def test_revision_1_session_written_like_tvms_client(start, loopback_dir, tmp_path):
    import base64

    archive = make_archive(tmp_path / "model.tar")
    project = tmp_path / "project"
    template = start(loopback_dir, agree=False)  # no handshake: the session is TVM's client's from its first line
    sequence = [
        (template, "server_info_query", {"tvm_version": "0.18.0"}),
        (template, "generate_project", {"model_library_format_path": str(archive), "standalone_crt_dir": str(tmp_path),
                                        "project_dir": str(project), "options": {"verbose": False}}),
    ]
    for request_id, (server, method, params) in enumerate(sequence, 1):
        reply = server.send(tvm_line(method, params, request_id))
        assert reply["id"] == request_id and "result" in reply, reply
        assert default_registry().validate_result(1, method, reply["result"]) == []
    generated = start(project, agree=False)
    options = {"verbose": False, "build_type": "release"}
    sequence = [
        ("server_info_query", {"tvm_version": "0.18.0"}),
        ("build", {"options": options}),
        ("flash", {"options": options}),
        ("open_transport", {"options": options}),
        ("write_transport", {"data": base64.b85encode(b"\x00\x01rpc frame\xff").decode(), "timeout_sec": 5.0}),
        ("read_transport", {"n": 128, "timeout_sec": 5.0}),
        ("close_transport", {}),
    ]
    for request_id, (method, params) in enumerate(sequence, 1):
        reply = generated.send(tvm_line(method, params, request_id))
        assert set(reply) == {"jsonrpc", "id", "result"} and reply["id"] == request_id, reply
        assert default_registry().validate_result(1, method, reply["result"]) == [], (method, reply)
        if method == "read_transport":
            assert base64.b85decode(reply["result"]["data"]) == b"\x00\x01rpc frame\xff"
        if method == "server_info_query":
            assert reply["result"]["protocol_version"] == 1 and reply["result"]["is_template"] is False
    assert generated.close() == 0


def test_handler_in_a_library_copies_the_running_script(start, loopback_dir, tmp_path):
    """A server script that imports its handler from a library: generate_project copies the script, not the library."""
    template = tmp_path / "template"
    template.mkdir()
    (template / "loopback_lib.py").write_text((loopback_dir / "microtvm_api_server.py").read_text())
    script = "import sys\nfrom loopback_lib import LoopbackHandler, main\nsys.exit(main(LoopbackHandler))\n"
    (template / "microtvm_api_server.py").write_text(script)
    archive = make_archive(tmp_path / "model.tar")
    server = start(template)
    assert server.result("generate_project", {"model_library_format_path": str(archive), "standalone_crt_dir": str(tmp_path),
                                              "project_dir": str(tmp_path / "project"), "options": {}}) is None
    assert (tmp_path / "project" / "microtvm_api_server.py").read_text() == script
