"""A deadline too far for the OS to wait (the schema allows any timeout_sec >= 0: 1e9, 1e300) is waited as no deadline
by every transport, over real pipes, a real pseudo-terminal and an RFC 2217 exporter on 127.0.0.1, instead of
overflowing in epoll or select ("timeout is too large", "timestamp out of range for platform time_t")."""

from __future__ import annotations

import math
import os
import socket
import threading
import tty
from typing import Iterator

import pytest
from rfc2217_peer import ScriptedExporter, answer_until_closed

from microtvm_project_api.server_sdk.transports.base import MAX_WAIT_SEC, Transport, waitable
from microtvm_project_api.server_sdk.transports.fd import FdTransport
from microtvm_project_api.server_sdk.transports.serial import SerialTransport

pytestmark = pytest.mark.timeout(60)
HUGE = (MAX_WAIT_SEC * 2, 1e9, 1e300, math.inf)
LATE_SEC = 0.2


def test_waitable_keeps_what_the_os_can_wait_and_drops_the_rest() -> None:
    assert [waitable(t) for t in (None, 0.0, 2.5, MAX_WAIT_SEC, *HUGE, math.nan)] == [None, 0.0, 2.5, MAX_WAIT_SEC] + [None] * 5


@pytest.fixture(params=["pipes", "pty", "rfc2217"])
def channel(request: pytest.FixtureRequest) -> Iterator[tuple[Transport, int]]:
    """(an open transport, the fd of its far end on which the test writes what the transport reads)."""
    if request.param == "pipes":
        into_read, into_write = os.pipe()
        out_read, out_write = os.pipe()
        with FdTransport(into_read, out_write) as transport:
            yield transport, into_write
        for fd in (into_write, out_read):
            os.close(fd)
    elif request.param == "pty":
        master, slave = os.openpty()
        tty.setraw(slave)
        with SerialTransport(os.ttyname(slave)) as transport:
            yield transport, master
        os.close(master)
        os.close(slave)
    else:
        board_read, board_write = os.pipe()

        def exporter_forwarding_the_pipe(connection: socket.socket) -> None:
            threading.Thread(target=answer_until_closed, args=(connection,), daemon=True).start()
            while data := os.read(board_read, 65536):
                connection.sendall(data)

        with ScriptedExporter(exporter_forwarding_the_pipe) as exporter:
            with SerialTransport(exporter.url()) as transport:
                yield transport, board_write
            os.close(board_write)
        os.close(board_read)


@pytest.mark.parametrize("timeout", HUGE, ids=["24.8-days-times-2", "1e9", "1e300", "inf"])
def test_a_read_with_a_deadline_too_far_to_wait_waits_for_the_byte(channel: tuple[Transport, int], timeout: float) -> None:
    transport, far = channel
    writer = threading.Timer(LATE_SEC, lambda: os.write(far, b"late"))
    writer.start()
    try:
        assert transport.read(1, timeout) == b"l"
    finally:
        writer.join()
    transport.write(b"w", timeout)
