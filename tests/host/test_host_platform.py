"""The host platform end to end through the typed client, in both revisions: generate, build, flash, both apps,
and every failure the platform must report clearly (compiler errors, flashing unbuilt images, a dying firmware)."""

from __future__ import annotations

import logging
import os
import random
import re
import signal
from pathlib import Path

import pytest
from host_project import TEMPLATE_DIR, children, generate, launch

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import InvalidParamsError, ServerError, TransportClosedError
from microtvm_project_api.sample_model import INPUT_SIZE, run
from microtvm_project_api.sample_model.frames import infer

pytestmark = pytest.mark.timeout(60)
CHUNK = 1024


def test_template_declares_its_options_with_full_metadata(revision: int) -> None:
    with launch(TEMPLATE_DIR, revision) as client:
        info = client.server_info
        options = {o.name: o for o in client.project_options}
    assert (info.protocol_version, info.platform_name, info.is_template) == (revision, "host", True)
    assert info.model_library_format_path is None
    assert set(options) == {"app", "workspace_size_bytes", "verbose", "clean", "serial_url"}
    app = options["app"]
    assert (app.type, app.default, list(app.choices), list(app.optional)) == ("str", "echo", ["echo", "model"], ["generate_project"])
    assert list(options["clean"].optional) == ["build"] and options["clean"].default is False
    url = options["serial_url"]
    assert (url.type, url.default, url.choices, list(url.optional)) == ("str", None, None, ["open_transport"])
    assert all(o.help for o in options.values())
    if revision == 2:
        assert info.supported_methods == ["server_info_query", "generate_project", "build", "flash", "open_transport",
                                          "close_transport", "read_transport", "write_transport"]


@pytest.mark.parametrize("method", ["build", "flash"])
def test_a_template_refuses_to_build_or_flash_itself(revision: int, method: str) -> None:
    with launch(TEMPLATE_DIR, revision, check_options=False) as client:
        with pytest.raises(ServerError) as caught:
            getattr(client, method)()
    assert caught.value.message == f"{method}: {TEMPLATE_DIR} is the template; generate a project and {method} that"
    assert not (TEMPLATE_DIR / "build.log").exists() and not (TEMPLATE_DIR / "device").exists()


def test_a_generated_project_supports_every_method_but_generate(flashed) -> None:
    with launch(flashed("echo", 2), 2) as client:
        assert client.server_info.supported_methods == ["server_info_query", "build", "flash", "open_transport",
                                                        "close_transport", "read_transport", "write_transport"]


@pytest.mark.app("echo")
def test_echo_firmware_writes_back_every_byte(session: ProjectApiClient, revision: int) -> None:
    timeouts = session.open_transport().timeouts
    assert timeouts.session_start_timeout_sec > 0 and timeouts.session_established_timeout_sec > 0
    rng = random.Random(revision)
    sent = bytes(range(256)) + bytes(rng.randrange(256) for _ in range(4000))
    received = b""
    for start in range(0, len(sent), CHUNK):  # one chunk in flight: the pty's buffers never fill up
        session.write_transport(sent[start : start + CHUNK], 10.0)
        while len(received) < min(start + CHUNK, len(sent)):
            received += session.read_transport(min(start + CHUNK, len(sent)) - len(received), 10.0)
    assert received == sent, "the line must be raw: no byte translated, dropped or added"
    session.close_transport()
    session.close_transport()  # closing twice is a no-op


@pytest.mark.app("model")
def test_model_firmware_matches_the_python_reference_bit_for_bit(session: ProjectApiClient, revision: int) -> None:
    session.open_transport()
    rng = random.Random(100 + revision)
    inputs = [bytes([0x80] * INPUT_SIZE), bytes([0x7F] * INPUT_SIZE)]
    inputs += [bytes(rng.randrange(256) for _ in range(INPUT_SIZE)) for _ in range(40)]
    assert [infer(session, x) for x in inputs] == [run(x) for x in inputs]
    session.close_transport()


@pytest.mark.app("echo")
def test_killing_the_firmware_mid_session_is_transport_closed(session: ProjectApiClient) -> None:
    session.open_transport()
    session.write_transport(b"ping", 5.0)
    assert session.read_transport(4, 5.0) == b"ping"
    firmware = children(session.server.pid)
    assert len(firmware) == 1
    os.kill(firmware[0], signal.SIGKILL)
    with pytest.raises(TransportClosedError) as caught:
        session.read_transport(1, 5.0)
    assert caught.value.message == "TransportClosedError"
    with pytest.raises(TransportClosedError):
        session.write_transport(b"x", 5.0)
    session.close_transport()
    session.open_transport()  # a new session restarts the firmware
    session.write_transport(b"again", 5.0)
    assert session.read_transport(5, 5.0) == b"again"


