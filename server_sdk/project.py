"""Making a generated project from a template: the new directory, the server (and launch script), the archive.

`generate_from_template` is what a template's generate_project usually starts with: it refuses a
project_dir inside the template, creates project_dir (which must not exist), copies the server and
its launch script, places the archive as model.tar (so the new server reports is_template false) and
extracts it safely. If anything fails, or the server is interrupted (SIGTERM, SIGINT), the half-made
project directory is removed; a directory that existed is never touched.
"""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from microtvm_project_api.protocol.errors import InvalidParamsError
from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, SERVER_FILE, SESSION_ENV, SESSION_MARKER
from microtvm_project_api.protocol.remove_tree import remove_tree
from microtvm_project_api.server_sdk import mlf
from microtvm_project_api.server_sdk.handler import MLF_ARCHIVE_NAME

EXTRACTED_MODEL_DIR = "model"

logger = logging.getLogger(__name__)


def copy_server(server_file: Path, project_dir: Path) -> None:
    """Copy the server as project_dir/microtvm_api_server.py, and the launch script beside it if there is one."""
    shutil.copy2(server_file, project_dir / SERVER_FILE)
    launch_script = server_file.parent / LAUNCH_SCRIPT
    if launch_script.is_file():
        shutil.copy2(launch_script, project_dir / LAUNCH_SCRIPT)


def generate_from_template(server_file: Path, model_library_format_path: Path, project_dir: Path) -> Path:
    """Create project_dir with the server, the archive (model.tar) and its safe extraction; the extraction's path."""
    _refuse_inside_template(server_file.parent, project_dir)
    with mlf.open_archive(model_library_format_path) as archive:
        with new_project_dir(project_dir):
            extracted = project_dir / EXTRACTED_MODEL_DIR
            mlf.extract_from(archive, model_library_format_path, extracted)
            copy_server(server_file, project_dir)
            archive.seek(0)
            with open(project_dir / MLF_ARCHIVE_NAME, "xb") as copy:
                shutil.copyfileobj(archive, copy, mlf.COPY_CHUNK)
    return extracted


@contextmanager
def new_project_dir(project_dir: Path) -> Iterator[None]:
    """Create project_dir (it must not exist) for the body to fill; removed again if the body fails or is interrupted.
    While the body runs it holds the launching client's session token (protocol/launch.py SESSION_MARKER), so a client
    that has to stop this server mid-call knows the directory is its session's to remove."""
    project_dir.mkdir()
    token = os.environ.get(SESSION_ENV)
    marker = project_dir / SESSION_MARKER
    try:
        if token:
            marker.write_text(token, encoding="ascii")
        yield
        marker.unlink(missing_ok=True)
    except BaseException:
        try:
            remove_tree(project_dir)
        except OSError as exc:
            logger.warning("could not remove the half-made project %s: %s", project_dir, exc)
        raise


def _refuse_inside_template(template_dir: Path, project_dir: Path) -> None:
    """InvalidParamsError when project_dir is (or would be made) inside the template: the template would copy itself."""
    template = Path(os.path.realpath(template_dir))
    where = Path(os.path.realpath(project_dir.parent)) / project_dir.name
    if where == template or template in where.parents:
        raise InvalidParamsError(f"generate_project: /project_dir: {project_dir} is inside the template directory {template}; "
                                 "choose a directory outside it")
