"""The launch convention, in one place: the server's file names, the command that starts it, and a running server.

A project directory holds `microtvm_api_server.py`, or a `launch_microtvm_api_server.sh` that starts it
with the platform's own interpreter. `ServerProcess` starts a server as the convention says and never
leaks it: a request pipe and a reply pipe as inherited descriptors (--read-fd/--write-fd), cwd = the
project directory, stdin closed, its own process group; stdout and stderr are drained by threads into
`logging` (a chatty server never blocks), and the last stderr lines are kept for error messages.
`close()` ends the request pipe, waits briefly, then terminates, kills and reaps the whole process
group. The typed client and the conformance kit both talk to servers through it; the SDK takes the
file names from here.
"""

from __future__ import annotations

import collections
import fcntl
import logging
import os
import select
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Sequence

from microtvm_project_api.protocol import interrupts
from microtvm_project_api.protocol.errors import ClientError
from microtvm_project_api.protocol.wire import MAX_LINE_BYTES, LineReader, Parts, ReadTimeout, milliseconds_until, write_parts

SERVER_FILE = "microtvm_api_server.py"
LAUNCH_SCRIPT = "launch_microtvm_api_server.sh"
STDERR_TAIL_LINES = 40
LOG_LINE_LIMIT = 64 * 1024
PIPE_BYTES = 1024 * 1024

logger = logging.getLogger(__name__)


class ServerNotFoundError(ClientError):
    """The project directory holds neither microtvm_api_server.py nor launch_microtvm_api_server.sh."""


class ServerExitedError(ClientError):
    """The server process ended (or closed its reply pipe) while a reply was awaited."""

    def __init__(self, message: str, exit_code: int | None, stderr_tail: Sequence[str], command: Sequence[str] = ()) -> None:
        tail = "".join(f"\n    {line}" for line in stderr_tail)
        started = f"; started as {shlex.join(command)}" if command else ""
        super().__init__(f"{message} (exit code {exit_code}){started}{'; last lines of its stderr:' + tail if tail else ''}")
        self.reason = message
        self.exit_code = exit_code
        self.stderr_tail = list(stderr_tail)
        self.command = list(command)
        """The command that started the server (without the fd arguments), when known."""


def launch_command(project_dir: Path, python: str | None = None, debug: bool = False) -> list[str]:
    """The command that starts the server of `project_dir`, without the fd arguments."""
    server = project_dir / SERVER_FILE
    script = project_dir / LAUNCH_SCRIPT
    if script.is_file():
        command = [str(script.resolve()), str(server.resolve())]
    elif server.is_file():
        command = [python or sys.executable, str(server.resolve())]
    else:
        raise ServerNotFoundError(f"{project_dir}: no {SERVER_FILE} or {LAUNCH_SCRIPT}; is this a Project API project directory?")
    return command + (["--debug"] if debug else [])


SESSION_ENV = "MICROTVM_PROJECT_API_SESSION"
"""The environment variable holding a launch's own token: a server that creates a directory for a call writes it there
(SESSION_MARKER) until the call succeeds, so a client whose call ended the session removes only what its server made."""
SESSION_MARKER = ".microtvm-project-api-session"


