"""Counting what a test run leaves behind: open descriptors and child processes of this process.

Used by the session fixture of tests/conftest.py and by tests that check one session at a time."""

from __future__ import annotations

import os


def open_fds() -> dict[int, str]:
    """This process's open descriptors and what each points at."""
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the descriptor listdir itself used, closed by now
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
