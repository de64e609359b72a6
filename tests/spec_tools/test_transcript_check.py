"""spec check-transcript: sessions recorded from the loopback server pass; each hand-broken record fails at its line."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from small_mlf import write_small_mlf

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.transcript import Transcript
from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.transcript import TranscriptFormatError
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


def entries(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text().splitlines()]


def wire_message(entry: dict) -> Any:
    return json.loads(entry["text"]) if entry.get("kind") == "message" else None


def rewrite(source: Path, target: Path, predicate, edit) -> int:
    """Copy the transcript, applying `edit` to the wire message of the first message entry `predicate` accepts (the
    edit returns a message, a raw line as a string, or a whole entry holding "kind"); that entry's line number."""
    lines = source.read_text().splitlines()
    for number, text in enumerate(lines, 1):
        entry = json.loads(text)
        if entry["kind"] == "message" and predicate(entry, wire_message(entry)):
            edited = edit(wire_message(entry))
            text = edited if isinstance(edited, str) else json.dumps(edited)  # a string: the raw line
            new = edited if isinstance(edited, dict) and "kind" in edited else {**entry, "text": text}
            lines[number - 1] = json.dumps(new)
            target.write_text("\n".join(lines) + "\n")
            return number
    raise AssertionError("no entry matched")


def reply_to(method: str, source: Path, nth: int = 0):
    """A predicate accepting the nth reply to a `method` request in `source`."""
    ids = [wire_message(e)["id"] for e in entries(source) if e.get("direction") == "request" and wire_message(e)["method"] == method]
    wanted = ids[nth]
    return lambda entry, message: entry["direction"] == "reply" and message.get("id") == wanted


