"""A byte stream over read_transport/write_transport with RFC 0008's deadline semantics, for the session layer above.

`read(n, timeout_sec)` returns 1 to n bytes or raises IoTimeoutError; `write(data, timeout_sec)`
writes every byte or raises IoTimeoutError once the deadline has passed. Large writes are split
so that no request line comes near the protocol's line bound; the deadline covers the whole write.
`timeout_sec` 0 means do not block, None block until done.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.generated.models import TransportTimeouts

DEFAULT_WRITE_CHUNK = 1024 * 1024
"""Bytes per write_transport request: encoded, about 1.4 MiB, far below the 64 MiB line bound."""


class TransportStream:
    """The device channel of one session: open on construction, closed by `close()` or the context manager."""

    def __init__(self, client: ProjectApiClient, options: Mapping[str, Any] | None = None,
                 write_chunk: int = DEFAULT_WRITE_CHUNK) -> None:
        """Open the transport with `options`; `timeouts` holds the session timeouts the server gave."""
        if write_chunk < 1:
            raise ValueError("write_chunk must be at least 1 byte")
        self.client = client
        self.write_chunk = write_chunk
        self.timeouts: TransportTimeouts = client.open_transport(options).timeouts
        self.closed = False

    def read(self, n: int, timeout_sec: float | None) -> bytes:
        """Between 1 and `n` bytes; IoTimeoutError when none arrive in time, TransportClosedError when the channel is gone."""
        if n < 1:
            raise ValueError(f"read needs n >= 1, not {n}")
        return self.client.read_transport(n, timeout_sec)

    def write(self, data: bytes, timeout_sec: float | None) -> int:
        """Write every byte of `data` within `timeout_sec` (in chunks); returns len(data)."""
        deadline = None if timeout_sec is None else time.monotonic() + timeout_sec
        view = memoryview(data)
        for start in range(0, len(view), self.write_chunk):
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            self.client.write_transport(bytes(view[start:start + self.write_chunk]), remaining)
        return len(data)

    def close(self) -> None:
        """Close the transport (once; a session that is already over needs no close)."""
        if not self.closed and not self.client.over:
            self.closed = True
            self.client.close_transport()

    def __enter__(self) -> "TransportStream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
