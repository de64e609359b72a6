"""What every transport does: open, close, read 1..n bytes and write all bytes within a deadline.

`timeout_sec` follows the protocol: 0 means do not block, None means block until done. read
returns at least 1 and at most n bytes or raises IoTimeoutError; write writes every byte or
raises IoTimeoutError; both raise TransportClosedError when the transport is not open or the
far end went away.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod

from microtvm_project_api.protocol.errors import TransportClosedError

READ_CHUNK = 1024 * 1024
"""The most bytes read from the OS in one call: n may be huge and is never allocated up front."""

MAX_READ_BYTES = 16 * 1024 * 1024
"""The most bytes one read returns, whatever n is: a fast producer cannot grow one reply without bound."""


MAX_WAIT_SEC = float((2**31 - 1) // 1000)
"""The longest wait every OS call used here accepts, in whole seconds: epoll counts milliseconds in a C int (24.8 days)."""


def waitable(timeout_sec: float | None) -> float | None:
    """`timeout_sec` as the OS can wait it: a deadline further than MAX_WAIT_SEC (1e300 and inf included, which the
    protocol's schema allows and the OS calls overflow on) is no deadline."""
    return timeout_sec if timeout_sec is not None and timeout_sec <= MAX_WAIT_SEC else None


class Deadline:
    """A point in time computed once from `timeout_sec`; None (or one too far to wait, see `waitable`) never expires."""

    def __init__(self, timeout_sec: float | None) -> None:
        bounded = waitable(timeout_sec)
        self.at = None if bounded is None else time.monotonic() + bounded

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None for no deadline."""
        return None if self.at is None else max(0.0, self.at - time.monotonic())


class Transport(ABC):
    """A byte channel to a device. Usable as a context manager (opened on enter, closed on exit)."""

    @abstractmethod
    def open(self) -> None:
        """Open the channel; read and write work until close."""

    @abstractmethod
    def close(self) -> None:
        """Close the channel; a no-op when it is closed."""

    @abstractmethod
    def read(self, n: int, timeout_sec: float | None) -> bytes:
        """1 to n bytes: whatever is available once the first byte arrives."""

    @abstractmethod
    def write(self, data: bytes, timeout_sec: float | None) -> None:
        """Every byte of `data`, or IoTimeoutError."""

    def __enter__(self) -> "Transport":
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def not_open() -> TransportClosedError:
    """The error of a read or write on a transport that is not open."""
    return TransportClosedError("the transport is not open")
