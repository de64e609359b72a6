"""Test-run hygiene: the whole run must leave no child process and no open file descriptor behind."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from leak_check import child_pids, leaks, open_fds

SETTLE_SECONDS = 5.0


@pytest.fixture(scope="session", autouse=True)
def no_leaks_after_the_run() -> Iterator[None]:
    """Fails the run when it leaves a child process or a descriptor open (after a short settle time)."""
    fds_before, children_before = open_fds(), child_pids()
    yield
    deadline = time.monotonic() + SETTLE_SECONDS
    while (found := leaks(fds_before, children_before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not found, "the test run leaked:\n" + "\n".join(found)
