"""Test-run hygiene (the whole run must leave no child process and no open file descriptor behind), and the
small Model Library Format archive tests generate projects from."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from leak_check import child_pids, leaks, open_fds
from small_mlf import write_small_mlf

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


@pytest.fixture
def mlf(tmp_path: Path) -> Path:
    """A small Model Library Format archive (tests/small_mlf.py) in the test's directory."""
    return write_small_mlf(tmp_path / "model.tar")
