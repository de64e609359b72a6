"""The issue's targets as ratios between figures of the same run and placement, each judged PASS or MISS
(never asserted). Every target names its baseline; none is defined so as to pass."""

from __future__ import annotations

from dataclasses import dataclass

from bench.measure import Samples
from bench.placement import PLACEMENTS
from bench.suite import CALLS, DIRECTIONS, Figures

OURS = "ours-v2"
LARGE_CHUNKS = ("65536", "1048576")
RSS_CHUNK = str(16 * 1024 * 1024)


@dataclass(frozen=True)
class Target:
    """One target: the ratio from the best runs and from the medians, the limit, and which side must hold.

    Both ratios are judged: the best runs are the least disturbed estimate of a cost on a shared machine,
    the medians what a user sees on it."""

    name: str
    best: float
    median: float
    limit: float
    at_most: bool

    def verdict(self, value: float) -> str:
        """PASS or MISS for one ratio."""
        return "PASS" if (value <= self.limit if self.at_most else value >= self.limit) else "MISS"

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "best": self.best, "median": self.median, "limit": self.limit, "at_most": self.at_most,
                "verdict_best": self.verdict(self.best), "verdict_median": self.verdict(self.median)}


def ratio(numerator: Samples, denominator: Samples) -> tuple[float, float]:
    """numerator / denominator, of the best runs and of the medians."""
    return numerator.best / denominator.best, numerator.median / denominator.median


def evaluate(figures: Figures) -> list[Target]:
    """Every target of issue 14, in each placement."""
    targets = []
    for where in PLACEMENTS:
        for call in CALLS:
            targets.append(Target(f"[{where}] {call} time, {OURS} / plain",
                                  *ratio(figures["call_us", where, call, OURS], figures["call_us", where, call, "plain"]), 1.1, True))
        for direction in DIRECTIONS:
            for chunk in LARGE_CHUNKS:
                targets.append(Target(f"[{where}] one-way {direction} at {chunk} B, {OURS} / base64 codec floor",
                                      *ratio(figures["oneway_MBps", where, direction, OURS, chunk],
                                             figures["codec_MBps", where, "base64", chunk]), 0.5, False))
        for direction in DIRECTIONS:
            for chunk in LARGE_CHUNKS:
                targets.append(Target(f"[{where}] one-way {direction} at {chunk} B, ours-v1 / plain-b85 (TVM's pair)",
                                      *ratio(figures["oneway_MBps", where, direction, "ours-v1", chunk],
                                             figures["oneway_MBps", where, direction, "plain-b85", chunk]), 2.0, False))
        targets.append(Target(f"[{where}] launch to first reply, {OURS} / plain",
                              *ratio(figures["launch_ms", where, OURS], figures["launch_ms", where, "plain"]), 2.5, True))
        for subject in (OURS, "ours-v1"):
            for side in ("server", "client"):
                samples = figures["rss_x_payload", where, side, subject, RSS_CHUNK]
                targets.append(Target(f"[{where}] {side} peak RSS above the pre-call size / payload, 16 MiB, {subject}",
                                      samples.best, samples.median, 4.0, True))
    return targets
