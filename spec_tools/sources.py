"""Where a spec to compare comes from: a schema directory, or a git revision of schema/ in the current repository."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from microtvm_project_api.protocol.registry import SchemaRegistry

GIT_TIMEOUT_SEC = 60
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024


class SourceError(ValueError):
    """The argument names neither a schema directory nor a git revision holding schema/."""


def load_source(spec: str, cwd: Path | None = None) -> SchemaRegistry:
    """The spec at `spec`: a directory (schema/ itself, or a folder holding schema/), else a git revision."""
    path = Path(cwd or ".") / spec
    if path.is_dir():
        folder = path / "schema" if (path / "schema" / "revisions").is_dir() else path
        if not (folder / "revisions").is_dir():
            raise SourceError(f"{spec}: not a schema directory (no revisions/ folder)")
        return SchemaRegistry.from_directory(folder)
    return _from_git(spec, Path(cwd or "."))


def _from_git(revision: str, cwd: Path) -> SchemaRegistry:
    """schema/ as of `revision`, read with `git archive` into a temporary directory."""
    if revision.startswith("-"):
        raise SourceError(f"{revision}: not a directory or a git revision")
    top = _git(["rev-parse", "--show-toplevel"], cwd).decode().strip()
    archive = _git(["archive", "--format=tar", revision, "--", "schema"], Path(top))
    if len(archive) > MAX_ARCHIVE_BYTES:
        raise SourceError(f"{revision}: schema/ archive larger than {MAX_ARCHIVE_BYTES} bytes")
    with tempfile.TemporaryDirectory(prefix="spec-diff-") as tmp, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
        return SchemaRegistry.from_directory(Path(tmp) / "schema")


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_SEC, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"git {' '.join(args)}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise SourceError(f"not a schema directory, and git {' '.join(args)} failed: {message}")
    return done.stdout
