"""The leak detector of tests/leak_check.py sees what it must: a new descriptor and a new child (reaped or not)."""

from __future__ import annotations

import os
import subprocess
import sys

from leak_check import child_pids, leaks, open_fds


def test_a_new_pipe_is_a_leak_until_closed() -> None:
    fds, children = open_fds(), child_pids()
    read_fd, write_fd = os.pipe()
    try:
        found = leaks(fds, children)
        assert f"descriptor {read_fd} -> {os.readlink(f'/proc/self/fd/{read_fd}')} still open" in found
        assert any(line.startswith(f"descriptor {write_fd} -> pipe:") for line in found)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert leaks(fds, children) == []


def test_a_child_is_a_leak_until_reaped() -> None:
    fds, children = open_fds(), child_pids()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped yet: a zombie
        assert leaks(fds, children) == [f"child process {child.pid} still exists"]
    finally:
        child.wait()
    assert leaks(fds, children) == []
