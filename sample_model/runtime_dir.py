"""Where the stand-in for TVM's standalone C runtime directory lives (generate_project's standalone_crt_dir)."""

from __future__ import annotations

from pathlib import Path


def standalone_crt_dir() -> Path:
    """A small packaged directory whose README explains why the host firmware needs no TVM runtime."""
    return Path(__file__).parent / "standalone_crt"
