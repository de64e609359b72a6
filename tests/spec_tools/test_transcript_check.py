"""spec check-transcript: sessions recorded from the loopback server pass; each hand-broken record fails at its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from small_mlf import write_small_mlf

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.spec_tools.transcript_check import check_transcript

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ROOT / "examples" / "loopback"


@pytest.fixture(scope="module", params=[1, 2], ids=["revision1", "revision2"])
def recorded(request, tmp_path_factory) -> tuple[int, Path]:
    """A session with a generated loopback project, every method called, recorded by the client."""
    revision = request.param
    tmp = tmp_path_factory.mktemp(f"session{revision}")
    versions = [revision]  # the loopback server offers both: the client picks
    with ProjectApiClient.launch(LOOPBACK, protocol_versions=versions, transcript=tmp / "template.jsonl") as template:
        template.generate_project(write_small_mlf(tmp / "model.tar"), tmp / "crt", tmp / "project", {"verbose": True})
    transcript = tmp / "session.jsonl"
    with ProjectApiClient.launch(tmp / "project", protocol_versions=versions, transcript=transcript) as client:
        client.build({"build_type": "debug"})
        client.flash()
        client.open_transport()
        client.write_transport(b"\x00hello\xff", 5.0)
        assert client.read_transport(3, 5.0) == b"\x00he"
        assert client.read_transport(100, 5.0) == b"llo\xff"
        with pytest.raises(IoTimeoutError):
            client.read_transport(1, 0)
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.write_transport(b"x", 0)
    return revision, transcript


def check(path: Path, **kwargs: Any) -> list[str]:
    with path.open(encoding="utf-8") as stream:
        return [str(v) for v in check_transcript(stream, default_registry(), **kwargs).violations]


def rewrite(source: Path, target: Path, predicate, edit) -> int:
    """Copy the transcript, applying `edit` to the record of the first line `predicate` accepts; that line's number."""
    lines = source.read_text().splitlines()
    for number, text in enumerate(lines, 1):
        record = json.loads(text)
        if predicate(record):
            lines[number - 1] = json.dumps(edit(record))
            target.write_text("\n".join(lines) + "\n")
            return number
    raise AssertionError("no record matched")


def reply_to(method: str, source: Path, nth: int = 0):
    """A predicate accepting the nth reply to a `method` request in `source`."""
    ids = [json.loads(t)["message"]["id"] for t in source.read_text().splitlines()
           if json.loads(t)["direction"] == "request" and json.loads(t)["message"]["method"] == method]
    wanted = ids[nth]
    return lambda r: r["direction"] == "reply" and r.get("message", {}).get("id") == wanted


def test_recorded_sessions_pass(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    assert check(transcript) == []
    assert check(transcript.parent / "template.jsonl") == []
    with transcript.open() as stream:
        report = check_transcript(stream, default_registry())
    assert report.revision == revision and report.records == 20


def test_a_hand_broken_result_fails_at_its_line(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    broken = tmp_path / "broken.jsonl"

    def negative_timeout(record):
        record["message"]["result"]["timeouts"]["session_start_timeout_sec"] = -1
        return record

    line = rewrite(transcript, broken, reply_to("open_transport", transcript), negative_timeout)
    assert check(broken) == [
        f"line {line}: open_transport result/timeouts/session_start_timeout_sec: -1 is less than the minimum of 0"]


@pytest.mark.parametrize("recorded", [1], indirect=True, ids=["revision1"])  # base64's pattern rejects what it cannot decode
def test_an_undecodable_payload_fails(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    broken = tmp_path / "undecodable.jsonl"

    def overflow(record):
        record["message"]["result"]["data"] = "~~~~~"  # matches the base85 pattern, but the group exceeds 2**32
        return record

    line = rewrite(transcript, broken, reply_to("read_transport", transcript), overflow)
    assert check(broken) == [f"line {line}: read_transport result/data: not base85: base85 overflow in hunk starting at byte 0"]


def test_more_bytes_than_requested_fails(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    too_many = tmp_path / "too_many.jsonl"

    def five_bytes(record):
        record["message"]["result"]["data"] = default_registry().revision(revision).codec.encode(b"12345")
        return record

    line = rewrite(transcript, too_many, reply_to("read_transport", transcript), five_bytes)
    assert check(too_many) == [f"line {line}: read_transport result/data: 5 bytes, more than the 3 requested"]


def test_a_non_json_reply_and_a_reply_without_request(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    raw = tmp_path / "raw.jsonl"
    line = rewrite(transcript, raw, reply_to("build", transcript),
                   lambda r: {"time": r["time"], "direction": "reply", "raw": "Traceback (most recent call last):"})
    assert check(raw) == [f"line {line}: reply is not JSON: 'Traceback (most recent call last):'"]
    stray = tmp_path / "stray.jsonl"

    def other_id(record):
        record["message"]["id"] = 999
        return record

    line = rewrite(transcript, stray, reply_to("flash", transcript), other_id)
    flash_id = json.loads(transcript.read_text().splitlines()[line - 2])["message"]["id"]
    assert check(stray) == [
        f"line {line - 1}: request id {flash_id} (flash) got no reply before the next request "
        f"(line {line + 1}; one request in flight)",
        f"line {line}: reply id 999 answers no request in flight",
    ]


def test_two_requests_in_flight_and_a_request_with_no_reply(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    records = [
        {"time": 1.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1}},
        {"time": 2.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": 2}},
        {"time": 3.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 2, "result": None}},
        {"time": 4.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "close_transport", "params": {}, "id": "c"}},
    ]
    transcript.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert check(transcript, protocol_version=2) == [
        "line 1: request id 1 (build) got no reply before the next request (line 2; one request in flight)",
        "line 4: request id 'c' (close_transport) has no reply",
    ]


def test_errors_the_method_may_not_raise_and_unknown_codes(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    records = [
        {"time": 1.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1}},
        {"time": 2.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "IoTimeoutError"}}},
        {"time": 3.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": 2}},
        {"time": 4.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 2, "error": {"code": -31000, "message": "x"}}},
        {"time": 5.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "fly", "params": {}, "id": 3}},
        {"time": 6.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 3, "result": None}},
    ]
    transcript.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert check(transcript, protocol_version=2) == [
        "line 2: error/message: IoTimeoutError is not an error build may raise in revision 2",
        "line 4: error/code: -31000 is not a code of the error catalogue",
        "line 6: a result for 'fly', which is not a method of revision 2 (expected error -32601)",
    ]


