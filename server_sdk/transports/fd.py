"""A transport over a pair of file descriptors (pipes, sockets, a pty master), made non-blocking and waited on
with selectors so every call keeps its deadline."""

from __future__ import annotations

import os
import selectors

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.base import MAX_READ_BYTES, READ_CHUNK, Deadline, Transport, not_open


class FdTransport(Transport):
    """Reads `read_fd`, writes `write_fd` (they may be the same fd); closes them on close when it owns them."""

    def __init__(self, read_fd: int, write_fd: int, owns_fds: bool = True) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.owns_fds = owns_fds
        self._open = False
        self._selector: selectors.BaseSelector | None = None

    def open(self) -> None:
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)
        self._selector = selectors.DefaultSelector()
        self._open = True

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        assert self._selector is not None
        self._selector.close()
        if self.owns_fds:
            for fd in {self.read_fd, self.write_fd}:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def read(self, n: int, timeout_sec: float | None) -> bytes:
        if not self._open:
            raise not_open()
        if not self._wait(self.read_fd, selectors.EVENT_READ, Deadline(timeout_sec)):
            raise IoTimeoutError(f"no byte arrived within {timeout_sec} s")
        chunks: list[bytes] = []
        wanted = min(n, MAX_READ_BYTES)
        while wanted:
            try:
                chunk = os.read(self.read_fd, min(wanted, READ_CHUNK))
            except BlockingIOError:
                break
            except OSError as exc:  # EIO from a pty whose far end closed
                if chunks:
                    break
                raise TransportClosedError(f"read failed: {exc}") from None
            if not chunk:
                if chunks:
                    break
                raise TransportClosedError("the far end closed the channel")
            chunks.append(chunk)
            wanted -= len(chunk)
        if not chunks:
            raise IoTimeoutError(f"no byte arrived within {timeout_sec} s")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def write(self, data: bytes, timeout_sec: float | None) -> None:
        if not self._open:
            raise not_open()
        deadline = Deadline(timeout_sec)
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.write_fd, view):]
                continue
            except BlockingIOError:
                pass
            except OSError as exc:  # EPIPE: the far end closed
                raise TransportClosedError(f"write failed: {exc}") from None
            if not self._wait(self.write_fd, selectors.EVENT_WRITE, deadline):
                raise IoTimeoutError(f"{len(view)} of {len(data)} bytes not written within {timeout_sec} s")

    def _wait(self, fd: int, event: int, deadline: Deadline) -> bool:
        """Whether `fd` became ready for `event` before the deadline."""
        assert self._selector is not None
        self._selector.register(fd, event)
        try:
            return bool(self._selector.select(deadline.remaining()))
        finally:
            self._selector.unregister(fd)
