"""A real ser2net exporting one serial device over RFC 2217 on 127.0.0.1, the way a board farm's host does.

ser2net runs in the foreground (`-n -d`: no detaching, logs to its own output file instead of syslog,
`-u`: no UUCP lock files in /run/lock), from a generated YAML configuration, in its own session; it
opens the device only when a client connects, so the device path may be a link that is made later.
Used by the host platform's tests and by `make bench`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SBIN = ("/usr/sbin", "/usr/local/sbin")
START_TIMEOUT_SEC = 5.0
STOP_GRACE_SEC = 2.0
PORT_ATTEMPTS = 3
URL_OPTIONS = "ign_set_control"
"""A pseudo-terminal has no modem lines: ser2net cannot answer pyserial's SET_CONTROL requests."""


class Ser2netError(RuntimeError):
    """ser2net did not start listening, or something of it was left after stopping."""


def find_ser2net() -> str | None:
    """The ser2net executable (Debian puts it in /usr/sbin, which is not on every PATH), or None."""
    return shutil.which("ser2net", path=os.pathsep.join((os.environ.get("PATH", ""), *SBIN)))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_ports(pid: int | None = None) -> set[int]:
    """The TCP ports of 127.0.0.1 or any address in LISTEN state: of process `pid`, or of anyone."""
    owned = None if pid is None else _socket_inodes(pid)
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and (owned is None or fields[9] in owned):  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


class Ser2net:
    """One ser2net process exporting `device` as `rfc2217://127.0.0.1:PORT`; start, kill, restart on the same port, stop."""

    def __init__(self, executable: str, device: Path, workdir: Path, nodelay: bool = True, chardelay: bool = True) -> None:
        self.executable = executable
        self.device = device
        self.workdir = workdir
        self.nodelay = nodelay
        self.chardelay = chardelay
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []

    @property
    def url(self) -> str:
        return f"rfc2217://127.0.0.1:{self.port}?{URL_OPTIONS}"

    @property
    def log(self) -> str:
        """What ser2net printed so far (its log, with -d)."""
        path = self.workdir / "ser2net.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def config(self) -> str:
        """The YAML configuration: one connection, telnet with RFC 2217 over TCP, to the device at 115200 8N1 without
        modem lines (`local`). `nodelay` turns Nagle's algorithm off on ser2net's side (pyserial's side has it off):
        with it on, a reply sent in pieces waits for the client's delayed acknowledgement, up to 40 ms a piece.
        `chardelay` false stops ser2net waiting (at least 1 ms) for more characters before it sends what came."""
        tcp = "tcp(nodelay)" if self.nodelay else "tcp"
        options = "" if self.chardelay else "  options:\n    chardelay: false\n"
        return ("%YAML 1.1\n---\n"
                "connection: &board\n"
                f"  accepter: telnet(rfc2217),{tcp},127.0.0.1,{self.port}\n"
                f"  connector: serialdev,{self.device},115200n81,local\n" + options)

    def start(self) -> None:
        """Start on a free port (the one it had, when restarting) and wait until it listens; Ser2netError if it never does."""
        keep_port = bool(self.port)
        for _ in range(1 if keep_port else PORT_ATTEMPTS):
            self.port = self.port if keep_port else free_port()
            config = self.workdir / "ser2net.yaml"
            config.write_text(self.config())
            with (self.workdir / "ser2net.log").open("ab") as log:
                self.process = subprocess.Popen([self.executable, "-n", "-d", "-u", "-c", str(config)], stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.pids.append(self.process.pid)
            if self._wait_listening():
                return
            self.stop()  # the port was taken in between: try another
        raise Ser2netError(f"ser2net did not listen on 127.0.0.1:{self.port} within {START_TIMEOUT_SEC} s; its log:\n{self.log}")

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut of the exporter's host would end it; reaped, port kept for a restart."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; reaped. A no-op when it is not running."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_GRACE_SEC)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def assert_nothing_left(self) -> None:
        """Ser2netError unless nothing of any ser2net started here is left: no process in their groups (each ran in a
        session of its own), nothing listening on the port, no connection accepted there."""
        for pid in self.pids:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                continue
            raise Ser2netError(f"a process of ser2net's process group {pid} is still running")
        if self.port in listening_ports():
            raise Ser2netError(f"something still listens on 127.0.0.1:{self.port} after ser2net stopped")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise Ser2netError(f"127.0.0.1:{self.port} still accepts connections after ser2net stopped")

    def _wait_listening(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_SEC
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self.port in listening_ports(self.process.pid):
                return True
            time.sleep(0.01)
        return False

    def __enter__(self) -> "Ser2net":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.assert_nothing_left()

