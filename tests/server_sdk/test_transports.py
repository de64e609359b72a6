"""Transports keep the protocol's deadline semantics over real pipes, a real child process, a real
pseudo-terminal and pyserial's loop://: timeouts 0, small and None, and the far end closing."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.fd import FdTransport
from microtvm_project_api.server_sdk.transports.serial import SerialTransport
from microtvm_project_api.server_sdk.transports.subprocess import SubprocessTransport

SMALL = 0.2


def later(delay, action):
    """Run `action` after `delay` seconds on a thread; join the returned thread."""
    thread = threading.Thread(target=lambda: (time.sleep(delay), action()))
    thread.start()
    return thread


class FarEnd:
    """The test's side of a transport: fds it owns, each closed exactly once."""

    def __init__(self, **fds: int) -> None:
        self.fds = fds

    def __getattr__(self, name: str) -> int:
        return self.fds[name]

    def close(self, name: str) -> None:
        os.close(self.fds.pop(name))

    def close_all(self) -> None:
        for name in list(self.fds):
            self.close(name)


def opened(transport, far: FarEnd, close_after_open: tuple[str, ...] = ()):
    """Open `transport`, close the named far-end fds, yield (transport, far), then close everything."""
    transport.open()
    for name in close_after_open:
        far.close(name)
    try:
        yield transport, far
    finally:
        transport.close()
        far.close_all()


@pytest.fixture
def pipes():
    """(transport over two pipes, FarEnd with `into`: the transport's input, `out`: its output)."""
    into_read, into_write = os.pipe()
    out_read, out_write = os.pipe()
    yield from opened(FdTransport(into_read, out_write), FarEnd(into=into_write, out=out_read))


def test_fd_read_returns_what_is_there_up_to_n(pipes):
    transport, far = pipes
    os.write(far.into, b"hello")
    assert transport.read(3, 0) == b"hel"
    assert transport.read(100, None) == b"lo"


@pytest.mark.parametrize("kind", ["pipes", "pty_serial"])
@pytest.mark.parametrize("timeout", [0, SMALL])
def test_read_times_out_after_about_the_deadline(request, kind, timeout):
    transport, _ = request.getfixturevalue(kind)
    started = time.monotonic()
    with pytest.raises(IoTimeoutError):
        transport.read(1, timeout)
    assert time.monotonic() - started >= timeout * 0.9


def test_fd_read_without_deadline_waits_for_the_first_byte(pipes):
    transport, far = pipes
    writer = later(SMALL, lambda: os.write(far.into, b"x"))
    assert transport.read(10, None) == b"x"
    writer.join()


def test_fd_write_all_and_timeout_when_nobody_reads(pipes):
    transport, far = pipes
    transport.write(b"abc", 0)
    assert os.read(far.out, 10) == b"abc"
    with pytest.raises(IoTimeoutError, match="not written within 0.2 s"):
        transport.write(b"z" * (4 * 1024 * 1024), SMALL)


def test_fd_far_end_closing(pipes):
    transport, far = pipes
    far.close("into")
    with pytest.raises(TransportClosedError, match="the far end closed the channel"):
        transport.read(1, None)
    far.close("out")
    with pytest.raises(TransportClosedError, match="write failed"):
        transport.write(b"x", None)


def test_closed_transports_refuse_io_and_close_twice():
    transport = FdTransport(*os.pipe())
    for call in (lambda: transport.read(1, 0), lambda: transport.write(b"x", 0)):
        with pytest.raises(TransportClosedError, match="the transport is not open"):
            call()
    transport.open()
    transport.close()
    transport.close()
    with pytest.raises(TransportClosedError):
        transport.read(1, 0)


def test_subprocess_echo_then_child_exit_and_reap():
    transport = SubprocessTransport([sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read(4)); sys.stdout.flush()"])
    with transport:
        transport.write(b"ping", 5)
        got = b""
        while len(got) < 4:
            got += transport.read(4 - len(got), 10)
        assert got == b"ping"
        process = transport.process
        with pytest.raises(TransportClosedError):
            transport.read(1, 10)
    assert process.returncode == 0
    with pytest.raises(TransportClosedError, match="not open"):
        transport.read(1, 0)


def test_subprocess_that_ignores_eof_is_killed_and_reaped():
    transport = SubprocessTransport([sys.executable, "-c", "import time; time.sleep(60)"], grace_sec=0.2)
    transport.open()
    process = transport.process
    transport.close()
    assert process.returncode is not None


@pytest.fixture
def pty_serial():
    """(SerialTransport on the pty's slave, FarEnd with `master`); the slave fd closes once pyserial has the port."""
    master, slave = os.openpty()
    yield from opened(SerialTransport(os.ttyname(slave)), FarEnd(master=master, slave=slave), close_after_open=("slave",))


def test_serial_pty_both_directions(pty_serial):
    transport, far = pty_serial
    os.write(far.master, b"from device")
    time.sleep(0.05)
    assert transport.read(4, SMALL) == b"from"
    assert transport.read(100, 0) == b" device"
    transport.write(b"to device", None)
    assert os.read(far.master, 100) == b"to device"


def test_serial_pty_read_without_deadline(pty_serial):
    transport, far = pty_serial
    writer = later(SMALL, lambda: os.write(far.master, b"late"))
    data = transport.read(4, None)
    writer.join()
    assert b"late".startswith(data) and data


def test_serial_pty_write_times_out_when_the_device_does_not_read(pty_serial):
    transport, _ = pty_serial
    with pytest.raises(IoTimeoutError):
        transport.write(b"z" * (1024 * 1024), SMALL)


def test_serial_pty_far_end_closing(pty_serial):
    transport, far = pty_serial
    far.close("master")
    with pytest.raises(TransportClosedError):
        transport.read(1, None)
    with pytest.raises(TransportClosedError, match="not open"):
        transport.write(b"x", 0)


def test_serial_loop_url():
    with SerialTransport("loop://") as transport:
        with pytest.raises(IoTimeoutError):
            transport.read(1, 0)
        with pytest.raises(IoTimeoutError):
            transport.read(1, SMALL)
        transport.write(b"echo", None)
        assert transport.read(2, None) == b"ec"
        assert transport.read(10, SMALL) == b"ho"
        with pytest.raises(IoTimeoutError):
            transport.write(b"x" * 1000, 0)


def test_serial_open_failure_is_transport_closed(tmp_path):
    with pytest.raises(TransportClosedError, match="cannot open"):
        SerialTransport(str(tmp_path / "no-such-tty")).open()
