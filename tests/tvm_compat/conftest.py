"""Fixtures of the TVM-compatibility tests: TVM-era platforms moved to the SDK by their one-line change, and a small
Model Library Format archive."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Callable

import pytest
from tvm_era import MODULE_STYLE, SERVERS, STAR_SHIM, migrate


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
