"""Where client and server run: both pinned to one CPU (pipe wake-ups never cross cores), or free.

Children inherit the CPU set of the process that starts them, so the suite sets its own before
launching a pair and restores it afterwards."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

PLACEMENTS = ("pinned", "free")
ALLOWED = frozenset(os.sched_getaffinity(0))
"""The CPUs this benchmark may use, read once at import (before any pinning)."""


@contextmanager
def placed(placement: str) -> Iterator[None]:
    """Run the block, and every process it starts, on one CPU ("pinned") or on all allowed CPUs ("free")."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(ALLOWED)} if placement == "pinned" else ALLOWED)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
