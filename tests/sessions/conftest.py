"""Fixtures of the session tests: golden_sessions.py importable, copies of the reference platforms."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def platform_copy(tmp_path: Path) -> Callable[[str], Path]:
    """platform -> a copy of examples/PLATFORM in the test's directory."""

    def make(platform: str) -> Path:
        target = tmp_path / f"{platform}-copy"
        shutil.copytree(EXAMPLES / platform, target, ignore=shutil.ignore_patterns("__pycache__", "build"))
        return target

    return make
