"""What recording costs a session: the SDK loopback reached directly, against the same loopback with
`microtvm-project record` on (the relay in front of the server, writing the transcript), in the same run.

Each round launches the typed client (revision 2) once per path, the paths' order rotating, and measures the launch,
a server_info_query, 1-byte write_transport and read_transport calls, and one-way payload at a few chunk sizes.
`python -m bench.recording` prints the figures alone (`--rounds`, `--sample-seconds`).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from bench.measure import timed_parts
from bench.subjects import LOOPBACK_DIR, OursSession, one_way
from bench.suite import Config, Figures, call_latencies

KEY = "recording"
PATHS = ("direct", "recorded")
CHUNKS = (1024, 64 * 1024, 1024 * 1024)
REVISION = 2
MB = 1e6


def recorded_copy(work: Path) -> Path:
    """A copy of the loopback template with recording on, writing into `work`."""
    from microtvm_project_api.sessions.recording import Recording, turn_on

    template = work / "loopback"
    template.mkdir()
    shutil.copy2(LOOPBACK_DIR / "microtvm_api_server.py", template / "microtvm_api_server.py")
    turn_on(template, Recording(work / "bench.jsonl"))
    return template


def run(figures: Figures, config: Config, progress: Callable[[str], None]) -> None:
    """Every figure of both paths, `config.rounds` times."""
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as work:
        directories = {"direct": LOOPBACK_DIR, "recorded": recorded_copy(Path(work))}
        for index in range(config.rounds):
            progress(f"recording: round {index + 1}/{config.rounds}")
            for path in PATHS[index % 2:] + PATHS[: index % 2]:
                measure(figures, config, path, directories[path])
                (Path(work) / "bench.jsonl").write_bytes(b"")  # the transcript grows by megabytes a round: start again


def measure(figures: Figures, config: Config, path: str, directory: Path) -> None:
    start = time.perf_counter()
    session = OursSession(REVISION, directory)
    try:
        figures.add((KEY, "launch_ms", path), "ms", 1e3 * (time.perf_counter() - start))
        session.open()
        for call, seconds in call_latencies(session, config).items():
            figures.add((KEY, "call_us", call, path), "us", 1e6 * seconds)
        for chunk in CHUNKS:
            data = os.urandom(chunk)
            for direction, seconds in zip(("write", "read"), timed_parts(functools.partial(one_way, session, data), config.sample_seconds)):
                figures.add((KEY, "oneway_MBps", direction, str(chunk), path), "MB/s", chunk / seconds / MB, True)
    finally:
        session.close()


def table(figures: Figures) -> str:
    """Best and median of each figure, direct and recorded, and their ratio (recorded / direct, best runs)."""
    lines = ["recording (microtvm-project record's relay in front of the loopback server): best (median), recorded/direct"]
    for path in sorted({p[:-1] for p in figures.samples if p[0] == KEY}):
        direct, recorded = figures[(*path, "direct")], figures[(*path, "recorded")]
        ratio = recorded.best / direct.best
        lines.append(f"  {' '.join(path[1:]):<40} direct {direct.best:10.1f} ({direct.median:10.1f})  "
                     f"recorded {recorded.best:10.1f} ({recorded.median:10.1f}) {direct.unit:<5} x{ratio:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.recording", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample-seconds", type=float, default=0.15)
    args = parser.parse_args()
    figures = Figures()
    run(figures, Config(args.rounds, args.sample_seconds), lambda text: None)
    print(table(figures))


if __name__ == "__main__":
    main()
