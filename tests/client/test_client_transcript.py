"""Session transcripts (schema/transcript.json): a header, then every request and reply line exactly as it went, non-JSON
replies too, each with the revision agreed when it went."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.errors import MalformedReplyError
from microtvm_project_api.protocol.errors import RemoteError

SCRIPTED_SERVER = Path(__file__).parents[1] / "robustness" / "scripted_server.py"


def records(path: Path) -> list[dict]:
    """The message entries (the header and the launch entry checked and dropped), each with its line parsed as "message"."""
    lines = [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]
    assert lines[0]["kind"] == "header" and lines[0]["client"]["name"] == "microtvm-project-api typed client"
    assert lines[1]["kind"] == "launch"
    messages = lines[2:]
    for entry in messages:
        try:
            entry["message"] = json.loads(entry["text"])
        except (KeyError, ValueError):  # a line kept as base64, or one that is not JSON
            pass
    return messages


def answering_once(tmp_path: Path, line: bytes) -> Path:
    """A project whose scripted server answers its first request with `line`, byte for byte (__ID__: the request's id)."""
    project = tmp_path / "p"
    project.mkdir()
    shutil.copy2(SCRIPTED_SERVER, project / "microtvm_api_server.py")
    (project / "script.json").write_text(json.dumps([{"reply": base64.b64encode(line).decode()}]))
    return project


def test_every_request_and_reply_is_recorded(make_project, tmp_path: Path) -> None:
    transcript = tmp_path / "session.jsonl"
    with ProjectApiClient.launch(make_project("v1_server.py"), transcript=transcript) as client:
        client.open_transport()
        client.write_transport(b"hi", 1)
        client.read_transport(2, 1)
    lines = records(transcript)
    assert [(r["direction"], r["message"].get("method"), r["revision"]) for r in lines] == [
        ("request", "server_info_query", None), ("reply", None, None),  # offers [2, 1]: the revision-1-only server answers -32602
        ("request", "server_info_query", None), ("reply", None, None),
        ("request", "open_transport", 1), ("reply", None, 1),
        ("request", "write_transport", 1), ("reply", None, 1),
        ("request", "read_transport", 1), ("reply", None, 1),
    ]
    assert all(set(r) == {"kind", "launch", "time", "direction", "revision", "text", "message"} for r in lines)
    assert lines[0]["text"] == '{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"0.18.0","protocol_versions":[2,1]},"id":1}'
    assert lines[1]["message"]["error"]["code"] == -32602
    assert lines[2]["message"] == {"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": "0.18.0"}, "id": 2}
    assert lines[-1]["message"] == {"jsonrpc": "2.0", "id": 5, "result": {"data": "XlV"}}
    assert [r["time"] for r in lines] == sorted(r["time"] for r in lines)


def test_non_json_reply_is_recorded_raw(make_project, defect_env, tmp_path: Path) -> None:
    transcript = tmp_path / "session.jsonl"
    client = ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("non_json"), transcript=transcript)
    with client, pytest.raises(MalformedReplyError):
        client.build()
    last = records(transcript)[-1]
    assert (last["direction"], last["text"]) == ("reply", "build finished OK")


def test_a_reply_line_that_is_not_utf8_is_kept_as_base64(tmp_path: Path) -> None:
    project = answering_once(tmp_path, b'{"jsonrpc": "2.0", "id": "__ID__", "result": "\xff"}\n')
    transcript = tmp_path / "session.jsonl"
    with pytest.raises(MalformedReplyError):
        ProjectApiClient.launch(project, transcript=transcript).close()
    last = records(transcript)[-1]
    assert "text" not in last and base64.b64decode(last["base64"]).startswith(b'{"jsonrpc": "2.0", "id": ')
    assert base64.b64decode(last["base64"]).endswith(b'"result": "\xff"}')


def test_a_reply_holding_a_lone_surrogate_is_recorded(tmp_path: Path) -> None:
    project = answering_once(tmp_path, b'{"jsonrpc": "2.0", "id": "__ID__", "error": {"code": -32000, "message": "bad \\ud800 byte"}}\n')
    transcript = tmp_path / "session.jsonl"
    with pytest.raises(RemoteError):
        ProjectApiClient.launch(project, transcript=transcript).close()
    assert records(transcript)[-1]["message"]["error"]["message"] == "bad \ud800 byte"
    assert records(transcript)[-1]["text"].endswith('"message": "bad \\ud800 byte"}}')
