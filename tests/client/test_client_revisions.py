"""The typed client's side of revision agreement: it offers [2, 1], asks a revision-1-only server again without the
member, speaks the revision the server answered in, and refuses one it did not offer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.errors import UnsupportedProtocolVersionError
from microtvm_project_api.generated import models
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.spec_tools.transcript_check import check_transcript

LOOPBACK = Path(__file__).resolve().parents[2] / "examples" / "loopback"

IGNORING_SERVER = '''
import argparse, json, os
parser = argparse.ArgumentParser()
parser.add_argument("--read-fd", type=int)
parser.add_argument("--write-fd", type=int)
args = parser.parse_args()
INFO = {"protocol_version": 1, "platform_name": "ignoring", "is_template": True, "model_library_format_path": None,
        "project_options": []}
with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb", buffering=0) as replies:
    for line in requests:
        request = json.loads(line)
        with open("seen_params.jsonl", "a") as seen:
            seen.write(json.dumps(request["params"]) + "\\n")
        replies.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": INFO}).encode() + b"\\n")
'''


def records(path: Path) -> list[dict]:
    """The transcript's message entries (schema/transcript.json), each with its line parsed as "message"."""
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{**e, "message": json.loads(e["text"])} for e in entries if e["kind"] == "message"]


@pytest.fixture
def loopback(tmp_path: Path) -> Path:
    project = tmp_path / "loopback"
    project.mkdir()
    shutil.copy(LOOPBACK / "microtvm_api_server.py", project / "microtvm_api_server.py")
    return project


def test_an_sdk_server_is_spoken_to_in_revision_2_with_no_setting(loopback: Path, tmp_path: Path) -> None:
    transcript = tmp_path / "session.jsonl"
    with ProjectApiClient.launch(loopback, transcript=transcript) as client:
        assert client.revision == 2 and isinstance(client.server_info, models.ServerInfoV2)
        assert client.codec.name == "base64"
        assert client.server_info_query().protocol_version == 2, "a later query keeps the session's revision"
        client.open_transport()
        client.write_transport(b"\x00\xff", 1.0)
        assert client.read_transport(2, 1.0) == b"\x00\xff"
    queries = [r["message"]["params"] for r in records(transcript) if r["message"].get("method") == "server_info_query"]
    assert queries == [{"tvm_version": "0.18.0", "protocol_versions": [2, 1]}] * 2


def test_the_client_can_ask_an_sdk_server_for_revision_1(loopback: Path) -> None:
    with ProjectApiClient.launch(loopback, protocol_versions=[1]) as client:
        assert client.revision == 1 and isinstance(client.server_info, models.ServerInfoV1)
        assert client.server_info_query().protocol_version == 1
        client.open_transport()
        client.write_transport(b"abc", 1.0)
        assert client.read_transport(3, 1.0) == b"abc"


def test_a_revision_1_only_server_refuses_the_member_and_is_asked_again(make_project, tmp_path: Path) -> None:
    transcript = tmp_path / "session.jsonl"
    with ProjectApiClient.launch(make_project("v1_server.py"), transcript=transcript) as client:
        assert client.revision == 1 and not client.over
        assert client.server_info_query().protocol_version == 1
    lines = records(transcript)
    assert lines[0]["message"]["params"] == {"tvm_version": "0.18.0", "protocol_versions": [2, 1]}
    assert lines[1]["message"]["error"]["code"] == -32602
    assert [r["message"]["params"] for r in lines[2:] if r["direction"] == "request"] == [{"tvm_version": "0.18.0"}] * 2
    with transcript.open(encoding="utf-8") as stream:
        report = check_transcript(stream, default_registry())
    assert (report.revision, report.violations) == (1, [])


def test_a_server_that_ignores_the_member_and_answers_1_is_spoken_to_in_1(tmp_path: Path) -> None:
    project = tmp_path / "ignoring"
    project.mkdir()
    (project / "microtvm_api_server.py").write_text(IGNORING_SERVER)
    with ProjectApiClient.launch(project) as client:
        assert client.revision == 1
        client.server_info_query()
    seen = [json.loads(line) for line in (project / "seen_params.jsonl").read_text().splitlines()]
    assert seen == [{"tvm_version": "0.18.0", "protocol_versions": [2, 1]}] * 2


def test_a_revision_the_client_did_not_offer_is_refused(make_project) -> None:
    with pytest.raises(UnsupportedProtocolVersionError, match="the server speaks protocol revision 1; this session offered 2"):
        ProjectApiClient.launch(make_project("v1_server.py"), protocol_versions=[2])


@pytest.mark.parametrize("versions", [[], [3], [2, 2], [2, 3]])
def test_protocol_versions_the_client_does_not_know_are_refused_before_sending(loopback: Path, versions) -> None:
    with pytest.raises(ValueError, match=r"protocol_versions must list revisions this client knows \(1, 2\) once each"):
        ProjectApiClient.launch(loopback, protocol_versions=versions)
