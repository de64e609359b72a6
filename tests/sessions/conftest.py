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
    """platform -> a new copy of examples/PLATFORM in the test's directory (the first named PLATFORM-copy)."""

    def make(platform: str) -> Path:
        target = tmp_path / f"{platform}-copy"
        number = 1
        while target.exists():
            number += 1
            target = tmp_path / f"{platform}-copy{number}"
        shutil.copytree(EXAMPLES / platform, target, ignore=shutil.ignore_patterns("__pycache__", "build"))
        return target

    return make
