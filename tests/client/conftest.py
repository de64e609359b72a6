"""Fixtures for the client tests: project directories holding a fixture server, and a leak check on the process table."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from microtvm_project_api.protocol.launch import group_has_live_members

SERVERS = Path(__file__).parent / "servers"


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of every live or zombie process whose parent is `pid`, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append((int(entry), fields[0]))
    return found


@pytest.fixture
def group_alive() -> Callable[[int], bool]:
    """A function telling whether a live (not zombie) process is left in a process group, from /proc."""
    return group_has_live_members


@pytest.fixture(autouse=True)
def no_leaked_children():
    """Every test must leave no child process, running or zombie, behind."""
    before = set(children_of(os.getpid()))
    yield
    leaked = [child for child in children_of(os.getpid()) if child not in before]
    assert not leaked, f"child processes left behind: {leaked}"


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Path]:
    """A function copying a fixture server into a fresh project directory as microtvm_api_server.py."""

    def make(server: str, name: str = "project") -> Path:
        project = tmp_path / name
        project.mkdir()
        shutil.copy(SERVERS / server, project / "microtvm_api_server.py")
        return project

    return make


@pytest.fixture
def defect_env() -> Callable[[str], dict[str, str]]:
    """The environment selecting one defect of broken_server.py."""
    return lambda defect: {**os.environ, "FIXTURE_DEFECT": defect}
