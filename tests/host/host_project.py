"""Launching the host platform's servers through the typed client in a chosen protocol revision."""

from __future__ import annotations

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
