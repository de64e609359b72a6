"""Where the stand-in for TVM's standalone C runtime directory lives (generate_project's standalone_crt_dir)."""

from __future__ import annotations

from pathlib import Path


def standalone_crt_dir() -> Path:
    """A small packaged directory shaped like TVM's standalone_crt (include/, src/, CMakeLists.txt) with no runtime in it."""
    return Path(__file__).parent / "standalone_crt"
