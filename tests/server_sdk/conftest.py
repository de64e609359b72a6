"""A raw pipe driver for SDK servers: real subprocesses over real pipes, lines written by hand."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from microtvm_project_api.protocol.agreement import query_params
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
        self.revision = 2

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

    def info(self, revision: int | None = None) -> dict[str, Any]:
        """server_info_query asked as a client of `revision` (default: the session's) asks it: revision 1 as TVM's
        client does (no protocol_versions), 2 with [2]. The reply must be in that revision, which the session keeps."""
        revision = revision or self.revision
        info = self.result("server_info_query", query_params("0.18.0", None if revision == 1 else [revision]))
        assert info["protocol_version"] == revision, info
        self.revision = revision
        return info

    def close(self) -> int | None:
        return self.process.close()


@pytest.fixture
def start() -> Iterator[Callable[..., RawServer]]:
    """start(project_dir, revision=2, agree=True, **env) -> a RawServer closed after the test, its revision chosen
    by a first server_info_query unless `agree` is False (a server that is not meant to start)."""
    servers: list[RawServer] = []

    def _start(project_dir: Path, revision: int = 2, agree: bool = True, **env: str) -> RawServer:
        server = RawServer(project_dir, {**os.environ, **env})
        servers.append(server)
        if agree:
            server.info(revision)
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
