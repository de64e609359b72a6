"""The issue's targets as ratios between figures of the same run, each judged PASS or MISS (never asserted)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.measure import Samples
from bench.suite import Figures

OURS = "ours-v2"
LARGE_CHUNKS = ("65536", "1048576")
RSS_CHUNK = str(16 * 1024 * 1024)


@dataclass(frozen=True)
class Target:
    """One target: the ratio from the best runs and from the medians, the limit, and which side must hold.

    Both ratios are judged: the best runs are the least disturbed estimate of a cost on a shared machine,
    the medians what a user sees on it (pipe latency here is bimodal, by whether two processes share a core)."""

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


def evaluate(figures: Figures, pydantic_ms: float) -> list[Target]:
    """Every target of the issue that the run measured."""
    targets = []
    for call in ("server_info_query", "write_transport_1B"):
        ours = figures["calls_per_s", call, OURS]
        # latency ratios: a rate's inverse is the latency, so latency(ours)/latency(base) = rate(base)/rate(ours)
        targets.append(Target(f"{call} latency, {OURS} / plain", *ratio(figures["calls_per_s", call, "plain"], ours), 1.5, True))
        targets.append(Target(f"{call} latency, {OURS} / ping-pong floor", *ratio(figures["calls_per_s", "floor"], ours), 4.0, True))
    for chunk in LARGE_CHUNKS:
        ours = figures["throughput_MBps", OURS, chunk]
        targets.append(Target(f"throughput at {chunk} B, {OURS} / base64 codec floor", *ratio(ours, figures["codec_MBps", "base64", chunk]), 0.5, False))
        targets.append(Target(f"throughput at {chunk} B, {OURS} / ours-v1", *ratio(ours, figures["throughput_MBps", "ours-v1", chunk]), 20.0, False))
    launch = figures["launch_ms", OURS]
    targets.append(Target(f"launch to first reply, {OURS} / plain", *ratio(launch, figures["launch_ms", "plain"]), 2.0, True))
    plain = figures["launch_ms", "plain"]
    targets.append(Target(f"launch to first reply, {OURS} / (plain + pydantic import)",
                          launch.best / (plain.best + pydantic_ms), launch.median / (plain.median + pydantic_ms), 2.0, True))
    for side in ("server", "client"):
        for subject in (OURS, "ours-v1"):
            samples = figures["rss_x_payload", side, subject, RSS_CHUNK]
            targets.append(Target(f"{side} peak RSS above idle / payload, 16 MiB chunk, {subject}", samples.best, samples.median, 8.0, True))
    return targets
