"""SIGTERM and SIGINT during generate_project: the server unwinds the call, removes the project directory it was
making, and exits with 128 + the signal's number. Real servers, real signals."""

from __future__ import annotations

import io
import os
import signal
import tarfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from microtvm_project_api.protocol.wire import encode_message, request

SIGNALS = [(signal.SIGTERM, 128 + 15), (signal.SIGINT, 128 + 2)]


def start_generating(server: Any, archive: Path, project_dir: Path) -> None:
    """Send generate_project without waiting for its reply."""
    params = {"model_library_format_path": str(archive), "standalone_crt_dir": str(project_dir.parent),
              "project_dir": str(project_dir), "options": {}}
    server.process.send_line(encode_message(request("generate_project", params, 1)), 10.0)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.001)


def exit_status(server: Any, timeout: float = 10.0) -> int:
    return server.process.process.wait(timeout)


@pytest.mark.parametrize("revision", [1, 2])
@pytest.mark.parametrize("signum, status", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_generate_project_removes_the_half_made_project(start, fixture_dir, tmp_path, revision, signum,
                                                                        status) -> None:
    server = start(fixture_dir, revision, FIXTURE_VARIANT="blocking_generate")
    project_dir = tmp_path / "project"
    start_generating(server, tmp_path / "unused.tar", project_dir)
    wait_for((project_dir / "half-made").exists, "the handler making the project")
    os.kill(server.process.process.pid, signum)
    assert exit_status(server) == status
    assert not project_dir.exists()
    server.close()  # the stderr drain has read everything
    assert f"stopped by {signal.Signals(signum).name}" in "\n".join(server.process.stderr_tail)


def many_files(path: Path, count: int) -> Path:
    """An archive of `count` empty files in one directory: slow enough to extract to stop the server in the middle."""
    with tarfile.open(path, "w") as tar:
        for index in range(count):
            tar.addfile(tarfile.TarInfo(f"codegen/host/src/f{index}.c"), io.BytesIO())
    return path


def test_sigterm_in_the_middle_of_extracting_an_archive_removes_the_project(start, loopback_dir, tmp_path) -> None:
    archive = many_files(tmp_path / "many.tar", 20_000)
    server = start(loopback_dir)
    project_dir = tmp_path / "project"
    start_generating(server, archive, project_dir)
    pid = server.process.process.pid
    wait_for((project_dir / "model" / "codegen").exists, "the extraction starting")
    os.kill(pid, signal.SIGSTOP)  # hold it mid-extraction while we look and signal
    try:
        assert not (project_dir / "model.tar").exists(), "the generation finished before it could be interrupted"
        os.kill(pid, signal.SIGTERM)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert exit_status(server) == 128 + 15
    assert not project_dir.exists()
