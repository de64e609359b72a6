"""Test-run hygiene: the whole run must leave no child process and no open file descriptor behind."""

from __future__ import annotations

import os
import time
from typing import Iterator

import pytest

SETTLE_SECONDS = 5.0


def open_fds() -> dict[int, str]:
    """This process's open descriptors and what each points at."""
    fds = {}
    for entry in os.scandir("/proc/self/fd"):
        try:
            fds[int(entry.name)] = os.readlink(entry.path)
        except OSError:
            pass  # the descriptor scandir itself used, closed by now
    return fds


def child_pids() -> set[int]:
    """Processes whose parent is this process, zombies included."""
    me = os.getpid()
    children = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rpartition(b")")[2].split()
            except OSError:
                continue  # ended while we looked
            if int(fields[1]) == me:
                children.add(int(entry.name))
    return children


def leaks(fds_before: dict[int, str], children_before: set[int]) -> list[str]:
    """What is open or running now that was not before, as readable lines."""
    found = [f"child process {pid} still exists" for pid in sorted(child_pids() - children_before)]
    found += [f"descriptor {fd} -> {target} still open" for fd, target in sorted(open_fds().items()) if fds_before.get(fd) != target]
    return found


@pytest.fixture(scope="session", autouse=True)
def no_leaks_after_the_run() -> Iterator[None]:
    """Fails the run when it leaves a child process or a descriptor open (after a short settle time)."""
    fds_before, children_before = open_fds(), child_pids()
    yield
    deadline = time.monotonic() + SETTLE_SECONDS
    while (found := leaks(fds_before, children_before)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not found, "the test run leaked:\n" + "\n".join(found)
