"""A child process on two inherited pipes, standard library only: what the floors and the plain JSON-RPC pair stand on."""

from __future__ import annotations

import os
import subprocess
from typing import IO, Callable

READ_SIZE = 1 << 16
"""One read per pipe-buffer: larger reads make CPython allocate (and mmap) a big object per call."""


class PipeChild:
    """A child given a request pipe and a reply pipe by descriptor number; line and byte I/O on them."""

    def __init__(self, command: Callable[[int, int], list[str]], cwd: str | None = None, env: dict[str, str] | None = None,
                 stderr: IO[bytes] | None = None) -> None:
        request_read, self.request_write = os.pipe()
        self.reply_read, reply_write = os.pipe()
        try:
            self.process = subprocess.Popen(command(request_read, reply_write), pass_fds=(request_read, reply_write), stdin=subprocess.DEVNULL,
                                            cwd=cwd, env=env, stderr=stderr)
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._buffer = bytearray()
        self._scanned = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, data: bytes) -> None:
        """Write all of `data` to the request pipe."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.request_write, view) :]

    def read_line(self) -> bytes:
        """The next reply line, newline included; EOFError if the child closed its end first."""
        while (newline := self._buffer.find(b"\n", self._scanned)) < 0:
            self._scanned = len(self._buffer)
            chunk = os.read(self.reply_read, READ_SIZE)
            if not chunk:
                raise EOFError("the child closed its reply pipe")
            self._buffer += chunk
        line = bytes(self._buffer[: newline + 1])
        del self._buffer[: newline + 1]
        self._scanned = 0
        return line

    def read_into(self, buffer: bytearray, total: int) -> None:
        """Read exactly `total` raw bytes, reusing `buffer` for every read (no allocation per read)."""
        while total > 0:
            got = os.readv(self.reply_read, [buffer])
            if not got:
                raise EOFError("the child closed its reply pipe")
            total -= got

    def close(self) -> None:
        """End of file on the request pipe, then reap the child (killing it if it lingers)."""
        os.close(self.request_write)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.reply_read)

    def __enter__(self) -> "PipeChild":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
