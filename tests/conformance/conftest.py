"""Fixtures of the kit's own tests: project directories around the wire-only test server and the TVM-style server, and a kit runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from microtvm_project_api.cli.main import main as cli_main

SERVERS = Path(__file__).parent / "servers"


def _write_project(directory: Path, revision: int | tuple[int, ...] = 2, defect: str | None = None) -> Path:
    """A template project whose microtvm_api_server.py runs the wire-only server with `defect` (revisions: a tuple offers several)."""
    directory.mkdir(parents=True)
    (directory / "microtvm_api_server.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(SERVERS)!r})\n"
        "from wire_server import main\n"
        f"main(revision={revision}, defect={defect!r})\n"
    )
    return directory


@pytest.fixture
def write_project():
    """`write_project(directory, revision=2, defect=None)`: a template project around the wire-only server."""
    return _write_project


def _write_tvm_project(directory: Path, defect: str | None = None) -> Path:
    """A template project whose microtvm_api_server.py is a platform on the stand-in of TVM's server module."""
    directory.mkdir(parents=True)
    (directory / "microtvm_api_server.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(SERVERS)!r})\n"
        "from tvm_style_server import main\n"
        f"main(defect={defect!r})\n"
    )
    return directory


@pytest.fixture
def write_tvm_project():
    """`write_tvm_project(directory, defect=None)`: a revision 1 template built on TVM's server module, as deployed ones are."""
    return _write_tvm_project


@dataclass
class KitRun:
    status: int
    out: str
    err: str


@pytest.fixture
def conform(capsys: pytest.CaptureFixture[str]):
    """Run `microtvm-project conform ARGS...` in this process and return its status and output."""

    def run(*args: str) -> KitRun:
        status = cli_main(["conform", *map(str, args)])
        captured = capsys.readouterr()
        return KitRun(status, captured.out, captured.err)

    return run
