"""pyserial's RFC 2217 client port (`rfc2217://host:port`, what ser2net and labgrid export), made to keep deadlines.

pyserial 3.5's port renegotiates every line setting with the exporter whenever a timeout changes (at
least 150 ms with `ign_set_control`, and up to its network timeout once the exporter is gone), refuses
write timeouts, answers a read woken by the lost connection with zero bytes (which looks like a
timeout), and lets its reader thread die without a word when the exporter goes away while it answers a
negotiation (losing what it said, such as ser2net's "Port already in use"). This subclass negotiates only
real line changes, bounds every write by its write timeout, keeps reading after a failed answer, and
makes a lost connection an error on the read that sees it and on every later one.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import serial
from serial import rfc2217
from serial.serialutil import PortNotOpenError, SerialException, SerialTimeoutException, Timeout, to_bytes

READER_CHECK_SEC = 0.25
"""How often a waiting read checks that the reader thread is still alive."""

MIN_SOCKET_TIMEOUT_SEC = 0.001
"""A write with timeout 0 still gets a positive socket timeout: 0 would make the socket non-blocking for the
reader thread too, which takes the resulting BlockingIOError for a lost connection."""

MAX_SAID_BYTES = 256
"""The most bytes of what the exporter said before refusing a connection that go into the error."""

CONNECTION_LOST = "the exporter closed the connection"


class Rfc2217Port(rfc2217.Serial):  # type: ignore[misc]
    """An RFC 2217 port whose timeouts cost no network round trip and whose reads and writes end on a lost connection."""

    _negotiated: tuple[Any, ...] | None = None

    def open(self) -> None:
        """Connect and negotiate; a refusal carries what the exporter said (ser2net: "Port already in use")."""
        self._negotiated = self._read_buffer = None
        try:
            super().open()
        except (SerialException, OSError) as exc:  # OSError: the exporter hung up while being answered
            said = self._exporter_said()
            raise SerialException(f"{exc}; the exporter said {said!r}" if said else str(exc)) from None

    def _reconfigure_port(self) -> None:
        """Negotiate the line settings when they changed; a timeout change stays local."""
        line = (self._baudrate, self._bytesize, self._parity, self._stopbits, self._xonxoff, self._rtscts)
        if line == self._negotiated:
            return
        write_timeout, self._write_timeout = self._write_timeout, None  # type: ignore[has-type]  # the parent refuses any; write() keeps it
        try:
            super()._reconfigure_port()
        finally:
            self._write_timeout = write_timeout
        self._negotiated = line

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes within the timeout (what is already queued once it expired); SerialException once the
        connection is lost."""
        if not self.is_open:
            raise PortNotOpenError()
        timeout = Timeout(self._timeout)
        data = bytearray()
        while len(data) < size:
            wait = READER_CHECK_SEC if timeout.is_infinite else min(timeout.time_left(), READER_CHECK_SEC)
            try:
                byte = self._read_buffer.get(True, wait)  # type: ignore[attr-defined]
            except queue.Empty:
                if not self._reader_alive():
                    raise SerialException(CONNECTION_LOST) from None
                if timeout.expired():
                    break
                continue
            if byte is None:  # the reader thread's last word
                self._read_buffer.put(None)  # type: ignore[attr-defined]  # kept for the next read: nothing can follow it
                if data:
                    break
                raise SerialException(CONNECTION_LOST)
            data += byte
            data += self._take_queued(size - len(data))
        return bytes(data)

    def write(self, data: Any) -> int:
        """Every byte, or SerialTimeoutException once the write timeout passed (some bytes may have gone)."""
        if not self.is_open:
            raise PortNotOpenError()
        escaped = to_bytes(data).replace(rfc2217.IAC, rfc2217.IAC_DOUBLED)
        limit = None if self._write_timeout is None else max(self._write_timeout, MIN_SOCKET_TIMEOUT_SEC)
        with self._write_lock:
            reader_timeout = self._socket.gettimeout()
            self._socket.settimeout(limit)
            try:
                self._socket.sendall(escaped)
            except TimeoutError:
                raise SerialTimeoutException(f"not every byte reached the exporter within {self._write_timeout} s") from None
            except OSError as exc:
                raise SerialException(f"{CONNECTION_LOST}: {exc}") from None
            finally:
                self._socket.settimeout(reader_timeout)
        return len(data)

    def _internal_raw_write(self, data: bytes) -> None:
        """The parent's raw send. In the reader thread (answering a negotiation) a failure is left for its next receive to
        report: the parent's reader would die on it silently, losing the rest of what the exporter sent."""
        try:
            super()._internal_raw_write(data)
        except OSError:
            if threading.current_thread() is not self._thread:
                raise

    def _take_queued(self, n: int) -> bytes:
        """Up to n bytes already queued, taken under one lock instead of one get per byte (which halves the throughput);
        the reader's last word stays queued."""
        pending = self._read_buffer
        taken = bytearray()
        with pending.mutex:  # type: ignore[attr-defined]
            while len(taken) < n and pending.queue and pending.queue[0] is not None:  # type: ignore[attr-defined]
                taken += pending.queue.popleft()  # type: ignore[attr-defined]
        return bytes(taken)

    def _reader_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _exporter_said(self) -> str:
        """The text the exporter sent before the connection failed (it went into the read queue), bounded."""
        said = bytearray()
        while self._read_buffer is not None and len(said) < MAX_SAID_BYTES:  # type: ignore[unreachable]
            try:  # type: ignore[unreachable]
                byte = self._read_buffer.get_nowait()
            except queue.Empty:
                break
            if byte is None:
                break
            said += byte
        return said.decode("ascii", "replace").strip()


def open_rfc2217(url: str, baudrate: int, **settings: Any) -> serial.SerialBase:
    """An Rfc2217Port for `url`, opened (as `serial.serial_for_url` would open pyserial's own)."""
    port = Rfc2217Port(None, baudrate=baudrate, **settings)
    port.port = url
    port.open()
    return port
