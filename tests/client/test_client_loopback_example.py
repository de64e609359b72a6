"""The SDK's loopback example driven through every method in both revisions: template, generated project, transport."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.errors import OptionsError
from microtvm_project_api.client.transport_stream import TransportStream
from microtvm_project_api.generated import models
from microtvm_project_api.protocol.errors import (
    InvalidParamsError,
    IoTimeoutError,
    ServerError,
    TransportClosedError,
)
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.spec_tools.transcript_check import check_transcript

LOOPBACK = Path(__file__).resolve().parents[2] / "examples" / "loopback"


@pytest.fixture(params=[1, 2], ids=["revision1", "revision2"])
def revision(request) -> int:
    return request.param


@pytest.fixture
def versions(revision: int) -> tuple[int, ...]:
    """What the client offers: revision 1 only, or the default (2, then 1); the server offers both with no setting."""
    return (1,) if revision == 1 else (2, 1)


def test_every_method_in_both_revisions(revision, versions, mlf: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    with ProjectApiClient.launch(LOOPBACK, protocol_versions=versions) as template:
        assert template.revision == revision
        assert template.codec.name == {1: "base85", 2: "base64"}[revision]
        assert template.server_info.is_template
        assert template.server_info.platform_name == "loopback"
        template.generate_project(mlf, tmp_path / "crt", project, {"verbose": True})
    assert (project / "model.tar").is_file()
    with ProjectApiClient.launch(project, protocol_versions=versions) as client:
        info = client.server_info
        assert isinstance(info, models.ServerInfoV1 if revision == 1 else models.ServerInfoV2)
        assert not info.is_template
        assert client.build({"build_type": "debug"}) is None
        assert (project / "build" / "build_type").read_text() == "debug"
        assert client.flash() is None
        timeouts = client.open_transport().timeouts
        assert timeouts.session_established_timeout_sec == 10.0
        payload = os.urandom(3000)
        client.write_transport(payload, 5.0)
        assert client.read_transport(2000, 5.0) == payload[:2000]
        assert client.read_transport(2000, 5.0) == payload[2000:]
        with pytest.raises(IoTimeoutError):
            client.read_transport(1, 0)
        client.close_transport()
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.write_transport(b"x", 0)
        assert client.server_info_query().platform_name == "loopback"


def test_transport_stream_chunks_large_writes(versions, mlf: Path, tmp_path: Path) -> None:
    with ProjectApiClient.launch(LOOPBACK, protocol_versions=versions) as template:
        template.generate_project(mlf, tmp_path, tmp_path / "project")
    with ProjectApiClient.launch(tmp_path / "project", protocol_versions=versions) as client:
        with TransportStream(client, write_chunk=1000) as stream:
            assert stream.timeouts.session_start_timeout_sec == 5.0
            payload = os.urandom(4500)
            assert stream.write(payload, 5.0) == 4500
            received = b""
            while len(received) < len(payload):
                received += stream.read(4500, 5.0)
            assert received == payload
            with pytest.raises(IoTimeoutError):
                stream.read(1, 0)
        assert stream.closed
        with pytest.raises(TransportClosedError):
            client.read_transport(1, 0)


def test_server_side_option_errors_are_typed(revision, versions, mlf: Path, tmp_path: Path) -> None:
    """With the client's own check off, the server's answer is the typed error (revision 2 checks options)."""
    with ProjectApiClient.launch(LOOPBACK, protocol_versions=versions) as template:
        template.generate_project(mlf, tmp_path, tmp_path / "project")
    with ProjectApiClient.launch(tmp_path / "project", protocol_versions=versions, check_options=False) as client:
        if revision == 2:
            with pytest.raises(InvalidParamsError) as invalid:
                client.build({"build_type": "fastest"})
            assert invalid.value.code == -32602
            assert "build_type" in str(invalid.value)
            assert not client.over
        with pytest.raises(ServerError, match="nothing to flash: call build first"):
            client.flash()
    with ProjectApiClient.launch(tmp_path / "project", protocol_versions=versions) as checked:
        with pytest.raises(OptionsError, match=r"build: option 'build_type': 'fastest' is not one of its choices: debug, release"):
            checked.build({"build_type": "fastest"})


def test_transcript_of_a_whole_session_passes_the_spec_check(revision, versions, mlf: Path, tmp_path: Path) -> None:
    """What the client records is what the spec tools check: a conforming session has no violation."""
    transcript = tmp_path / "session.jsonl"
    with ProjectApiClient.launch(LOOPBACK, protocol_versions=versions) as template:
        template.generate_project(mlf, tmp_path, tmp_path / "project")
    with ProjectApiClient.launch(tmp_path / "project", protocol_versions=versions, transcript=transcript) as client:
        client.build()
        client.open_transport()
        client.write_transport(b"\x00\xff" * 100, 1.0)
        client.read_transport(200, 1.0)
        with pytest.raises(IoTimeoutError):
            client.read_transport(1, 0)
        client.close_transport()
    with transcript.open(encoding="utf-8") as stream:
        report = check_transcript(stream, default_registry())
    assert report.revision == revision
    assert report.records == 14
    assert report.violations == []
