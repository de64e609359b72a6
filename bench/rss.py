"""Peak memory of client and server moving one chunk through the loopback, above their size before the call.

The parent runs `python -m bench.rss SUBJECT CHUNK` for each measurement, so the client is a fresh
process too: it launches the server, warms both up, reads both VmHWM values (idle), writes the chunk
and reads it back (one_way), and reads them again. The chunk's own buffer is allocated before the idle
reading: what is measured is what client and server add on top of the caller's data, the bytes held in
the loopback and the bytes the read returns included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bench.placement import placed
from bench.subjects import SUBJECTS, one_way

if TYPE_CHECKING:
    from bench.suite import Figures

REPO = Path(__file__).resolve().parent.parent


def peak_rss(pid: int | str = "self") -> int:
    """VmHWM (peak resident set) of a process, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


def measure_here(subject: str, chunk: int) -> dict[str, int]:
    """The idle and peak VmHWM of this process (the client) and of its server around one round trip."""
    data = os.urandom(chunk)
    session = SUBJECTS[subject]()
    try:
        session.open()
        one_way(session, b"warm-up")
        idle = {"client_idle": peak_rss(), "server_idle": peak_rss(session.server_pid)}
        one_way(session, data)
        return {**idle, "client_peak": peak_rss(), "server_peak": peak_rss(session.server_pid)}
    finally:
        session.close()


FIXED_MMAP_THRESHOLD = "ours-v2 with glibc's mmap threshold fixed"
"""ours-v2 measured with MALLOC_MMAP_THRESHOLD_=1048576 in both processes: glibc then returns every freed large block
at once instead of keeping it for later ones, so the figure is the copies ours makes at once (bench/README.md)."""


def measure(subject: str, chunk: int, timeout: float = 120.0, env: dict[str, str] | None = None) -> dict[str, int]:
    """`measure_here` in a fresh client process."""
    done = subprocess.run([sys.executable, "-m", "bench.rss", subject, str(chunk)], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"bench.rss {subject} {chunk} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def run(figures: "Figures", subjects: tuple[str, ...], chunks: tuple[int, ...], runs: int, placements: tuple[str, ...]) -> None:
    """`runs` measurements of every subject and chunk in every placement, interleaved; peak above idle in MiB and per payload byte."""
    for _ in range(runs):
        for placement in placements:
            with placed(placement):
                for chunk in chunks:
                    for subject in subjects:
                        _record(figures, placement, subject, chunk, measure(subject, chunk))


def run_fixed_mmap_threshold(figures: "Figures", chunk: int, runs: int, placements: tuple[str, ...]) -> None:
    """ours-v2 again with glibc's mmap threshold fixed (FIXED_MMAP_THRESHOLD): an explanation, not a target."""
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(1 << 20)}
    for _ in range(runs):
        for placement in placements:
            with placed(placement):
                _record(figures, placement, FIXED_MMAP_THRESHOLD, chunk, measure("ours-v2", chunk, env=env))


def _record(figures: "Figures", placement: str, subject: str, chunk: int, found: dict[str, int]) -> None:
    for side in ("server", "client"):
        above = found[f"{side}_peak"] - found[f"{side}_idle"]
        figures.add(("rss_above_idle_MiB", placement, side, subject, str(chunk)), "MiB", above / 2**20)
        figures.add(("rss_x_payload", placement, side, subject, str(chunk)), "x payload", above / chunk)


if __name__ == "__main__":
    print(json.dumps(measure_here(sys.argv[1], int(sys.argv[2]))))
