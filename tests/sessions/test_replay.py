"""`microtvm-project replay`: the golden sessions replay against the reference platforms with no divergence; a copy
with one defect shows the defective reply as the first divergence, with the request and both replies."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from golden_sessions import GOLDEN, inputs, record_session

from microtvm_project_api.protocol.errors import RemoteError
from microtvm_project_api.protocol.transcript import Digest
from microtvm_project_api.sessions.equivalence import Difference, compare_replies
from microtvm_project_api.sessions.replay import ReplayError, ReplaySettings, replay_file

CLI = [sys.executable, "-m", "microtvm_project_api.cli.main"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOOPBACK_GOLDEN = GOLDEN / "loopback" / "tvm_shaped_client.jsonl"
HOST_GOLDEN = GOLDEN / "host" / "tvm_shaped_client.jsonl"
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="the host platform builds its firmware with cc")


def settings(platform: str, folder: Path, **extra) -> ReplaySettings:
    mlf, crt = inputs(platform, folder)
    return ReplaySettings(mlf=mlf, standalone_crt_dir=crt, timeout=120.0, **extra)


def with_defect(platform_copy, platform: str, old: str, new: str) -> Path:
    copy = platform_copy(platform)
    server = copy / "microtvm_api_server.py"
    text = server.read_text()
    assert text.count(old) == 1
    server.write_text(text.replace(old, new))
    return copy


def test_the_loopback_golden_session_replays_with_no_divergence(tmp_path: Path) -> None:
    outcome = replay_file(LOOPBACK_GOLDEN, EXAMPLES / "loopback", settings("loopback", tmp_path))
    assert (outcome.divergence, outcome.requests) == (None, 12)
    assert len(outcome.launches) == 2


@needs_cc
@pytest.mark.timeout(300)
def test_the_host_golden_session_replays_an_inference_with_no_divergence(tmp_path: Path) -> None:
    outcome = replay_file(HOST_GOLDEN, EXAMPLES / "host", settings("host", tmp_path))
    assert (outcome.divergence, outcome.requests) == (None, 10)


@needs_cc
@pytest.mark.timeout(300)
def test_a_host_session_recorded_now_leaves_the_template_as_it_was_and_replays(tmp_path: Path) -> None:
    """record_session asserts the copy of examples/host is byte-identical once recording is off."""
    transcript = tmp_path / "host.jsonl"
    record_session("host", transcript, tmp_path)
    outcome = replay_file(transcript, EXAMPLES / "host", ReplaySettings(timeout=120.0))  # the recorded archive still exists
    assert (outcome.divergence, outcome.requests) == (None, 10)


def test_a_read_transport_one_byte_too_long_is_the_first_divergence(platform_copy, tmp_path: Path) -> None:
    copy = with_defect(platform_copy, "loopback", "data = bytes(view[:n])", "data = bytes(view[:n + 1])")
    outcome = replay_file(LOOPBACK_GOLDEN, copy, settings("loopback", tmp_path))
    d = outcome.divergence  # the SDK refuses to send the 4 bytes its handler returned: an error where data was recorded
    assert d is not None and (d.request, d.method, d.pointer) == (8, "read_transport", "")
    assert d.why == 'error -32603 "read_transport returned an invalid result: /data: 4 bytes, expected 1 to 3", recorded a result'
    assert json.loads(d.sent)["params"]["n"] == 3
    assert base64.b85decode(json.loads(d.recorded)["result"]["data"]) == b"\x00he"


@needs_cc
@pytest.mark.timeout(300)
def test_a_changed_option_default_is_the_first_divergence(platform_copy, tmp_path: Path) -> None:
    copy = with_defect(platform_copy, "host", 'optional=["generate_project"], default=4096)', 'optional=["generate_project"], default=8192)')
    outcome = replay_file(HOST_GOLDEN, copy, settings("host", tmp_path))
    d = outcome.divergence
    assert d is not None and (d.request, d.method, d.pointer, d.why) == (
        1, "server_info_query", "/result/project_options/1/default", "8192, recorded 4096")


def test_the_cli_exit_codes_report_and_until(platform_copy, tmp_path: Path) -> None:
    mlf, crt = inputs("loopback", tmp_path)
    paths = ["--mlf", str(mlf), "--standalone-crt-dir", str(crt)]

    def replay(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, "replay", *args], capture_output=True, text=True, timeout=120)

    same = replay(str(LOOPBACK_GOLDEN), str(EXAMPLES / "loopback"), *paths, "--report-json", str(tmp_path / "same.json"))
    assert same.returncode == 0 and same.stdout.endswith("12 requests replayed against " f"{EXAMPLES / 'loopback'}, every reply equivalent\n")
    assert json.loads((tmp_path / "same.json").read_text())["outcome"] == "same"
    copy = with_defect(platform_copy, "loopback", "data = bytes(view[:n])", "data = bytes(view[:n + 1])")
    diverged = replay(str(LOOPBACK_GOLDEN), str(copy), *paths, "--report-json", str(tmp_path / "diverged.json"))
    assert diverged.returncode == 1
    assert diverged.stdout.splitlines()[0].endswith("request 8 (read_transport): the reply diverges at /: error -32603 "
                                                    '"read_transport returned an invalid result: /data: 4 bytes, expected 1 to 3", '
                                                    "recorded a result")
    assert [line.split(":")[0].strip() for line in diverged.stdout.splitlines()[1:]] == ["sent", "recorded", "replayed"]
    assert json.loads((tmp_path / "diverged.json").read_text())["divergence"]["request"] == 8
    not_utf8, not_a_transcript = tmp_path / "latin1.jsonl", tmp_path / "text.jsonl"
    not_utf8.write_bytes(b"\xff\n")
    not_a_transcript.write_text("hello\n")
    until = replay(str(LOOPBACK_GOLDEN), str(copy), *paths, "--until", "7")
    assert until.returncode == 0 and until.stdout.rstrip().endswith("(stopped after request 7)")
    for args, reason in [([str(tmp_path / "absent.jsonl"), str(copy)], "No such file or directory"),
                         ([str(LOOPBACK_GOLDEN), str(tmp_path / "nowhere")], "not a directory"),
                         ([str(LOOPBACK_GOLDEN), str(copy)], "model_library_format_path"),  # the recorded archive is gone
                         ([str(not_utf8), str(copy)], "not UTF-8"),
                         ([str(not_a_transcript), str(copy)], ":1: not a transcript (schema/transcript.json): not JSON"),
                         ([str(LOOPBACK_GOLDEN), str(copy), *paths, "--report-json", str(tmp_path / "no" / "r.json")],
                          "No such file or directory")]:
        failed = replay(*args)
        assert (failed.returncode, failed.stdout) == (2, ""), failed.stderr
        assert len(failed.stderr.splitlines()) == 1 and reason in failed.stderr


@pytest.mark.parametrize("revision, codec", [(1, base64.b85encode), (2, base64.b64encode)])
def test_payload_bytes_are_compared_decoded_and_against_a_digest(revision, codec) -> None:
    def reply(data: bytes) -> bytes:
        return json.dumps({"jsonrpc": "2.0", "id": 7, "result": {"data": codec(data).decode()}}).encode()

    assert compare_replies(reply(b"\x00he"), reply(b"\x00he"), "read_transport", revision) is None
    difference = compare_replies(reply(b"\x00he"), reply(b"\x00hel"), "read_transport", revision)
    assert difference == Difference("/result/data", "4 bytes (00 68 65 6c), recorded 3 bytes (00 68 65)")
    digest = Digest("/result/data", 3, hashlib.sha256(b"\x00he").hexdigest())
    empty = json.dumps({"jsonrpc": "2.0", "id": 7, "result": {"data": ""}}).encode()
    assert compare_replies(empty, reply(b"\x00he"), "read_transport", revision, (digest,)) is None
    assert compare_replies(empty, reply(b"\x00hX"), "read_transport", revision, (digest,)).pointer == "/result/data"


def test_a_digested_request_payload_cannot_be_sent_again(tmp_path: Path) -> None:
    lines = LOOPBACK_GOLDEN.read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    index = next(i for i, e in enumerate(entries) if e.get("direction") == "request" and '"write_transport"' in e["text"])
    entries[index]["digests"] = [{"pointer": "/params/data", "length": 7, "sha256": "0" * 64}]
    digested = tmp_path / "digested.jsonl"
    digested.write_text("".join(json.dumps(e) + "\n" for e in entries))
    with pytest.raises(ReplayError, match=f"line {index + 1}: the request's payload was kept only as its digest"):
        replay_file(digested, EXAMPLES / "loopback", settings("loopback", tmp_path))


@pytest.mark.parametrize("recorded, replayed, expected", [
    ({"error": {"code": -32000, "message": "calling method build", "data": {"traceback": "A"}}},
     {"error": {"code": -32000, "message": "calling method build", "data": {"traceback": "B"}}}, None),
    ({"error": {"code": -32000, "message": "/tmp/tmpab12cd/project exists", "data": None}},
     {"error": {"code": -32000, "message": "/var/x/project-1 exists", "data": None}}, None),
    ({"error": {"code": -32000, "message": "IoTimeoutError", "data": None}},
     {"error": {"code": -32602, "message": "IoTimeoutError", "data": None}}, ("/error/code", "-32602, recorded -32000")),
    ({"result": {"timeouts": {"a": 1}}}, {"result": {"timeouts": {"a": 1.0}}}, None),
    ({"result": {"is_template": True}}, {"result": {"is_template": 1}}, ("/result/is_template", "1, recorded true")),
    ({"result": {"project_options": [{"name": "a"}]}}, {"result": {"project_options": []}}, ("/result/project_options", "0 items, recorded 1")),
    ({"result": None}, {"result": None, "extra": 1}, ("/extra", "in the replayed reply, not recorded")),
    ({"error": {"code": -32602, "message": "build: /options/board: required", "data": None}},
     {"error": {"code": -32602, "message": "build: /options/jobs: required", "data": None}},
     ("/error/message", '"build: /options/jobs: required", recorded "build: /options/board: required"')),
], ids=["traceback", "paths", "code", "int-float", "bool-int", "shape", "member", "pointer-is-no-path"])
def test_equivalence_rules(recorded, replayed, expected) -> None:
    envelope = {"jsonrpc": "2.0", "id": 1}
    difference = compare_replies(json.dumps({**envelope, **recorded}).encode(), json.dumps({**envelope, **replayed}).encode(), "build", 2)
    assert (difference and (difference.pointer, difference.why)) == expected or difference is expected


def test_a_typed_client_transcript_in_revision_2_replays(tmp_path: Path) -> None:
    from microtvm_project_api.client.client import ProjectApiClient

    mlf, crt = inputs("loopback", tmp_path)
    transcript = tmp_path / "typed.jsonl"
    with ProjectApiClient.launch(EXAMPLES / "loopback", transcript=transcript) as client:
        assert client.revision == 2
        client.generate_project(mlf, crt, tmp_path / "project", {"verbose": False})
        with pytest.raises(RemoteError, match="File exists"):
            client.generate_project(mlf, crt, tmp_path / "project")  # exists now: the replay's fresh one must too
    outcome = replay_file(transcript, EXAMPLES / "loopback", ReplaySettings(timeout=60.0))
    assert (outcome.divergence, outcome.requests) == (None, 3)
