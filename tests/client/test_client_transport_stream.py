"""TransportStream: chunked writes share one deadline, reads return 1..n bytes, closing is safe after a fatal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microtvm_project_api.client.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import CallTimeoutError
from microtvm_project_api.client.transport_stream import TransportStream


def write_timeouts(transcript: Path) -> list[float | None]:
    entries = [json.loads(line) for line in transcript.read_text().splitlines()]
    requests = [json.loads(e["text"]) for e in entries if e["kind"] == "message"]
    return [r["params"]["timeout_sec"] for r in requests if r.get("method") == "write_transport"]


@pytest.mark.parametrize("timeout_sec", [None, 0, 5.0])
def test_chunks_share_one_deadline(make_project, tmp_path: Path, timeout_sec) -> None:
    transcript = tmp_path / "t.jsonl"
    with ProjectApiClient.launch(make_project("v1_server.py"), transcript=transcript) as client:
        with TransportStream(client, write_chunk=100) as stream:
            payload = bytes(range(250))
            assert stream.write(payload, timeout_sec) == 250
            received = b""
            while len(received) < len(payload):
                received += stream.read(250, 1)
            assert received == payload
    sent = write_timeouts(transcript)
    assert len(sent) == 3
    if timeout_sec is None:
        assert sent == [None, None, None]
    else:
        assert all(0 <= t <= timeout_sec for t in sent)
        assert sent == sorted(sent, reverse=True)


def test_read_needs_at_least_one_byte(make_project) -> None:
    with ProjectApiClient.launch(make_project("v1_server.py")) as client, TransportStream(client) as stream:
        with pytest.raises(ValueError, match="read needs n >= 1, not 0"):
            stream.read(0, 1)


def test_closing_after_the_session_ended_does_not_mask_the_error(make_project, defect_env) -> None:
    env = defect_env("hang")
    with ProjectApiClient.launch(make_project("broken_server.py"), env=env, timeouts=CallTimeouts(long_running=0.5)) as client:
        with pytest.raises(CallTimeoutError):
            with TransportStream(client):
                client.build()