class ServerProcess:
    """One running server: raw line I/O with deadlines, plus its lifecycle."""

    def __init__(
        self,
        project_dir: str | os.PathLike[str],
        python: str | None = None,
        debug: bool = False,
        env: dict[str, str] | None = None,
        max_line_bytes: int = MAX_LINE_BYTES,
        stdin: int | IO[bytes] = subprocess.DEVNULL,
    ) -> None:
        self.project_dir = Path(project_dir)
        command = launch_command(self.project_dir, python, debug)
        self.command = command
        """The command that started the server, without the fd arguments; named in every ServerExitedError."""
        self.session_token = os.urandom(16).hex()  # not `secrets`: a server imports this module, and hashlib with it
        env = {**(os.environ if env is None else env), SESSION_ENV: self.session_token}
        self._drains: list[threading.Thread] = []
        self._holds_sigterm = False
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        try:
            _widen(request_read)
            _widen(self._reply_read)
            self.process = subprocess.Popen(
                [*command, "--read-fd", str(request_read), "--write-fd", str(reply_write)],
                cwd=self.project_dir,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(request_read, reply_write),
                start_new_session=True,
                env=env,
            )
        except BaseException as exc:
            for fd in (self._request_write, self._reply_read):
                os.close(fd)
            if isinstance(exc, OSError):
                raise ServerNotFoundError(f"{self.project_dir}: cannot start {command[0]}: {exc}") from exc
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        try:
            self._start_session(max_line_bytes)
        except BaseException:
            self._abandon()
            raise

    def _start_session(self, max_line_bytes: int) -> None:
        """Everything after the server started: its descriptors are read before the drain threads start, since a
        drain closes its stream at EOF, which a server that exits at once reaches before the next line runs."""
        stdout, stderr = self.process.stdout, self.process.stderr
        assert stdout is not None and stderr is not None
        self._pipes = {os.fstat(fd).st_ino for fd in (self._request_write, self._reply_read, stdout.fileno(), stderr.fileno())}
        os.set_blocking(self._request_write, False)
        self._writable = select.poll()  # waits only when a write would block; reused for every request
        self._writable.register(self._request_write, select.POLLOUT)
        self._reader = LineReader(self._reply_read, max_line_bytes, resync=False)  # an overlong reply ends the session
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._closed = False
        self.escaped: list[int] = []
        """Processes outside the server's group that still held its pipes at close (setsid daemons), killed there."""
        log = logging.getLogger(f"microtvm_project_api.server.{self.project_dir.name or 'server'}")
        self._drains = [
            threading.Thread(target=_drain, args=(stdout, log, logging.INFO, None), daemon=True),
            threading.Thread(target=_drain, args=(stderr, log, logging.INFO, self._stderr_tail), daemon=True),
        ]
        for thread in self._drains:
            thread.start()
        self._holds_sigterm = interrupts.hold()  # while the session runs, SIGTERM unwinds to close() like Ctrl-C

    def _abandon(self) -> None:
        """Undo a start that failed after the server was started: kill and reap its group, close every descriptor."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()
        for thread in self._drains:
            if thread.is_alive():
                thread.join(timeout=1.0)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        for fd in (self._request_write, self._reply_read):
            _close_quietly(fd)
        if self._holds_sigterm:
            interrupts.release()

    def made(self, directory: Path) -> bool:
        """Whether `directory` holds this launch's SESSION_MARKER: the server was making it when it was stopped."""
        try:
            return (directory / SESSION_MARKER).read_text(encoding="ascii", errors="replace").strip() == self.session_token
        except OSError:
            return False

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stderr_tail(self) -> list[str]:
        """The last lines the server wrote to stderr."""
        return list(self._stderr_tail)

    def send_line(self, line: bytes, timeout: float | None) -> None:
        """Write one whole line to the request pipe, or raise TimeoutError / ServerExitedError."""
        self.send_parts((line,), timeout)

    def send_parts(self, parts: Parts, timeout: float | None) -> None:
        """Write one whole line given in parts (os.writev: the parts are never joined into one copy), or raise
        TimeoutError / ServerExitedError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._request_write < 0:
            raise self.exited_error("the request pipe was closed")
        try:
            write_parts(self._request_write, parts,
                        lambda: bool(self._writable.poll(None if deadline is None else milliseconds_until(deadline))))
        except TimeoutError:
            raise TimeoutError("the server did not read its request before the deadline") from None
        except OSError:
            raise self.exited_error("the server closed its request pipe") from None

    def read_line(self, timeout: float | None) -> bytes:
        """The next reply line (without newline); TimeoutError past the deadline, ServerExitedError at EOF."""
        try:
            line = self._reader.read_line(timeout)
        except ReadTimeout:
            raise TimeoutError("no reply before the deadline") from None
        if line is None:
            raise self.exited_error("the server closed its reply pipe")
        return line

    def exited_error(self, message: str) -> ServerExitedError:
        """A ServerExitedError carrying the exit code (waiting briefly for it) and the stderr tail."""
        try:
            code = self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            code = None
        for thread in self._drains:
            thread.join(timeout=1.0)
        return ServerExitedError(message, code, self.stderr_tail, self.command)

    def close_requests(self) -> None:
        """End the request pipe only (the server should then exit by itself); close() still reaps it."""
        if self._request_write >= 0:
            _close_quietly(self._request_write)
            self._request_write = -1

    def close(self, grace: float = 2.0) -> int | None:
        """End the session: EOF on the request pipe, then terminate, kill and reap the process group, then kill the
        processes that left the group but hold its pipes (`escaped`)."""
        if self._closed:
            return self.process.returncode
        self._closed = True
        self.close_requests()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait()
        self._signal_group(signal.SIGKILL)  # grandchildren left behind by a server that exited
        self._wait_group_gone(grace)
        self._kill_escaped()
        for thread in self._drains:
            thread.join(timeout=grace)
        _close_quietly(self._reply_read)
        if self._holds_sigterm:
            self._holds_sigterm = False
            interrupts.release()
        return self.process.returncode

    def kill(self, grace: float = 0.0) -> None:
        """Stop now (after a timeout or a protocol violation): SIGTERM the group, give the server `grace` seconds
        for its own cleanup (an SDK server removes a half-made project), then SIGKILL the group and reap."""
        if grace > 0 and self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)
        self.close(grace=0.5)

    def pipe_holders(self) -> list[int]:
        """Pids of the processes, other than this one, holding the session's pipes; once the server has exited, what
        it left running (its group's members and daemons that left the group with setsid)."""
        return pipe_holders(self._pipes, exclude=os.getpid())

    def _kill_escaped(self) -> None:
        """SIGKILL the processes that left the group (setsid) but still hold the session's pipes: they are its own."""
        self.escaped = self.pipe_holders()
        for pid in self.escaped:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _wait_group_gone(self, timeout: float) -> None:
        """Wait until no live process is left in the group (dead grandchildren are init's to reap)."""
        deadline = time.monotonic() + timeout
        while group_has_live_members(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def group_has_live_members(pgid: int) -> bool:
    """Whether a process of group `pgid` is still running; zombies waiting for their parent do not count.

    Reads /proc where there is one; elsewhere any member, zombies included, counts.
    """
    if not os.path.isdir("/proc/self"):
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return bool(group_members(pgid))


def group_members(pgid: int) -> list[str]:
    """`pid command` of every live process of group `pgid`, from /proc (zombies excluded: they hold nothing)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = _process_status(int(entry))
            if status is not None and status[1] == pgid:
                found.append(f"{entry} {status[0]}")
    return found


def processes_outside_group(pids: list[int], pgid: int) -> list[str]:
    """`pid command (group G)` of each live process of `pids` that is not in group `pgid`: what left it with setsid."""
    found = []
    for pid in pids:
        status = _process_status(pid)
        if status is not None and status[1] != pgid:
            found.append(f"{pid} {status[0]} (group {status[1]})")
    return found


def _process_status(pid: int) -> tuple[str, int] | None:
    """The command and process group of a live process, from /proc/PID/stat; None when gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            command, _, rest = stat.read().rpartition(b")")
    except OSError:
        return None
    fields = rest.split()
    if len(fields) < 3 or fields[0] in (b"Z", b"X"):
        return None
    return command.partition(b"(")[2].decode("utf-8", "replace"), int(fields[2])


def pipe_holders(inodes: set[int], exclude: int) -> list[int]:
    """Pids (other than `exclude`) with one of the pipes `inodes` open, from /proc/*/fd (none found without /proc)."""
    targets = {f"pipe:[{inode}]" for inode in inodes}
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit() or int(entry) == exclude:
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{entry}/fd/{fd}") in targets:
                    found.append(int(entry))
                    break
            except OSError:
                continue
    return found


def _drain(stream: IO[bytes], log: logging.Logger, level: int, tail: "collections.deque[str] | None") -> None:
    """Forward a server output stream to logging line by line until EOF, bounding each line."""
    with stream:
        while True:
            line = stream.readline(LOG_LINE_LIMIT)
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if tail is not None:
                tail.append(text)
            log.log(level, "%s", text)


def _widen(fd: int) -> None:
    """Give a pipe PIPE_BYTES of capacity where the system allows it: a megabyte-long line then crosses in a few
    wake-ups instead of one per 64 KiB. The default capacity is kept when the system refuses."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):
        pass


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
