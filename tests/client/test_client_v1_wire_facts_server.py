"""The client drives a revision 1 server written only from the protocol's wire facts through every method."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.errors import OptionsError, ServerNotFoundError, SessionOverError
from microtvm_project_api.generated import models
from microtvm_project_api.protocol.errors import (
    IoTimeoutError,
    ServerError,
    TransportClosedError,
    UnsupportedTVMVersionError,
)


@pytest.fixture
def mlf(tmp_path: Path) -> Path:
    """A minimal Model Library Format archive."""
    source = tmp_path / "metadata.json"
    source.write_text('{"version": 7}')
    archive = tmp_path / "model.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(source, arcname="metadata.json")
    return archive


def test_template_reports_revision_1_metadata(make_project) -> None:
    with ProjectApiClient.launch(make_project("v1_server.py")) as client:
        assert client.revision == 1
        assert client.codec.name == "base85"
        assert isinstance(client.server_info, models.ServerInfoV1)
        assert client.server_info.is_template is True
        assert client.server_info.model_library_format_path == ""
        assert [o.name for o in client.project_options] == ["verbose", "opt_level", "board", "baud"]
        assert "write_transport" in client.supported_methods
        again = client.server_info_query("0.18.0")
        assert again == client.server_info


def test_every_method_from_template_to_transport(make_project, mlf: Path, tmp_path: Path) -> None:
    project = tmp_path / "generated"
    with ProjectApiClient.launch(make_project("v1_server.py")) as template:
        assert template.generate_project(mlf, tmp_path / "crt", project, {"verbose": True}) is None
    assert (project / "microtvm_api_server.py").is_file()
    assert (project / "crt_dir.txt").read_text() == str(tmp_path / "crt")
    with ProjectApiClient.launch(project) as client:
        assert client.server_info.is_template is False
        assert client.server_info.model_library_format_path == str(project / "model.tar")
        assert client.build({"opt_level": 3}) is None
        assert (project / "built").read_text() == '{"opt_level": 3}'
        assert client.flash({"board": "nrf5340dk"}) is None
        assert (project / "flashed").read_text() == "nrf5340dk"
        opened = client.open_transport({"board": "qemu_x86", "baud": 115200})
        assert opened.timeouts.session_start_timeout_sec == 5.0
        payload = bytes(range(256)) * 4
        assert client.write_transport(payload, 1.0) is None
        assert client.read_transport(1000, 1.0) == payload[:1000]
        assert client.read_transport(1000, 1.0) == payload[1000:]
        with pytest.raises(IoTimeoutError) as timed_out:
            client.read_transport(1, 0)
        assert timed_out.value.message == "IoTimeoutError"
        assert timed_out.value.detail == "no byte within 0 s"
        assert client.close_transport() is None
        with pytest.raises(TransportClosedError, match="the transport is not open"):
            client.read_transport(1, 0)
        assert not client.over


def test_generic_server_error_carries_the_server_traceback(make_project, mlf: Path, tmp_path: Path) -> None:
    with ProjectApiClient.launch(make_project("v1_server.py")) as template:
        with pytest.raises(ServerError) as failed:
            template.generate_project(mlf, tmp_path, make_project("v1_server.py", "exists"), {})
        assert failed.value.code == -32000
        assert "File exists" in failed.value.message
        assert "Traceback" in failed.value.server_traceback
        assert not template.over, "an error reply does not end the session"
        with pytest.raises(ServerError, match="build: generate a project first"):
            template.build()


def test_refused_tvm_version_is_unsupported_tvm_version_error(make_project) -> None:
    project = make_project("v1_server.py")
    with pytest.raises(UnsupportedTVMVersionError) as refused:
        ProjectApiClient.launch(project, tvm_version="0.0.1")
    assert refused.value.detail == "tvm 0.0.1 is too old"


def test_options_are_checked_before_sending(make_project) -> None:
    with ProjectApiClient.launch(make_project("v1_server.py")) as client:
        with pytest.raises(OptionsError) as bad:
            client.flash({"bord": "qemu_x86"})
        assert bad.value.problems == [
            "flash: unknown option 'bord'; valid options: baud, board, opt_level, verbose",
            "flash: flash requires option 'board' (the board to flash)",
        ]
        assert not client.over


def test_calls_after_close_raise_session_over(make_project, group_alive) -> None:
    client = ProjectApiClient.launch(make_project("v1_server.py"))
    pid = client.server.pid
    assert client.close() == 0
    assert not group_alive(pid)
    with pytest.raises(SessionOverError, match="build: the session is over: the session was closed"):
        client.build()


def test_directory_without_a_server_is_server_not_found(tmp_path: Path) -> None:
    with pytest.raises(ServerNotFoundError, match="no microtvm_api_server.py or launch_microtvm_api_server.sh"):
        ProjectApiClient.launch(tmp_path)


def test_launch_script_is_preferred_and_gets_the_server_path(make_project) -> None:
    project = make_project("v1_server.py")
    script = project / "launch_microtvm_api_server.sh"
    script.write_text('#!/bin/sh\necho "launched $1" > launched.txt\nexec python3 "$@"\n')
    script.chmod(0o755)
    with ProjectApiClient.launch(project, python="/nonexistent/python") as client:
        assert client.revision == 1
    assert (project / "launched.txt").read_text() == f"launched {project / 'microtvm_api_server.py'}\n"
