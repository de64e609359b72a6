"""Launching the host platform's servers through the typed client in a chosen protocol revision."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.sample_model import standalone_crt_dir

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "examples" / "host"
REVISIONS = (1, 2)


def launch(project_dir: Path, revision: int, **kwargs: Any) -> ProjectApiClient:
    """A client session with the server of `project_dir` in `revision` (the server offers both; the client picks)."""
    return ProjectApiClient.launch(project_dir, protocol_versions=[revision], **kwargs)


def generate(archive: Path, project_dir: Path, revision: int, **options: object) -> None:
    """Generate `project_dir` from the host template through the typed client."""
    with launch(TEMPLATE_DIR, revision) as template:
        template.generate_project(archive, standalone_crt_dir(), project_dir, options)


def children(pid: int, wait_sec: float = 5.0) -> list[int]:
    """The child processes of `pid` (the server's firmware), waiting up to `wait_sec` for one to appear."""
    deadline = time.monotonic() + wait_sec
    while True:
        # The server's main thread starts the firmware, so the main thread's task lists it.
        found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
