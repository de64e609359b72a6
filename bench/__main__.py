"""`python -m bench` (`make bench`): every figure against its baselines, printed, in bench/results.json and plotted."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

from bench import breakdown, importtime, recording, remote_serial, report, rss, suite, targets
from bench.placement import PLACEMENTS
from bench.subjects import PAYLOAD_SUBJECTS

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Measure everything, print the table, write the outputs; 0 (targets are reported, not enforced)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="runs of every timed figure (interleaved)")
    parser.add_argument("--rss-runs", type=int, default=3, help="runs of every peak-RSS figure")
    parser.add_argument("--sample-seconds", type=float, default=0.15, help="least time of one timed sample")
    parser.add_argument("--no-plot", action="store_true", help="do not rewrite bench/throughput.png")
    args = parser.parse_args(argv)

    # Measure what an installation runs: bytecode cached. With PYTHONDONTWRITEBYTECODE set (some shells and CI set
    # it) every child would compile every module from source at every launch.
    dont_write_bytecode = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()
    machine = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "python": sys.version.split()[0],
               "platform": platform.platform(), "cpus": os.cpu_count(), "load_before": os.getloadavg(),
               "rounds": args.rounds, "rss_runs": args.rss_runs, "PYTHONDONTWRITEBYTECODE_dropped": dont_write_bytecode is not None}

    def progress(text: str) -> None:
        print(f"[{time.monotonic() - started:5.1f} s] {text}", file=sys.stderr, flush=True)

    config = suite.Config(args.rounds, args.sample_seconds)
    figures = suite.run(config, progress)
    remote_skipped = remote_serial.unavailable()
    if remote_skipped is None:
        remote_serial.run(figures, config, progress)
    recording.run(figures, config, progress)
    progress("peak RSS")
    rss.run(figures, PAYLOAD_SUBJECTS, (1 << 20, 16 << 20), args.rss_runs, PLACEMENTS)
    rss.run_fixed_mmap_threshold(figures, 16 << 20, args.rss_runs, PLACEMENTS)
    progress("import times")
    imports = importtime.summary()
    progress("breakdown of a call and of a payload byte, in one process")
    pieces = breakdown.measure()
    judged = targets.evaluate(figures)
    machine["load_after"] = os.getloadavg()
    machine["seconds"] = time.monotonic() - started
    print(report.table(figures, imports, judged))
    print(breakdown.text(pieces))
    print(recording.table(figures))
    print(remote_serial.table(figures) if remote_skipped is None else f"remote serial: skipped, {remote_skipped}")
    report.write_json(HERE / "results.json", figures, imports, judged, machine, pieces)
    if not args.no_plot:
        report.plot(HERE / "throughput.png", figures)
    progress(f"done: bench/results.json{'' if args.no_plot else ', bench/throughput.png'}; load average {machine['load_after'][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
