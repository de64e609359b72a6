"""Write the sample Model Library Format archive: a plain tar with deterministic bytes.

Every member is real: the model's C source and header, metadata, Relay text, graph JSON and
parameters describing that same network, the project template, and a README saying the C code
is hand-written, not produced by TVM. Members are sorted and carry a fixed mtime and owner.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from microtvm_project_api.sample_model import model_files
from microtvm_project_api.sample_model.reference import MODEL_HEADER, MODEL_SOURCE, load_weights

PACKAGE_DIR = Path(__file__).parent
FIXED_MTIME = 1767225600  # 2026-01-01T00:00:00Z, the metadata's export_datetime
MODULE = model_files.MODULE_NAME


def archive_members() -> dict[str, bytes]:
    """Member path -> bytes of every file in the archive."""
    weights = load_weights()
    return {
        "README.md": (PACKAGE_DIR / "ARCHIVE_README.md").read_bytes(),
        "metadata.json": model_files.metadata_json(weights),
        f"codegen/host/src/{MODEL_SOURCE.name}": MODEL_SOURCE.read_bytes(),
        f"codegen/host/include/{MODEL_HEADER.name}": MODEL_HEADER.read_bytes(),
        f"parameters/{MODULE}.params": model_files.params_bytes(weights),
        f"src/{MODULE}.relay": model_files.relay_text(weights),
        f"executor-config/graph/{MODULE}.graph": model_files.graph_json(weights),
        "templates/model_config.h.template": (PACKAGE_DIR / "templates" / "model_config.h.template").read_bytes(),
    }


def write_mlf_archive(path: str | os.PathLike[str]) -> Path:
    """Write the archive to `path` (created or replaced) and return it as a Path."""
    target = Path(path)
    with tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in sorted(archive_members().items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return target
