"""`python -m bench` (`make bench`): every figure against its baselines, printed, in bench/results.json and plotted."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from bench import importtime, remote_serial, report, rss, suite, targets

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Measure everything, print the table, write the outputs; 0 (targets are reported, not enforced)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="runs of every timed figure (interleaved)")
    parser.add_argument("--rss-runs", type=int, default=3, help="runs of every peak-RSS figure")
    parser.add_argument("--sample-seconds", type=float, default=0.15, help="least time of one timed sample")
    parser.add_argument("--no-plot", action="store_true", help="do not rewrite bench/throughput.png")
    args = parser.parse_args(argv)

    started = time.monotonic()
    machine = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(), "load_before": os.getloadavg()}

    def progress(text: str) -> None:
        print(f"[{time.monotonic() - started:5.1f} s] {text}", file=sys.stderr, flush=True)

    config = suite.Config(args.rounds, args.sample_seconds)
    figures = suite.run(config, progress)
    remote_skipped = remote_serial.unavailable()
    if remote_skipped is None:
        remote_serial.run(figures, config, progress)
    progress("peak RSS")
    rss.run(figures, ["plain", "ours-v1", "ours-v2"], (1 << 20, 16 << 20), args.rss_runs)
    progress("import times")
    imports = importtime.summary()
    judged = targets.evaluate(figures, imports["pydantic_ms"])
    machine["load_after"] = os.getloadavg()
    machine["seconds"] = time.monotonic() - started
    print(report.table(figures, imports, judged))
    print(remote_serial.table(figures) if remote_skipped is None else f"remote serial: skipped, {remote_skipped}")
    report.write_json(HERE / "results.json", figures, imports, judged, machine)
    if not args.no_plot:
        report.plot(HERE / "throughput.png", figures)
    progress(f"done: bench/results.json{'' if args.no_plot else ', bench/throughput.png'}; load average {machine['load_after'][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