def hand_made(path: Path, messages: list[tuple[str, Any]]) -> Path:
    """A transcript of one launch holding `messages`, (direction, JSON value or raw text) each."""
    lines = [{"kind": "header", "format": 1, "recorded_at": "2026-12-04T21:00:00Z", "platform": {"directory": None, "name": None},
              "client": {"name": None, "version": None}, "recorder": {"name": "test", "version": None}},
             {"kind": "launch", "launch": "1", "time": 0, "project_dir": "/p"}]
    for time, (direction, message) in enumerate(messages, 1):
        text = message if isinstance(message, str) else json.dumps(message)
        lines.append({"kind": "message", "launch": "1", "direction": direction, "time": time, "revision": None, "text": text})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_recorded_sessions_pass(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    assert check(transcript) == []
    assert check(transcript.parent / "template.jsonl") == []
    with transcript.open() as stream:
        report = check_transcript(stream, default_registry())
    assert report.revisions == [revision] and report.records == 20


def test_a_hand_broken_result_fails_at_its_line(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    broken = tmp_path / "broken.jsonl"

    def negative_timeout(message):
        message["result"]["timeouts"]["session_start_timeout_sec"] = -1
        return message

    line = rewrite(transcript, broken, reply_to("open_transport", transcript), negative_timeout)
    assert check(broken) == [
        f"line {line}: open_transport result/timeouts/session_start_timeout_sec: -1 is less than the minimum of 0"]


@pytest.mark.parametrize("recorded", [1], indirect=True, ids=["revision1"])  # base64's pattern rejects what it cannot decode
def test_an_undecodable_payload_fails(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    broken = tmp_path / "undecodable.jsonl"

    def overflow(message):
        message["result"]["data"] = "~~~~~"  # matches the base85 pattern, but the group exceeds 2**32
        return message

    line = rewrite(transcript, broken, reply_to("read_transport", transcript), overflow)
    assert check(broken) == [f"line {line}: read_transport result/data: not base85: base85 overflow in hunk starting at byte 0"]


def test_more_bytes_than_requested_fails(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    too_many = tmp_path / "too_many.jsonl"

    def five_bytes(message):
        message["result"]["data"] = default_registry().revision(revision).codec.encode(b"12345")
        return message

    line = rewrite(transcript, too_many, reply_to("read_transport", transcript), five_bytes)
    assert check(too_many) == [f"line {line}: read_transport result/data: 5 bytes, more than the 3 requested"]


def test_a_digested_payload_is_judged_by_its_length(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    digested = tmp_path / "digested.jsonl"

    def digest_of_five(message):
        message["result"]["data"] = ""
        entry = next(e for e in entries(transcript) if e.get("direction") == "reply" and wire_message(e)["id"] == message["id"])
        return {**entry, "text": json.dumps(message), "digests": [{"pointer": "/result/data", "length": 5, "sha256": "0" * 64}]}

    line = rewrite(transcript, digested, reply_to("read_transport", transcript), digest_of_five)
    assert check(digested) == [f"line {line}: read_transport result/data: 5 bytes, more than the 3 requested"]


def test_a_non_json_reply_and_a_reply_without_request(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    raw = tmp_path / "raw.jsonl"
    line = rewrite(transcript, raw, reply_to("build", transcript), lambda m: "Traceback (most recent call last):")
    (text,) = check(raw)
    assert text.startswith(f"line {line}: reply is not JSON (") and text.endswith("): 'Traceback (most recent call last):'")
    stray = tmp_path / "stray.jsonl"

    def other_id(message):
        message["id"] = 999
        return message

    line = rewrite(transcript, stray, reply_to("flash", transcript), other_id)
    flash_id = wire_message(entries(transcript)[line - 2])["id"]
    assert check(stray) == [
        f"line {line - 1}: request id {flash_id} (flash) got no reply before the next request "
        f"(line {line + 1}; one request in flight)",
        f"line {line}: reply id 999 answers no request in flight",
    ]


def test_two_requests_in_flight_and_a_request_with_no_reply(tmp_path: Path) -> None:
    transcript = hand_made(tmp_path / "t.jsonl", [
        ("request", {"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1}),
        ("request", {"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": 2}),
        ("reply", {"jsonrpc": "2.0", "id": 2, "result": None}),
        ("request", {"jsonrpc": "2.0", "method": "close_transport", "params": {}, "id": "c"}),
    ])
    assert check(transcript, protocol_version=2) == [
        "line 3: request id 1 (build) got no reply before the next request (line 4; one request in flight)",
        "line 6: request id 'c' (close_transport) has no reply",
    ]


def test_errors_the_method_may_not_raise_and_unknown_codes(tmp_path: Path) -> None:
    transcript = hand_made(tmp_path / "t.jsonl", [
        ("request", {"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1}),
        ("reply", {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "IoTimeoutError"}}),
        ("request", {"jsonrpc": "2.0", "method": "flash", "params": {"options": {}}, "id": 2}),
        ("reply", {"jsonrpc": "2.0", "id": 2, "error": {"code": -31000, "message": "x"}}),
        ("request", {"jsonrpc": "2.0", "method": "fly", "params": {}, "id": 3}),
        ("reply", {"jsonrpc": "2.0", "id": 3, "result": None}),
    ])
    assert check(transcript, protocol_version=2) == [
        "line 4: error/message: IoTimeoutError is not an error build may raise in revision 2",
        "line 6: error/code: -31000 is not a code of the error catalogue",
        "line 8: a result for 'fly', which is not a method of revision 2 (expected error -32601)",
    ]


def test_malformed_envelopes(tmp_path: Path) -> None:
    transcript = hand_made(tmp_path / "t.jsonl", [
        ("request", {"jsonrpc": "1.0", "method": "build", "params": {}, "id": 1}),
        ("reply", {"jsonrpc": "2.0", "id": 1, "result": None}),
        ("request", {"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 0, "timeout_sec": None}, "id": 2}),
        ("reply", {"jsonrpc": "2.0", "id": 2, "result": {"data": "AA=="}, "error": {"code": -32000, "message": "x"}}),
        ("request", '{"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1' + "1" * 5000 + "}"),
    ])
    violations = check(transcript, protocol_version=2)
    assert violations[:4] == [
        "line 3: request/jsonrpc: '2.0' was expected",
        "line 4: a result for an invalid request (expected an error)",
        "line 5: read_transport params/n: 0 is less than the minimum of 1",
        "line 6: reply: Additional properties are not allowed ('error' was unexpected)",
    ]
    assert violations[4].startswith("line 7: request is not JSON (") and len(violations) == 5


@pytest.mark.parametrize("line, reason", [
    ("not json", "line 1: not JSON: Expecting value"),
    (json.dumps({"kind": "launch", "launch": "1", "time": 0, "project_dir": "/p"}), 'line 1: the first line is not the header (kind "header")'),
])
def test_a_file_that_is_not_a_transcript_is_refused_at_its_first_line(tmp_path: Path, line: str, reason: str) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text(line + "\n")
    with pytest.raises(TranscriptFormatError) as refused:
        check(transcript)
    assert str(refused.value) == reason


def test_revision_comes_from_server_info_and_can_be_overridden(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    other = 3 - revision
    violations = check(transcript, protocol_version=other)
    assert violations and any("server_info_query result/protocol_version" in v for v in violations)
    headless = tmp_path / "headless.jsonl"
    headless.write_text("".join(line + "\n" for number, line in enumerate(transcript.read_text().splitlines()) if number not in (2, 3)))
    assert check(headless)[0] == ("no server_info_query reply names a revision of the spec on the launch starting at line 3; "
                                  "checked as revision 2 (give --protocol-version)")


def raw_session(project: Path, path: Path, lines: list[bytes]) -> Path:
    """A real loopback server sent `lines` one at a time, each reply read, recorded by client.transcript."""
    with ServerProcess(project) as server, Transcript(path, project) as transcript:
        for line in lines:
            transcript.request_line(line)
            server.send_line(line, 10.0)
            transcript.reply_line(server.read_line(10.0))
    return path


def test_a_session_that_agrees_again_is_checked_in_each_revision_agreed(mlf, tmp_path: Path) -> None:
    """Revision 2 agreed, then a query without protocol_versions agrees revision 1: base85 from there on is valid."""
    requests = [{"method": "server_info_query", "params": {"tvm_version": "0.18.0", "protocol_versions": [2, 1]}},
                {"method": "open_transport", "params": {"options": {}}},
                {"method": "write_transport", "params": {"data": base64.b64encode(b"ab").decode(), "timeout_sec": 1}},
                {"method": "server_info_query", "params": {"tvm_version": "0.18.0"}},
                {"method": "write_transport", "params": {"data": base64.b85encode(b"~~~").decode(), "timeout_sec": 1}},
                {"method": "read_transport", "params": {"n": 5, "timeout_sec": 1}}]
    lines = [json.dumps({"jsonrpc": "2.0", **r, "id": i}).encode() + b"\n" for i, r in enumerate(requests, 1)]
    transcript = raw_session(LOOPBACK, tmp_path / "again.jsonl", lines)
    with transcript.open() as stream:
        report = check_transcript(stream, default_registry())
    assert (report.revisions, [str(v) for v in report.violations]) == ([2, 1], [])
    assert json.loads(entries(transcript)[-1]["text"])["result"] == {"data": base64.b85encode(b"ab~~~").decode()}
    assert [e["revision"] for e in entries(transcript)[2:]] == [None, None, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1]


def run_cli(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "check-transcript", str(path), *extra],
                          capture_output=True, text=True, timeout=120)


def test_cli_reports_file_and_line(recorded, tmp_path: Path) -> None:
    revision, transcript = recorded
    done = run_cli(transcript)
    assert done.returncode == 0, done.stdout
    assert done.stdout == f"{transcript}: 20 records, revision {revision}, 0 violations\n"
    broken = tmp_path / "broken.jsonl"
    line = rewrite(transcript, broken, reply_to("build", transcript), lambda m: {**m, "result": 5})
    failed = run_cli(broken)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[0] == f"{broken}:{line}: build result: 5 is not of type 'null'"
    missing = run_cli(tmp_path / "absent.jsonl")
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr
    unknown = run_cli(transcript, "--protocol-version", "9")
    assert unknown.returncode == 2 and "protocol revision 9 is not defined" in unknown.stderr


def test_cli_a_5000_digit_integer_in_an_entry_is_one_line_and_exit_2(recorded, tmp_path: Path) -> None:
    _, transcript = recorded
    huge = tmp_path / "huge.jsonl"
    lines = transcript.read_text().splitlines()
    lines[3] = lines[3].replace('"time":', '"time":' + "1" * 5000 + ",\"x\":", 1)
    huge.write_text("\n".join(lines) + "\n")
    done = run_cli(huge)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"check-transcript: {huge}:4: not a transcript (schema/transcript.json): not JSON: "
                           "a number longer than 4300 digits\n")


def test_an_overlong_entry_is_refused_unread(tmp_path: Path) -> None:
    transcript = hand_made(tmp_path / "t.jsonl", [("request", "x" * 1000)])
    with transcript.open() as stream, pytest.raises(TranscriptFormatError) as refused:
        check_transcript(stream, default_registry(), protocol_version=2, max_record_chars=300)
    assert str(refused.value) == "line 3: longer than 300 characters; not read"
