"""Repeated, time-bounded timing: the figures of a shared, noisy machine are the best and median of many runs."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Samples:
    """Repeated measurements of one figure. `best` is the min for a cost (time, memory), the max for a rate."""

    unit: str
    higher_is_better: bool = False
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def best(self) -> float:
        return max(self.values) if self.higher_is_better else min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def as_dict(self) -> dict[str, object]:
        return {"unit": self.unit, "best": self.best, "median": self.median, "runs": self.values}


def seconds_per_op(operation: Callable[[], object], min_seconds: float, min_ops: int = 3, max_ops: int | None = None) -> float:
    """Run `operation` until `min_seconds` and `min_ops` are both reached (or `max_ops` runs); the mean seconds of one run."""
    ops = 0
    start = time.perf_counter()
    while True:
        operation()
        ops += 1
        elapsed = time.perf_counter() - start
        if (ops >= min_ops and elapsed >= min_seconds) or ops == max_ops:
            return elapsed / ops


def timed_parts(operation: Callable[[], tuple[float, ...]], min_seconds: float, min_ops: int = 2) -> tuple[float, ...]:
    """Run `operation`, which times its own parts, until the parts' total reaches `min_seconds` and `min_ops`
    runs are done; the mean seconds of each part (untimed work inside `operation` is left out)."""
    totals: list[float] = []
    ops = 0
    while ops < min_ops or sum(totals) < min_seconds:
        parts = operation()
        totals = [a + b for a, b in zip(totals, parts)] if totals else list(parts)
        ops += 1
    return tuple(total / ops for total in totals)
