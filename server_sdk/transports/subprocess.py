"""A transport to a child process through its stdin and stdout (a simulator, an emulator, a bridge program).

The child is started on open and, on close, gets end of file on stdin, then SIGTERM, then
SIGKILL, and is always reaped. Its stderr is inherited: it goes where the server's logs go.
"""

from __future__ import annotations

import subprocess
from typing import Sequence

from microtvm_project_api.server_sdk.transports.base import Transport, not_open
from microtvm_project_api.server_sdk.transports.fd import FdTransport


class SubprocessTransport(Transport):
    """Bytes written go to the child's stdin; bytes read come from its stdout."""

    def __init__(self, argv: Sequence[str], cwd: str | None = None, grace_sec: float = 2.0) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.grace_sec = grace_sec
        self.process: subprocess.Popen[bytes] | None = None
        self._fds: FdTransport | None = None

    def open(self) -> None:
        self.close()
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._fds = FdTransport(self.process.stdout.fileno(), self.process.stdin.fileno(), owns_fds=False)
        self._fds.open()

    def close(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if self._fds is not None:
            self._fds.close()
            self._fds = None
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=self.grace_sec)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=self.grace_sec)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def read(self, n: int, timeout_sec: float | None) -> bytes:
        if self._fds is None:
            raise not_open()
        return self._fds.read(n, timeout_sec)

    def write(self, data: bytes, timeout_sec: float | None) -> None:
        if self._fds is None:
            raise not_open()
        self._fds.write(data, timeout_sec)
