"""The benchmark's outputs: a plain-text table, results.json, and the throughput plot for the README."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.placement import PLACEMENTS
from bench.subjects import PAYLOAD_SUBJECTS, SUBJECTS
from bench.suite import CALLS, CHUNKS, DIRECTIONS, Figures
from bench.targets import Target


def _row(label: str, samples: Any, baseline: Any = None) -> str:
    text = f"  {label:<34} {samples.best:>12.4g} {samples.median:>12.4g}"
    if baseline is not None and baseline is not samples:
        text += f"   x{samples.best / baseline.best:<8.3g} x{samples.median / baseline.median:<8.3g}"
    return text


def table(figures: Figures, imports: dict[str, Any], targets: list[Target]) -> str:
    """Every figure with its best and median run, next to its baseline (plain, or the floor named), per placement."""
    lines = [f"  {'figure':<34} {'best':>12} {'median':>12}   {'/ baseline best, median'}"]
    for where in PLACEMENTS:
        lines.append(f"=== placement: {where} ({'client and server on one CPU' if where == 'pinned' else 'free'})")
        lines.append("launch to first reply (ms; baseline: plain)")
        for subject in ("floor", *SUBJECTS):
            lines.append(_row(subject, figures["launch_ms", where, subject], figures["launch_ms", where, "plain"]))
        for call in CALLS:
            lines.append(f"time per call, {call} (us; baseline: plain)")
            lines.append(_row("floor: one-line ping-pong", figures["call_us", where, "ping-pong", "floor"]))
            for subject in SUBJECTS:
                lines.append(_row(subject, figures["call_us", where, call, subject], figures["call_us", where, call, "plain"]))
        lines.append(f"pipe bandwidth (MB/s): best {figures['pipe_MBps', where].best:.0f}, median {figures['pipe_MBps', where].median:.0f}")
        for direction in DIRECTIONS:
            for chunk in map(str, CHUNKS):
                lines.append(f"one-way {direction} MB/s, {chunk} B chunks (baseline: base64 encode+decode floor)")
                floor = figures["codec_MBps", where, "base64", chunk]
                lines.append(_row("codec floor base64", floor))
                lines.append(_row("codec floor base85 (stdlib)", figures["codec_MBps", where, "base85", chunk], floor))
                for subject in PAYLOAD_SUBJECTS:
                    lines.append(_row(subject, figures["oneway_MBps", where, direction, subject, chunk], floor))
        for path, samples in figures.samples.items():
            if path[0] == "rss_x_payload" and path[1] == where:
                _, _, side, subject, chunk = path
                above = figures["rss_above_idle_MiB", where, side, subject, chunk]
                lines.append(f"  peak RSS above the pre-call size, {side:<6} {subject:<9} {int(chunk) >> 20:>3} MiB chunk: "
                             f"{above.best:7.1f} MiB best, {above.median:7.1f} median = x{samples.best:.2f} / x{samples.median:.2f} payload")
    lines.append(f"imports up to the first reply (python -X importtime): plain {imports['plain_total_ms']:.1f} ms, "
                 f"ours {imports['ours_total_ms']:.1f} ms, of which pydantic {imports['pydantic_ms']:.1f} ms "
                 f"and our own module bodies {imports['ours_own_modules_ms']:.1f} ms")
    lines.append("  slowest module bodies: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in imports["ours_slowest_self_ms"].items()))
    lines.append("targets: ratio of the best runs, then of the medians, each judged")
    for target in targets:
        sign = "<=" if target.at_most else ">="
        lines.append(f"  {target.verdict(target.best)} {target.verdict(target.median)}  {target.name} {sign} {target.limit:g}: "
                     f"{target.best:.4g} best, {target.median:.4g} median")
    return "\n".join(lines)


def write_json(path: Path, figures: Figures, imports: dict[str, Any], targets: list[Target], machine: dict[str, Any],
               breakdown: dict[str, dict[str, float]]) -> None:
    """results.json: the machine and date, every figure's runs, the import summary, the judged targets and the
    in-process breakdown of a call and of a payload byte."""
    document = {"machine": machine, "figures": figures.as_tree(), "imports": imports, "targets": [t.as_dict() for t in targets],
                "breakdown": breakdown}
    path.write_text(json.dumps(document, indent=1) + "\n")


def plot(path: Path, figures: Figures, placement: str = "free") -> None:
    """One-way payload throughput against chunk size, per direction (median, best run as a marker), codec floors dashed."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes_pair = pyplot.subplots(1, 2, figsize=(12, 4.5), dpi=110, sharey=True)
    for axes, direction in zip(axes_pair, DIRECTIONS):
        for codec in ("base64", "base85"):
            axes.plot(CHUNKS, [figures["codec_MBps", placement, codec, str(c)].median for c in CHUNKS], "--",
                      label=f"{codec} encode+decode (stdlib codec floor)")
        for subject in PAYLOAD_SUBJECTS:
            runs = [figures["oneway_MBps", placement, direction, subject, str(c)] for c in CHUNKS]
            line, = axes.plot(CHUNKS, [r.median for r in runs], "o-", label=subject)
            axes.plot(CHUNKS, [r.best for r in runs], "^", color=line.get_color(), alpha=0.5)
        axes.set(xscale="log", yscale="log", xlabel="chunk size (bytes)", title=f"one-way {direction} ({placement} placement)")
        axes.set_xticks(CHUNKS, ["64 B", "1 KiB", "16 KiB", "64 KiB", "1 MiB"])
        axes.minorticks_off()
        axes.grid(True, alpha=0.3)
    axes_pair[0].set_ylabel("payload MB/s (median; triangles: best run)")
    axes_pair[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def markdown(document: dict[str, Any]) -> str:
    """The README's tables from a results.json document: the targets as judged, then the main figures (best / median)."""
    figures = document["figures"]
    lines = [f"Run of {document['machine']['date']} ({document['machine']['rounds']} rounds, {document['machine']['rss_runs']} RSS runs; "
             f"load average {document['machine']['load_before'][0]:.2f} before, {document['machine']['load_after'][0]:.2f} after).", "",
             "| target | limit | best | median | verdict |", "| --- | --- | --- | --- | --- |"]
    for target in document["targets"]:
        verdicts = {target["verdict_best"], target["verdict_median"]}
        verdict = verdicts.pop() if len(verdicts) == 1 else f"{target['verdict_best']} best, {target['verdict_median']} median"
        sign = "<=" if target["at_most"] else ">="
        lines.append(f"| {target['name']} | {sign} {target['limit']:g} | {target['best']:.4g} | {target['median']:.4g} | {verdict} |")
    for where in PLACEMENTS:
        lines += ["", f"Placement **{where}** (best / median):", "",
                  "| figure | floor | plain | plain-b85 | ours-v2 | ours-v1 |", "| --- | --- | --- | --- | --- | --- |"]

        def cell(node: dict[str, Any], digits: str = ".3g") -> str:
            return f"{node['best']:{digits}} / {node['median']:{digits}}"

        launch = figures["launch_ms"][where]
        lines.append("| launch to first reply (ms) | " + " | ".join(cell(launch[s]) for s in ("floor", "plain", "plain-b85", "ours-v2", "ours-v1")) + " |")
        for call in CALLS:
            row = figures["call_us"][where][call]
            floor = cell(figures["call_us"][where]["ping-pong"]["floor"]) + " (ping-pong)"
            lines.append(f"| {call} (us) | {floor} | " + " | ".join(cell(row[s]) for s in ("plain", "plain-b85", "ours-v2", "ours-v1")) + " |")
        for direction in DIRECTIONS:
            for chunk in ("65536", "1048576"):
                row = figures["oneway_MBps"][where][direction]
                floor = figures["codec_MBps"][where]
                lines.append(f"| one-way {direction}, {int(chunk) >> 10} KiB (MB/s) | base64 {cell(floor['base64'][chunk])}, base85 {cell(floor['base85'][chunk])} | "
                             + " | ".join(cell(row[s][chunk]) for s in ("plain", "plain-b85", "ours-v2", "ours-v1")) + " |")
        rss = figures["rss_x_payload"][where]
        for side in ("server", "client"):
            lines.append(f"| peak RSS above the pre-call size / payload, 16 MiB, {side} | | "
                         + " | ".join(cell(rss[side][s][str(16 << 20)]) for s in ("plain", "plain-b85", "ours-v2", "ours-v1")) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json")).read_text())))
