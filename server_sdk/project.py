"""Making a generated project from a template: the new directory, the server (and launch script), the archive.

`generate_from_template` is what a template's generate_project usually starts with: it creates
project_dir (which must not exist), copies the server and its launch script, places the archive
as model.tar (so the new server reports is_template false) and extracts it safely. If anything
fails, the half-made project directory is removed; a directory that existed is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, SERVER_FILE
from microtvm_project_api.server_sdk import mlf
from microtvm_project_api.server_sdk.handler import MLF_ARCHIVE_NAME

EXTRACTED_MODEL_DIR = "model"


def copy_server(server_file: Path, project_dir: Path) -> None:
    """Copy the server as project_dir/microtvm_api_server.py, and the launch script beside it if there is one."""
    shutil.copy2(server_file, project_dir / SERVER_FILE)
    launch_script = server_file.parent / LAUNCH_SCRIPT
    if launch_script.is_file():
        shutil.copy2(launch_script, project_dir / LAUNCH_SCRIPT)


def generate_from_template(server_file: Path, model_library_format_path: Path, project_dir: Path) -> Path:
    """Create project_dir with the server, the archive (model.tar) and its safe extraction; the extraction's path."""
    project_dir.mkdir()
    try:
        extracted = project_dir / EXTRACTED_MODEL_DIR
        mlf.extract(model_library_format_path, extracted)
        copy_server(server_file, project_dir)
        shutil.copy2(model_library_format_path, project_dir / MLF_ARCHIVE_NAME)
    except BaseException:
        shutil.rmtree(project_dir, ignore_errors=True)
        raise
    return extracted
