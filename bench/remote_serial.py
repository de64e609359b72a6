"""A board on another host, measured on loopback: the host platform's echo firmware reached through a real ser2net
over RFC 2217 (`serial_url`), against the same firmware reached through its local pseudo-terminal, in the same run.

Each round launches the typed client and the host server (revision 2) once per path, the paths' order rotating, and
measures a 1-byte echo round trip (write_transport then read_transport until the byte is back), a 1-byte
write_transport alone, and payload written then read back whole at a few chunk sizes. Three ser2net configurations
are measured (EXPORTERS): its defaults, Nagle's algorithm off on its TCP side (`tcp(nodelay)`), and that plus no
wait for more characters (`chardelay: false`). Needs ser2net and a C compiler; reports why it skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from bench.measure import seconds_per_op
from bench.subjects import round_trip
from bench.suite import Config, Figures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "host"))  # the tests' ser2net runner and project helpers
from host_project import generate, launch  # noqa: E402
from ser2net import Ser2net, find_ser2net  # noqa: E402

REVISION = 2
CHUNKS = (256, 1024, 4096)
"""Bytes written then read back whole: at most what a pseudo-terminal buffers (a few KiB), or the firmware blocks
writing its echo while the server blocks writing the rest of the chunk."""
EXPORTERS = {"ser2net-defaults": {"nodelay": False}, "ser2net-nodelay": {}, "ser2net-nodelay-nochardelay": {"chardelay": False}}
"""ser2net as installed (Nagle's algorithm on, chardelay on); with tcp(nodelay); and also with chardelay: false."""
PATHS = ("pty", *EXPORTERS)
KEY = "remote_serial"
IO_TIMEOUT_SEC = 10.0
"""A deadline on every transport call, far above any figure here: a path that stops moving bytes fails the run."""


class HostLine:
    """A client session with the host server and its transport open on one path: what round_trip and one_byte_writes use."""

    def __init__(self, project: Path, url: str | None) -> None:
        self.client = launch(project, REVISION)
        self.client.open_transport({"serial_url": url} if url else {})

    def write(self, data: bytes) -> None:
        self.client.write_transport(data, IO_TIMEOUT_SEC)

    def read(self, n: int) -> bytes:
        return self.client.read_transport(n, IO_TIMEOUT_SEC)

    def close(self) -> None:
        self.client.close()


def unavailable() -> str | None:
    """Why the measurement cannot run here, or None."""
    if find_ser2net() is None:
        return "ser2net is not installed (apt-get install ser2net)"
    if shutil.which("cc") is None:
        return "no C compiler (cc) for the host platform's firmware"
    return None


def run(figures: Figures, config: Config, progress: Callable[[str], None]) -> None:
    """Every path, `config.rounds` times, into figures under ("remote_serial", ...)."""
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as work, ExitStack() as stack:
        progress("remote serial: building the host platform's echo firmware")
        project = echo_project(Path(work))
        urls: dict[str, str | None] = {"pty": None}
        for path, options in EXPORTERS.items():
            workdir = Path(work) / path
            workdir.mkdir()
            exporter = stack.enter_context(Ser2net(str(find_ser2net()), project / "device" / "tty", workdir, **options))
            urls[path] = exporter.url
        for index in range(config.rounds):
            progress(f"remote serial: round {index + 1}/{config.rounds}")
            for path in PATHS[index % len(PATHS):] + PATHS[: index % len(PATHS)]:
                measure_path(figures, config, project, path, urls[path])


def echo_project(work: Path) -> Path:
    """The host platform's echo app, generated, built and flashed under `work`."""
    from microtvm_project_api.sample_model import write_mlf_archive

    project = work / "echo"
    generate(write_mlf_archive(work / "sample.tar"), project, REVISION, app="echo")
    with launch(project, REVISION) as client:
        client.build()
        client.flash()
    return project


def measure_path(figures: Figures, config: Config, project: Path, path: str, url: str | None) -> None:
    """One session on one path: echo latency, write latency, payload throughput at every chunk size."""
    line = HostLine(project, url)
    try:
        echo = seconds_per_op(lambda: round_trip(line, b"\x5a"), config.sample_seconds)
        figures.add((KEY, "echo_1B_us", path), "us", 1e6 * echo)
        figures.add((KEY, "write_1B_us", path), "us", 1e6 * write_seconds(line, config))
        for chunk in CHUNKS:
            data = os.urandom(chunk)
            per_trip = seconds_per_op(lambda data=data: round_trip(line, data), config.sample_seconds, min_ops=2)
            figures.add((KEY, "throughput_MBps", path, str(chunk)), "MB/s", chunk / per_trip / 1e6, True)
    finally:
        line.close()


def write_seconds(line: HostLine, config: Config) -> float:
    """Mean seconds of a 1-byte write_transport; each echo is read back, untimed, so that the device's buffers never
    fill (a pseudo-terminal holds a few KiB: then the firmware, and every further write, would block)."""
    timed = 0.0
    ops = 0
    start = time.perf_counter()
    while ops < 3 or time.perf_counter() - start < config.sample_seconds:
        before = time.perf_counter()
        line.write(b"\x5a")
        timed += time.perf_counter() - before
        line.read(1)
        ops += 1
    return timed / ops


def table(figures: Figures) -> str:
    """The figures of every path, with each remote path's ratio to the pseudo-terminal (best runs, medians)."""
    rows = [f"remote serial: host platform echo firmware, revision {REVISION}; best, median; ratio to pty (best, median)"]

    def row(label: str, path: tuple[str, ...]) -> None:
        local = figures[(KEY, *path[:1], "pty", *path[1:])]
        for name in PATHS:
            samples = figures[(KEY, *path[:1], name, *path[1:])]
            text = f"  {label + ', ' + name:<56} {samples.best:>10.4g} {samples.median:>10.4g}"
            if name != "pty":
                text += f"   x{samples.best / local.best:<8.3g} x{samples.median / local.median:<8.3g}"
            rows.append(text)

    row("echo 1 B round trip (us)", ("echo_1B_us",))
    row("write_transport 1 B (us)", ("write_1B_us",))
    for chunk in map(str, CHUNKS):
        row(f"payload MB/s at {chunk} B", ("throughput_MBps", chunk))
    return "\n".join(rows)

