"""The README's deadline bound, measured: a call to a real server stopped with SIGSTOP raises within what the README says.

The bound is read from the README's sentence, so the docs and the client cannot part ways unnoticed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from microtvm_project_api.client import ProjectApiClient
from microtvm_project_api.client.client import TERMINATE_GRACE
from microtvm_project_api.client.errors import CallTimeoutError
from microtvm_project_api.protocol.launch import SERVER_FILE

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = REPO / "examples" / "loopback" / SERVER_FILE
CALL_TIMEOUT = 3.0
BOUND = re.compile(r"raises `CallTimeoutError` at most ([\d.]+) s after it")
MEASURED = re.compile(r"a call with `timeout=3` to a server stopped with SIGSTOP raises after ([\d.]+) s")


def readme() -> str:
    return " ".join((REPO / "README.md").read_text(encoding="utf-8").split())


def documented_bound() -> float:
    """Seconds past its deadline by which the README says a call without a reply raises."""
    found = BOUND.search(readme())
    assert found, "README.md no longer states the deadline bound this test measures"
    return float(found.group(1))


@pytest.mark.timeout(30)
def test_a_call_to_a_stopped_server_raises_within_the_documented_bound_and_leaves_no_zombie(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(LOOPBACK, project / SERVER_FILE)
    client = ProjectApiClient.launch(project)
    pid = client.server.pid
    os.kill(pid, signal.SIGSTOP)  # alive, holding its pipes, deaf to SIGTERM: the worst a server can do
    started = time.monotonic()
    try:
        with pytest.raises(CallTimeoutError, match="no reply within 3 s"):
            client.server_info_query(timeout=CALL_TIMEOUT)
        elapsed = time.monotonic() - started
        code = client.server.process.returncode
    finally:
        client.close()
    assert CALL_TIMEOUT + TERMINATE_GRACE <= elapsed <= CALL_TIMEOUT + documented_bound(), elapsed
    assert code == -signal.SIGKILL
    assert not Path(f"/proc/{pid}").exists(), "the stopped server was left a zombie"


def test_the_documented_bound_is_the_grace_plus_the_reap_and_the_measured_figure_is_within_it() -> None:
    bound = documented_bound()
    assert TERMINATE_GRACE < bound <= TERMINATE_GRACE + 0.5
    measured = MEASURED.search(readme())
    assert measured, "README.md no longer gives the figure measured for timeout=3"
    assert CALL_TIMEOUT + TERMINATE_GRACE <= float(measured.group(1)) <= CALL_TIMEOUT + bound
