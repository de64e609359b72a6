"""The client/server pairs under measurement, behind one small interface: launch, call, move bytes, close.

Besides the plain pair and ours, two crossed pairs split our cost between the sides: the plain client
talking to the SDK's server, and the typed client talking to the plain server.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol

from bench.plain_jsonrpc.client import SERVER as PLAIN_SERVER
from bench.plain_jsonrpc.client import PlainClient
from microtvm_project_api.protocol.launch import SERVER_FILE

LOOPBACK_DIR = Path(__file__).resolve().parent.parent / "examples" / "loopback"


class Session(Protocol):
    """A launched server and the client talking to it."""

    @property
    def server_pid(self) -> int: ...

    def server_info(self) -> None: ...

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, n: int) -> bytes: ...

    def close(self) -> None: ...


class OursSession:
    """The typed client, validating every reply, with the server of `project_dir` (the SDK loopback by default)."""

    def __init__(self, revision: int, project_dir: Path = LOOPBACK_DIR) -> None:
        from microtvm_project_api.client.client import ProjectApiClient

        self.client = ProjectApiClient.launch(project_dir, protocol_versions=[revision])
        assert self.client.revision == revision, f"asked for revision {revision}, the server speaks {self.client.revision}"

    @property
    def server_pid(self) -> int:
        return self.client.server.pid

    def server_info(self) -> None:
        self.client.server_info_query()

    def open(self) -> None:
        self.client.open_transport()

    def write(self, data: bytes) -> None:
        self.client.write_transport(data, None)

    def read(self, n: int) -> bytes:
        return self.client.read_transport(n, None)

    def close(self) -> None:
        self.client.close()


@lru_cache(maxsize=1)
def plain_project() -> Path:
    """A project directory whose server is the plain one, for the typed client's launch convention (removed at exit)."""
    directory = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    shutil.copy2(PLAIN_SERVER, directory / SERVER_FILE)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def plain_session(server: str = PLAIN_SERVER, cwd: Path | None = None, env: dict[str, str] | None = None, codec: str = "base64") -> Session:
    """A plain client, launched and answered once (ours asks server_info_query as part of launching)."""
    session = PlainClient(server, None if cwd is None else str(cwd), env, codec)
    session.server_info()
    return session


SUBJECTS: dict[str, Callable[[], Session]] = {
    "plain": plain_session,
    "plain-b85": lambda: plain_session(env={**os.environ, "PLAIN_CODEC": "base85"}, codec="base85"),
    "plain+sdk": lambda: plain_session(str(LOOPBACK_DIR / SERVER_FILE), LOOPBACK_DIR),
    "typed+plain": lambda: OursSession(2, plain_project()),
    "ours-v1": lambda: OursSession(1),
    "ours-v2": lambda: OursSession(2),
}
"""Launch functions by name, each returning once the server answered its first call: the plain stdlib pair
(the baseline), the same pair with base85 payloads (the stand-in for TVM's shipped pair, whose payload cost
is that codec's), the crossed pairs (plain client + SDK server v2, typed client + plain server), then ours."""

PAYLOAD_SUBJECTS = ("plain", "plain-b85", "ours-v1", "ours-v2")
"""The subjects whose payload throughput and memory are measured (the crossed pairs only split call latency)."""


def one_way(session: Session, data: bytes) -> tuple[float, float]:
    """Seconds to write `data` (client encodes, server decodes), then seconds to read it all back (server
    encodes, client decodes), checked: each byte crosses once per direction, encoded once and decoded once."""
    start = time.perf_counter()
    session.write(data)
    written = time.perf_counter()
    received = session.read(len(data))
    while len(received) < len(data):  # a loopback holding every byte answers at once; this is never slower
        received += session.read(len(data) - len(received))
    done = time.perf_counter()
    if received != data:
        raise AssertionError(f"the loopback returned {len(received)} different bytes")
    return written - start, done - written


def round_trip(session: Session, data: bytes) -> None:
    """Write `data` through a loopback and read all of it back, checking it came back whole (remote_serial.py)."""
    session.write(data)
    received = bytearray()
    while len(received) < len(data):
        received += session.read(len(data) - len(received))
    if received != data:
        raise AssertionError(f"the loopback returned {len(received)} different bytes")
