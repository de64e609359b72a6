"""Fixtures of the TVM-compatibility tests: TVM-era platforms moved to the SDK by their one-line change (the small
Model Library Format archive, `mlf`, is tests/conftest.py's)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from tvm_era import MODULE_STYLE, SERVERS, STAR_SHIM, migrate, platform_source


@pytest.fixture
def template(tmp_path: Path) -> Callable[[str], Path]:
    """platform -> the template directory holding that TVM-era platform after its one-line move (made once per test)."""

    def make(platform: str) -> Path:
        directory = tmp_path / platform.removesuffix(".py")
        if directory.exists():
            return directory
        if platform in MODULE_STYLE:
            directory.mkdir()
            (directory / "microtvm_api_server.py").write_text(migrate(platform_source(platform)))
        else:
            shutil.copytree(SERVERS / platform, directory, ignore=shutil.ignore_patterns("__pycache__"))
            assert (directory / "server.py").read_text() == STAR_SHIM  # the copy of TVM's module, replaced
        return directory

    return make