@pytest.mark.app("echo")
def test_transport_calls_before_open_are_transport_closed(session: ProjectApiClient) -> None:
    with pytest.raises(TransportClosedError, match="not open"):
        session.read_transport(1, 0.5)
    with pytest.raises(TransportClosedError, match="not open"):
        session.write_transport(b"x", 0.5)


def test_compiler_errors_come_back_in_the_error_message(archive: Path, tmp_path: Path, revision: int) -> None:
    project = tmp_path / "broken"
    generate(archive, project, revision, app="model")
    source = project / "model" / "codegen" / "host" / "src" / "default_lib0.c"
    good = source.read_text()
    source.write_text(good + "\nint this_is_broken = ;\n")
    with launch(project, revision) as client:
        with pytest.raises(ServerError) as caught:
            client.build()
        assert caught.value.code == -32000
        assert caught.value.message.startswith("build failed: make exited with status 2: ")
        diagnostic = r"model/codegen/host/src/default_lib0\.c:\d+:\d+: error: expected expression before ';' token"
        assert re.fullmatch(r"build failed: make exited with status 2: " + diagnostic, caught.value.message)
        assert "this_is_broken = ;" in caught.value.detail
        source.write_text(good)
        client.build()  # building again in the same project works
        client.build({"clean": True})
    log = (project / "build.log").read_text()
    assert log.count("rm -rf build") == 1 and log.count("default_lib0.o model/codegen") == 3


def test_verbose_logs_the_compiler_output(archive: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "chatty"
    generate(archive, project, 2, app="echo")
    caplog.set_level(logging.INFO, logger="microtvm_project_api.server")
    with launch(project, 2) as client:
        client.build()
    quiet = caplog.text
    with launch(project, 2) as client:
        client.build({"clean": True, "verbose": True})
    assert "cc " not in quiet and "-c -o build/src/echo.o src/echo.c" in caplog.text


def test_a_workspace_smaller_than_the_model_fails_at_compile_time(archive: Path, tmp_path: Path) -> None:
    project = tmp_path / "small"
    generate(archive, project, 2, app="model", workspace_size_bytes=4)
    with launch(project, 2) as client, pytest.raises(ServerError) as caught:
        client.build()
    assert "static assertion failed: \"workspace_size_bytes is smaller than TVMGEN_DEFAULT_WORKSPACE_SIZE" in caught.value.message


def test_flashing_before_building_is_refused(archive: Path, tmp_path: Path, revision: int) -> None:
    project = tmp_path / "unbuilt"
    generate(archive, project, revision, app="echo")
    with launch(project, revision) as client:
        with pytest.raises(ServerError) as caught:
            client.flash()
        assert caught.value.message == f"flash: no built firmware at {project.resolve() / 'build' / 'firmware'}; run build first"
        with pytest.raises(ServerError, match="nothing flashed .* run flash first"):
            client.open_transport()
    assert not (project / "device").exists()


def test_generated_project_reports_its_archive(flashed, revision: int) -> None:
    project = flashed("echo", revision)
    with launch(project, revision) as client:
        info = client.server_info
    assert info.is_template is False
    assert info.model_library_format_path == str(project.resolve() / "model.tar")
    assert (project / "model" / "metadata.json").is_file() and (project / "device" / "firmware").is_file()


def test_generate_refuses_bad_options_and_an_existing_directory(archive: Path, tmp_path: Path) -> None:
    with launch(TEMPLATE_DIR, 2, check_options=False) as client:
        with pytest.raises(InvalidParamsError) as caught:
            client.generate_project(archive, tmp_path / "a", tmp_path / "p1", {"workspace_size_bytes": 0})
        assert caught.value.message == "generate_project: /options/workspace_size_bytes: must be between 1 and 16777216, got 0"
        with pytest.raises(InvalidParamsError, match=r"/options/app: 'bogus' is not one of the choices"):
            client.generate_project(archive, tmp_path, tmp_path / "p2", {"app": "bogus"})
        with pytest.raises(ServerError, match="File exists"):
            client.generate_project(archive, tmp_path, tmp_path, {})
    assert not (tmp_path / "p1").exists() and not (tmp_path / "p2").exists()

