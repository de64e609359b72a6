"""Where a server's launch time goes: `python -X importtime` of a real launch up to its first reply,
as a tree, with the time spent importing pydantic (a floor for any pydantic-validated server) singled out."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.floors import PING_LINE
from bench.pipes import PipeChild
from bench.plain_jsonrpc.client import SERVER as PLAIN_SERVER
from bench.subjects import LOOPBACK_DIR

FLOOR_PACKAGES = ("pydantic", "pydantic_core")
OUR_PACKAGE = "microtvm_project_api"


@dataclass
class Entry:
    """One imported module: its own time and the time including what it imported (microseconds)."""

    name: str
    depth: int
    self_us: int
    cumulative_us: int
    children: list["Entry"] = field(default_factory=list)


def parse(stderr: str) -> list[Entry]:
    """The import tree (roots in import order) from -X importtime lines, which come children first."""
    pending: list[Entry] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        head, cumulative_us, label = line.split("|", 2)
        self_us = head[len("import time:"):]
        name = label[1:]
        entry = Entry(name.lstrip(" "), (len(name) - len(name.lstrip(" "))) // 2, int(self_us), int(cumulative_us))
        while pending and pending[-1].depth > entry.depth:
            entry.children.insert(0, pending.pop())
        pending.append(entry)
    return pending


def total_us(roots: list[Entry]) -> int:
    """Time of every import up to the first reply."""
    return sum(root.cumulative_us for root in roots)


def package_us(roots: list[Entry], packages: tuple[str, ...]) -> int:
    """Cumulative import time of the outermost imports of `packages` (their own dependencies included)."""
    found = 0
    stack = list(roots)
    while stack:
        entry = stack.pop()
        if entry.name.split(".")[0] in packages:
            found += entry.cumulative_us
        else:
            stack.extend(entry.children)
    return found


def own_us(roots: list[Entry], package: str) -> int:
    """Self time of the modules of `package` alone (module bodies: model classes built, tables loaded)."""
    found = 0
    stack = list(roots)
    while stack:
        entry = stack.pop()
        found += entry.self_us if entry.name.split(".")[0] == package else 0
        stack.extend(entry.children)
    return found


def profile(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> list[Entry]:
    """The import tree of a server launched with -X importtime, from its start to its first reply."""
    with tempfile.TemporaryFile() as stderr:
        with PipeChild(lambda r, w: [sys.executable, "-X", "importtime", *command, "--read-fd", str(r), "--write-fd", str(w)],
                       cwd=None if cwd is None else str(cwd), env=env, stderr=stderr) as child:
            child.send(PING_LINE)
            child.read_line()
        stderr.seek(0)
        return parse(stderr.read().decode("utf-8", "replace"))


def summary() -> dict[str, object]:
    """Import totals of the plain server and of ours (revision 2), pydantic's share, and ours' largest imports."""
    plain = profile([PLAIN_SERVER])
    ours = profile([str(LOOPBACK_DIR / "microtvm_api_server.py")], LOOPBACK_DIR)
    flat: list[Entry] = []
    stack = list(ours)
    while stack:
        entry = stack.pop()
        flat.append(entry)
        stack.extend(entry.children)
    return {
        "plain_total_ms": total_us(plain) / 1e3,
        "ours_total_ms": total_us(ours) / 1e3,
        "pydantic_ms": package_us(ours, FLOOR_PACKAGES) / 1e3,
        "ours_own_modules_ms": own_us(ours, OUR_PACKAGE) / 1e3,
        "ours_slowest_self_ms": {e.name: e.self_us / 1e3 for e in sorted(flat, key=lambda e: -e.self_us)[:8]},
    }