def test_malformed_records_and_envelopes(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("\n".join([
        "not json",
        json.dumps({"time": 1.0, "direction": "sideways", "message": {}}),
        json.dumps({"time": 1.0, "direction": "request", "message": {"jsonrpc": "1.0", "method": "build", "params": {}, "id": 1}}),
        json.dumps({"time": 2.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 1, "result": None}}),
        json.dumps({"time": 3.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "read_transport",
                                                                    "params": {"n": 0, "timeout_sec": None}, "id": 2}}),
        json.dumps({"time": 4.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 2, "result": {"data": "AA=="},
                                                                  "error": {"code": -32000, "message": "x"}}}),
    ]) + "\n")
    assert check(transcript, protocol_version=2) == [
        "line 1: not a transcript record: the line is not JSON",
        'line 2: not a transcript record: direction is neither "request" nor "reply"',
        "line 3: request/jsonrpc: '2.0' was expected",
        "line 4: a result for an invalid request (expected an error)",
        "line 5: read_transport params/n: 0 is less than the minimum of 1",
        "line 6: reply: Additional properties are not allowed ('error' was unexpected)",
    ]


def test_revision_comes_from_server_info_and_can_be_overridden(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    other = 3 - revision
    violations = check(transcript, protocol_version=other)
    assert violations and any("server_info_query result/protocol_version" in v for v in violations)
    headless = tmp_path / "headless.jsonl"
    headless.write_text("".join(line + "\n" for line in transcript.read_text().splitlines()[2:]))
    assert check(headless)[0] == "no server_info_query reply names the revision; checked as revision 2 (give --protocol-version)"


def test_cli_reports_file_and_line(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded

    def run(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "check-transcript", str(path), *extra],
                              capture_output=True, text=True, timeout=120)

    done = run(transcript)
    assert done.returncode == 0, done.stdout
    assert done.stdout == f"{transcript}: 20 records, revision {revision}, 0 violations\n"
    broken = tmp_path / "broken.jsonl"
    line = rewrite(transcript, broken, reply_to("build", transcript), lambda r: {**r, "message": {**r["message"], "result": 5}})
    failed = run(broken)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[0] == f"{broken}:{line}: build result: 5 is not of type 'null'"
    missing = run(tmp_path / "absent.jsonl")
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr
    unknown = run(transcript, "--protocol-version", "9")
    assert unknown.returncode == 2 and "protocol revision 9 is not defined" in unknown.stderr


def test_an_overlong_record_is_skipped_unread(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    request = {"time": 1.0, "direction": "request", "message": {"jsonrpc": "2.0", "method": "close_transport", "params": {}, "id": 1}}
    reply = {"time": 2.0, "direction": "reply", "message": {"jsonrpc": "2.0", "id": 1, "result": None}}
    transcript.write_text(json.dumps(request) + "\n" + "x" * 1000 + "\n" + json.dumps(reply) + "\n")
    with transcript.open() as stream:
        report = check_transcript(stream, default_registry(), protocol_version=2, max_record_chars=300)
    assert [str(v) for v in report.violations] == ["line 2: record longer than 300 characters; not read"]
    assert report.records == 2
