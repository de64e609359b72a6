"""Fixtures of the TVM-compatibility tests: TVM-era platforms moved to the SDK by their one-line change, and a small
Model Library Format archive."""

from __future__ import annotations

import difflib
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Callable

import pytest

SERVERS = Path(__file__).parent / "servers"
TVM_IMPORT = "from tvm.micro.project_api import server\n"
SDK_IMPORT = "from microtvm_project_api.server_sdk import tvm_compat as server\n"
STAR_SHIM = "from microtvm_project_api.server_sdk.tvm_compat import *\n"
MODULE_STYLE = ("module_style_server.py", "helpers_style_server.py")
PLATFORMS = ("module_style_server.py", "copy_style", "helpers_style_server.py")
"""The three TVM-era platforms: TVM's module imported (twice, one on its helpers), and a copy of it beside the script."""


def migrate(source: str) -> str:
    """The one-line move of a platform importing TVM's module: its import line, nothing else."""
    moved = source.replace(TVM_IMPORT, SDK_IMPORT)
    changed = [line for line in difflib.ndiff(source.splitlines(True), moved.splitlines(True)) if line[:1] in "+-"]
    assert changed == [f"- {TVM_IMPORT}", f"+ {SDK_IMPORT}"], changed
    return moved


@pytest.fixture
def template(tmp_path: Path) -> Callable[[str], Path]:
    """platform -> the template directory holding that TVM-era platform after its one-line move (made once per test)."""

    def make(platform: str) -> Path:
        directory = tmp_path / platform.removesuffix(".py")
        if directory.exists():
            return directory
        if platform in MODULE_STYLE:
            directory.mkdir()
            (directory / "microtvm_api_server.py").write_text(migrate((SERVERS / platform).read_text()))
        else:
            shutil.copytree(SERVERS / platform, directory, ignore=shutil.ignore_patterns("__pycache__"))
            assert (directory / "server.py").read_text() == STAR_SHIM  # the copy of TVM's module, replaced
        return directory

    return make


@pytest.fixture
def mlf(tmp_path: Path) -> Path:
    """A small Model Library Format archive: metadata.json and one C source."""
    archive = tmp_path / "model.tar"
    with tarfile.open(archive, "w") as tar:
        for name, text in {"metadata.json": json.dumps({"version": 7, "modules": {}}),
                           "codegen/host/src/default_lib0.c": "int x;\n"}.items():
            member = tarfile.TarInfo(name)
            member.size = len(text)
            tar.addfile(member, io.BytesIO(text.encode()))
    return archive
