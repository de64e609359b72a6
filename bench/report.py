"""The benchmark's outputs: a plain-text table, results.json, and the throughput plot for the README."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.suite import CHUNKS, Figures
from bench.targets import Target

SUBJECT_ORDER = ("floor", "plain", "plain+sdk", "typed+plain", "ours-v1", "ours-v2")


def _row(label: str, samples: Any, baseline: Any = None, higher_is_better: bool = False) -> str:
    text = f"  {label:<34} {samples.best:>12.4g} {samples.median:>12.4g}"
    if baseline is not None and baseline is not samples:
        best, median = samples.best / baseline.best, samples.median / baseline.median
        text += f"   x{best:<8.3g} x{median:<8.3g}"
    return text


def table(figures: Figures, imports: dict[str, Any], targets: list[Target]) -> str:
    """Every figure with its best and median run, next to its baseline (plain, or the floor named)."""
    lines = [f"  {'figure':<34} {'best':>12} {'median':>12}   {'/ baseline best, median'}"]
    lines.append("launch to first reply (ms; baseline: plain)")
    for subject in SUBJECT_ORDER:
        lines.append(_row(subject, figures["launch_ms", subject], figures["launch_ms", "plain"]))
    for call in ("server_info_query", "write_transport_1B"):
        lines.append(f"calls per second, {call} (baseline: plain; floor: one-line ping-pong)")
        lines.append(_row("floor", figures["calls_per_s", "floor"]))
        for subject in SUBJECT_ORDER[1:]:
            lines.append(_row(subject, figures["calls_per_s", call, subject], figures["calls_per_s", call, "plain"]))
    lines.append(f"pipe bandwidth (MB/s): best {figures['pipe_MBps',].best:.0f}, median {figures['pipe_MBps',].median:.0f}")
    for chunk in map(str, CHUNKS):
        lines.append(f"payload MB/s, write then read, {chunk} B chunks (baseline: base64 codec floor)")
        floor = figures["codec_MBps", "base64", chunk]
        lines.append(_row("codec floor base64", floor))
        lines.append(_row("codec floor base85", figures["codec_MBps", "base85", chunk], floor))
        for subject in SUBJECT_ORDER[1:]:
            lines.append(_row(subject, figures["throughput_MBps", subject, chunk], floor))
    for path, samples in figures.samples.items():
        if path[0] == "rss_x_payload":
            _, side, subject, chunk = path
            above = figures["rss_above_idle_MiB", side, subject, chunk]
            lines.append(f"  peak RSS above idle, {side:<6} {subject:<8} {int(chunk) >> 20:>3} MiB chunk: "
                         f"{above.best:7.1f} MiB best, {above.median:7.1f} median = x{samples.best:.2f} / x{samples.median:.2f} payload")
    lines.append(f"imports up to the first reply (python -X importtime): plain {imports['plain_total_ms']:.1f} ms, "
                 f"ours {imports['ours_total_ms']:.1f} ms, of which pydantic {imports['pydantic_ms']:.1f} ms "
                 f"and our own module bodies {imports['ours_own_modules_ms']:.1f} ms")
    lines.append("  slowest module bodies: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in imports["ours_slowest_self_ms"].items()))
    lines.append("targets: ratio of the best runs, then of the medians, each judged")
    for target in targets:
        sign = "<=" if target.at_most else ">="
        lines.append(f"  {target.verdict(target.best)} {target.verdict(target.median)}  {target.name} {sign} {target.limit:g}: "
                     f"{target.best:.3g} best, {target.median:.3g} median")
    return "\n".join(lines)


def write_json(path: Path, figures: Figures, imports: dict[str, Any], targets: list[Target], machine: dict[str, Any]) -> None:
    """results.json: the machine, every figure's runs, the import summary and the judged targets."""
    document = {"machine": machine, "figures": figures.as_tree(), "imports": imports, "targets": [t.as_dict() for t in targets]}
    path.write_text(json.dumps(document, indent=1) + "\n")


def plot(path: Path, figures: Figures) -> None:
    """Payload throughput against chunk size (median, with the best run as a marker), codec floors dashed."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(9.5, 4.5), dpi=110)
    for codec in ("base64", "base85"):
        axes.plot(CHUNKS, [figures["codec_MBps", codec, str(c)].median for c in CHUNKS], "--", label=f"{codec} encode+decode (codec floor)")
    for subject in SUBJECT_ORDER[1:]:
        medians = [figures["throughput_MBps", subject, str(c)].median for c in CHUNKS]
        line, = axes.plot(CHUNKS, medians, "o-", label=f"{subject} write+read")
        axes.plot(CHUNKS, [figures["throughput_MBps", subject, str(c)].best for c in CHUNKS], "^", color=line.get_color(), alpha=0.5)
    axes.set(xscale="log", yscale="log", xlabel="chunk size (bytes)", ylabel="payload MB/s (median; triangles: best run)",
             title="Loopback payload throughput against chunk size")
    axes.set_xticks(CHUNKS, ["64 B", "1 KiB", "16 KiB", "64 KiB", "1 MiB"])
    axes.minorticks_off()
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
