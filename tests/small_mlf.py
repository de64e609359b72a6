"""A small Model Library Format archive for tests that generate a project: metadata.json and one C source."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

FILES = {"metadata.json": json.dumps({"version": 7, "modules": {}}), "codegen/host/src/default_lib0.c": "int x;\n"}


def write_small_mlf(archive: Path) -> Path:
    """Write the archive at `archive` and return that path."""
    with tarfile.open(archive, "w") as tar:
        for name, text in FILES.items():
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return archive
