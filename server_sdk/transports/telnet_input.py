"""What an RFC 2217 exporter sends, split and bounded: telnet commands go to the port, data waits in a bounded inbox.

The exporter's bytes are telnet: data with 0xFF doubled, commands after IAC (0xFF), subnegotiations between IAC SB and
IAC SE. `TelnetSplitter` takes each received chunk in runs (one `bytes.find` per command, not one step per byte) and
refuses a subnegotiation longer than its bound, where pyserial buffers an endless one whole. `Inbox` holds received data
until a read takes it, up to a bound, as a UART's receive buffer does: what arrives while it is full is dropped and
counted, and the next read reports the overrun, where pyserial queues one entry per byte without limit.
"""

from __future__ import annotations

import math
import threading
from typing import Callable, Protocol

from serial import SerialException

IAC, SB, SE = 0xFF, 0xFA, 0xF0
NEGOTIATIONS = frozenset((0xFB, 0xFC, 0xFD, 0xFE))
"""WILL, WONT, DO, DONT: each is followed by one option byte."""


class InputOverrun(SerialException):  # type: ignore[misc]
    """Data arrived while the inbox was full: some of what the exporter sent was dropped."""


class TelnetViolation(SerialException):  # type: ignore[misc]
    """The exporter sent something no telnet peer may send (a subnegotiation past the bound)."""


class TelnetHandler(Protocol):
    """Where a TelnetSplitter sends what it finds; commands and options are single bytes, as pyserial's handlers take them."""

    def telnet_data(self, data: bytes) -> None: ...

    def telnet_command(self, command: bytes) -> None: ...

    def telnet_negotiation(self, command: bytes, option: bytes) -> None: ...

    def telnet_subnegotiation(self, body: bytes) -> None: ...


class TelnetSplitter:
    """Splits the exporter's stream, chunk by chunk, into data runs, commands, negotiations and subnegotiations."""

    def __init__(self, handler: TelnetHandler, max_subnegotiation_bytes: int) -> None:
        self._handler = handler
        self._max_subnegotiation = max_subnegotiation_bytes
        self._after_iac = False
        self._negotiation: bytes | None = None
        self._subnegotiation: bytearray | None = None

    def feed(self, chunk: bytes) -> None:
        """Take one received chunk; commands split across chunks are completed by the next ones. TelnetViolation when a
        subnegotiation grows past the bound."""
        at = 0
        while at < len(chunk):
            if self._negotiation is not None:
                command, self._negotiation = self._negotiation, None
                self._handler.telnet_negotiation(command, chunk[at:at + 1])
                at += 1
            elif self._after_iac:
                self._after_iac = False
                self._command(chunk[at])
                at += 1
            else:
                found = chunk.find(IAC, at)
                end = len(chunk) if found < 0 else found
                if end > at:
                    self._take_text(chunk[at:end])
                at = end + 1
                self._after_iac = found >= 0

    def _command(self, command: int) -> None:
        """The byte after an IAC. Inside a subnegotiation, IAC IAC is a 0xFF of its body and IAC SE ends it; any other
        command there cuts it short (it is dropped) and is then handled as outside."""
        if command == IAC:
            self._take_text(b"\xff")
            return
        if self._subnegotiation is not None:
            body, self._subnegotiation = bytes(self._subnegotiation), None
            if command == SE:
                self._handler.telnet_subnegotiation(body)
                return
        if command == SB:
            self._subnegotiation = bytearray()
        elif command in NEGOTIATIONS:
            self._negotiation = bytes((command,))
        elif command != SE:  # an SE outside a subnegotiation ends nothing: ignored
            self._handler.telnet_command(bytes((command,)))

    def _take_text(self, text: bytes) -> None:
        if self._subnegotiation is None:
            self._handler.telnet_data(text)
            return
        self._subnegotiation += text
        if len(self._subnegotiation) > self._max_subnegotiation:
            raise TelnetViolation(f"the exporter sent a telnet subnegotiation longer than {self._max_subnegotiation} bytes"
                                  " (an RFC 2217 one is a few bytes)")


class Inbox:
    """Data received and not yet read, at most `bound` bytes, and why the connection ended once it has; readers and
    negotiation waits sleep on it, the reader thread wakes them."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._data = bytearray()
        self._changed = threading.Condition()
        self.dropped = 0
        """Bytes that arrived while the inbox was full, since the last overrun was reported."""
        self.ended: str | None = None
        """Why no more data will come (the exporter hung up, broke the protocol, or the port was closed)."""

    def put(self, data: bytes) -> None:
        """Keep what fits within the bound, count the rest as dropped."""
        with self._changed:
            room = self.bound - len(self._data)
            self._data += data[:room] if room < len(data) else data
            self.dropped += max(0, len(data) - room)
            self._changed.notify_all()

    def end(self, reason: str) -> None:
        """No more data will come; the first reason given is kept."""
        with self._changed:
            if self.ended is None:
                self.ended = reason
            self._changed.notify_all()

    def changed(self) -> None:
        """Wake the waiters: the telnet state they wait on may have changed."""
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, ready: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until `ready()` (checked whenever the reader thread took a chunk) or the end; whether `ready()` holds."""
        with self._changed:
            self._changed.wait_for(lambda: ready() or self.ended is not None, _bounded(timeout))
            return ready()

    def take(self, n: int, timeout: float | None) -> bytes:
        """1 to n bytes once one is there; b"" once `timeout` passed. InputOverrun when data was dropped since the last
        read, SerialException with the reason once the connection ended and everything before was read."""
        with self._changed:
            self._changed.wait_for(lambda: self._data or self.dropped or self.ended is not None, _bounded(timeout))
            if self.dropped:
                dropped, self.dropped = self.dropped, 0
                raise InputOverrun(f"input overrun: the exporter sent {dropped} bytes while the {self.bound} bytes this port"
                                   " holds unread were waiting; they were dropped")
            if self._data:
                taken = bytes(self._data[:n])
                del self._data[:n]
                return taken
            if self.ended is not None:
                raise SerialException(self.ended)
            return b""

    def peek(self, n: int) -> bytes:
        """Up to n of the bytes waiting, left there."""
        with self._changed:
            return bytes(self._data[:n])

    def clear(self) -> None:
        """Drop what is waiting, and forget an overrun of it: nothing of it will be read."""
        with self._changed:
            self._data.clear()
            self.dropped = 0

    def __len__(self) -> int:
        return len(self._data)


def _bounded(timeout: float | None) -> float | None:
    """A timeout threading accepts: None (no limit) for an infinite one, at most threading.TIMEOUT_MAX otherwise."""
    if timeout is None or not math.isfinite(timeout):
        return None
    return min(max(timeout, 0.0), threading.TIMEOUT_MAX)
