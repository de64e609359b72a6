"""The ser2net fixture, and the SDK's serial transport on rfc2217:// URLs against it: the test plays the board on the
master side of a pseudo-terminal that a real ser2net exports over RFC 2217 on 127.0.0.1. (The exporter dying in the
middle of a write or a deadline-bound read, and a busy port, are tested through the host platform in
test_remote_serial.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import tty
from pathlib import Path
from typing import Callable, Iterator

import pytest
import ser2net as ser2net_module
from ser2net import Ser2net, Ser2netError, find_ser2net

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.serial import SerialTransport

pytestmark = pytest.mark.timeout(60)
EVERY_BYTE = bytes(range(256))  # 0xFF is telnet's IAC: it must be escaped and unescaped on the way
FLOOD = os.urandom(1 << 20)
SLACK_SEC = 1.0


class Board:
    """The master side of a pseudo-terminal exported by ser2net; the slave stays open so the line never hangs up."""

    def __init__(self, exporter_for: Callable[[Path], Ser2net]) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.exporter = exporter_for(Path(os.ttyname(self.slave)))

    def read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            data += os.read(self.master, n - len(data))
        return data

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def board(ser2net: Callable[[Path], Ser2net]) -> Iterator[Board]:
    exported = Board(ser2net)
    yield exported
    exported.close()


@pytest.fixture
def line(board: Board) -> Iterator[SerialTransport]:
    with SerialTransport(board.exporter.url) as transport:
        yield transport


def read_exactly(transport: SerialTransport, n: int) -> bytes:
    data = b""
    while len(data) < n:
        data += transport.read(n - len(data), 5.0)
    return data


def test_ser2net_exports_a_raw_line_and_leaves_nothing_when_stopped(board: Board, line: SerialTransport) -> None:
    line.write(EVERY_BYTE, 5.0)
    assert board.read(len(EVERY_BYTE)) == EVERY_BYTE
    os.write(board.master, EVERY_BYTE[::-1])
    assert read_exactly(line, len(EVERY_BYTE)) == EVERY_BYTE[::-1]
    line.close()
    exporter = board.exporter
    pid = exporter.pids[-1]
    exporter.stop()
    exporter.assert_nothing_left()
    assert not Path(f"/proc/{pid}").exists(), "ser2net must be reaped, not left a zombie"


def test_the_proof_of_nothing_left_catches_a_listener_and_a_process(board: Board) -> None:
    exporter = board.exporter
    exporter.stop()
    with socket.create_server(("127.0.0.1", exporter.port)):
        with pytest.raises(Ser2netError, match=f"still listens on 127.0.0.1:{exporter.port}"):
            exporter.assert_nothing_left()
    straggler = subprocess.Popen(["sleep", "30"], start_new_session=True)
    exporter.pids.append(straggler.pid)
    try:
        with pytest.raises(Ser2netError, match=f"process group {straggler.pid} is still running"):
            exporter.assert_nothing_left()
    finally:
        straggler.kill()
        straggler.wait()
    exporter.assert_nothing_left()


def installed_in_sbin() -> str | None:
    """The first executable ser2net in the system directories find_ser2net adds to PATH, looked up there alone: what it
    must find once PATH lacks them, whatever ser2net comes first on PATH (a wrapper or a build in /usr/local/bin)."""
    for directory in ser2net_module.SBIN:
        candidate = Path(directory) / "ser2net"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def test_ser2net_is_found_in_sbin_when_path_lacks_it(ser2net: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_ser2net() == installed_in_sbin()


def test_a_ser2net_on_path_comes_first_and_the_sbin_one_is_found_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper, installed = tmp_path / "local-bin" / "ser2net", tmp_path / "sbin" / "ser2net"
    for executable in (wrapper, installed):
        executable.parent.mkdir()
        executable.write_text("#!/bin/sh\n")
        executable.chmod(0o755)
    monkeypatch.setattr(ser2net_module, "SBIN", (str(tmp_path / "missing"), str(installed.parent)))
    monkeypatch.setenv("PATH", str(wrapper.parent))
    assert find_ser2net() == str(wrapper)
    assert installed_in_sbin() == str(installed)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_ser2net() == str(installed)


def test_every_deadline_holds_and_changing_one_costs_no_round_trip(board: Board, line: SerialTransport) -> None:
    # pyserial's own port renegotiates the line on every timeout change: at least 150 ms each, 0.9 s for these.
    timeouts = (0, 0.05, 0, 0.1, 0.02, 0)
    all_started = time.monotonic()
    for timeout in timeouts:
        started = time.monotonic()
        with pytest.raises(IoTimeoutError):
            line.read(1, timeout)
        assert time.monotonic() - started >= timeout
    assert time.monotonic() - all_started < sum(timeouts) + 0.45
    for timeout in (5.0, 0, None, 2.0):  # pyserial's own port refuses any write timeout
        line.write(b"w", timeout)
    assert board.read(4) == b"wwww"
    os.write(board.master, b"0123456789")
    time.sleep(0.3)
    assert line.read(100, 0) == b"0123456789"  # pyserial's own port returns one byte per read with timeout 0
    with pytest.raises(IoTimeoutError):  # the board stops reading: a write ends at its deadline
        for _ in range(64):  # the pty, ser2net and both sockets buffer a few MiB
            started = time.monotonic()
            line.write(FLOOD, 0.5)
    assert time.monotonic() - started < 0.5 + SLACK_SEC
    board.exporter.kill()  # stopped politely, ser2net would first try to hand its buffer to a board that never reads


def test_the_exporter_killed_during_a_read_without_deadline_is_transport_closed_at_once(board: Board, line: SerialTransport) -> None:
    started = time.monotonic()
    threading.Timer(0.3, board.exporter.kill).start()
    with pytest.raises(TransportClosedError, match="the exporter closed the connection"):
        line.read(1, None)
    assert time.monotonic() - started < 0.3 + SLACK_SEC
    with pytest.raises(TransportClosedError):
        line.read(1, 0)


def test_a_port_another_client_holds_is_refused_naming_the_url_and_the_reason(board: Board, line: SerialTransport) -> None:
    url = board.exporter.url
    with pytest.raises(TransportClosedError) as caught:
        SerialTransport(url).open()
    assert caught.value.detail.startswith(f"cannot open {url}: ")
    assert "'Port already in use'" in caught.value.detail
