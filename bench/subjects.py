"""The client/server pairs under measurement, behind one small interface: launch, call, move bytes, close."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Protocol

from bench.plain_jsonrpc.client import PlainClient

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
    """The typed client and the SDK loopback server, validating on both sides, in one protocol revision."""

    def __init__(self, revision: int) -> None:
        from microtvm_project_api.client.client import ProjectApiClient

        env = {**os.environ, "LOOPBACK_PROTOCOL_REVISION": str(revision)}
        self.client = ProjectApiClient.launch(LOOPBACK_DIR, env=env)
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


def plain_session() -> Session:
    """The plain pair, launched and answered once (ours asks server_info_query as part of launching)."""
    session = PlainClient()
    session.server_info()
    return session


SUBJECTS: dict[str, Callable[[], Session]] = {
    "plain": plain_session,
    "ours-v1": lambda: OursSession(1),
    "ours-v2": lambda: OursSession(2),
}
"""Launch functions by name, each returning once the server answered its first call: the plain stdlib
pair (the baseline), then ours in each revision."""


def round_trip(session: Session, data: bytes) -> None:
    """Write `data` through the loopback and read all of it back, checking it came back whole."""
    session.write(data)
    received = bytearray()
    while len(received) < len(data):
        received += session.read(len(data) - len(received))
    if received != data:
        raise AssertionError(f"the loopback returned {len(received)} different bytes")
