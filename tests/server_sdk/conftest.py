"""A raw pipe driver for SDK servers: real subprocesses over real pipes, lines written by hand."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.wire import decode_message, request

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = REPO / "examples" / "loopback"
FIXTURE_SERVER = Path(__file__).with_name("fixture_server.py")
TIMEOUT = 30.0


class RawServer:
    """One server process; sends lines or requests and returns the decoded reply."""

    def __init__(self, project_dir: Path, env: dict[str, str] | None = None) -> None:
        self.process = ServerProcess(project_dir, env=env)
        self._next_id = 0

    def send(self, line: bytes) -> Any:
        """Send one raw line (newline added when missing) and decode the reply line."""
        self.process.send_line(line if line.endswith(b"\n") else line + b"\n", TIMEOUT)
        return decode_message(self.process.read_line(TIMEOUT))

    def call(self, method: str, params: dict[str, Any], request_id: int | str | None = None) -> Any:
        """Send a well-formed request; the whole reply object."""
        self._next_id += 1
        message = request(method, params, self._next_id if request_id is None else request_id)
        return self.send(json.dumps(message).encode())

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """The result of a call that must succeed."""
        reply = self.call(method, params)
        assert "result" in reply, reply
        return reply["result"]

    def error(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The error object of a call that must fail."""
        reply = self.call(method, params)
        assert "error" in reply, reply
        return reply["error"]

    def close(self) -> int | None:
        return self.process.close()


def environment(revision: int, **extra: str) -> dict[str, str]:
    """The server's environment: the revision switch of the loopback and fixture servers, plus `extra`."""
    return {**os.environ, "LOOPBACK_PROTOCOL_REVISION": str(revision), "FIXTURE_PROTOCOL_REVISION": str(revision), **extra}


@pytest.fixture
def start() -> Iterator[Callable[..., RawServer]]:
    """start(project_dir, revision=2, **env) -> a RawServer closed after the test."""
    servers: list[RawServer] = []

    def _start(project_dir: Path, revision: int = 2, **env: str) -> RawServer:
        server = RawServer(project_dir, environment(revision, **env))
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.close()


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    """A template project whose server is tests/server_sdk/fixture_server.py."""
    project = tmp_path / "fixture"
    project.mkdir()
    shutil.copy(FIXTURE_SERVER, project / "microtvm_api_server.py")
    return project


@pytest.fixture
def loopback_dir(tmp_path: Path) -> Path:
    """A private copy of the loopback template (tests may generate projects next to it)."""
    project = tmp_path / "loopback"
    project.mkdir()
    shutil.copy(LOOPBACK / "microtvm_api_server.py", project / "microtvm_api_server.py")
    return project
