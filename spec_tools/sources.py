"""Where a spec to compare comes from: a schema directory, or a git revision of schema/ in the current repository.

Either is untrusted input (a pull request's spec): every file is read bounded, and a spec the tools cannot read
(not JSON, no `$id`, a keyword of the wrong type, a `$ref` cycle or to another document) is a SourceError
naming the file and JSON pointer, in one line.
"""

from __future__ import annotations

import io
import os
import select
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from microtvm_project_api.protocol.registry import SchemaReferenceError, SchemaRegistry
from microtvm_project_api.spec_tools import schema_shape
from microtvm_project_api.spec_tools.json_input import JsonInputError, read_json

GIT_TIMEOUT_SEC = 60
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_GIT_MESSAGE_BYTES = 64 * 1024
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
"""This project's whole spec is under 200 KB; a spec far larger is refused before it is parsed."""
MAX_FILES = 1000
SKIPPED_FOLDERS = frozenset({"examples", "__pycache__"})
"""Not schema files: instances (examples/), bytecode."""


class SourceError(ValueError):
    """The argument names neither a readable schema directory nor a git revision holding one."""


def load_source(spec: str, cwd: Path | None = None) -> SchemaRegistry:
    """The spec at `spec`: a directory (schema/ itself, or a folder holding schema/), else a git revision."""
    path = Path(cwd or ".") / spec
    if path.is_dir():
        folder = path / "schema" if (path / "schema" / "revisions").is_dir() else path
        if not (folder / "revisions").is_dir():
            raise SourceError(f"{spec}: not a schema directory (no revisions/ folder)")
        return load_directory(folder)
    try:
        return _from_git(spec, Path(cwd or "."))
    except SourceError:
        if path.is_file():  # what git said about it would only confuse
            raise SourceError(f"{spec}: a file, not a schema directory (the folder holding revisions/) or a git revision") from None
        raise


def load_directory(folder: Path, label: str | None = None) -> SchemaRegistry:
    """The spec in the schema directory `folder`, checked to be one the tools can read; SourceError otherwise, naming
    the folder as `label` (default: its path)."""
    label = str(folder) if label is None else label
    documents: dict[str, dict[str, Any]] = {}
    files: dict[str, str] = {}
    paths = _schema_files(folder)
    if sum(map(_size, paths)) > MAX_TOTAL_BYTES:
        raise SourceError(f"{label}: schema files larger than {MAX_TOTAL_BYTES} bytes in all")
    for path in paths:
        name = path.relative_to(folder).as_posix()
        shown = f"{label}/{name}"
        try:
            document = read_json(path, MAX_FILE_BYTES)
        except JsonInputError as exc:
            raise SourceError(shown + str(exc).removeprefix(str(path))) from None
        if not isinstance(document, dict):
            raise SourceError(f"{shown}: a schema file holds a JSON object")
        uri = document.get("$id")
        if not isinstance(uri, str) or not _absolute(uri):
            raise SourceError(f"{shown}: no usable $id (each schema file names itself with an absolute URI, without a fragment)")
        if uri in documents:
            raise SourceError(f"{shown}: $id {uri} is also the $id of {files[uri]}")
        documents[uri], files[uri] = document, name
    where = schema_shape.problem(files, documents)
    if where is not None:
        raise SourceError(f"{label}: {where}")
    try:
        registry = SchemaRegistry(documents, folder / "examples")
        _follow_every_reference(registry)
    except SchemaReferenceError as exc:
        raise SourceError(f"{label}: {exc}") from None
    return registry


def _follow_every_reference(registry: SchemaRegistry) -> None:
    """Follow each `$ref` of the spec to its end once, so that a cycle or a reference out of the spec is reported
    here, naming the spec, and not halfway through a diff; a chain already followed is not followed again."""
    ends: set[str] = set()
    for uri, document in registry.documents.items():
        for pointer, schema in schema_shape.subschemas(document):
            if isinstance(schema, dict) and "$ref" in schema:
                ends.update(ref for ref, _ in registry.follow(uri, schema, registry.site(uri, pointer), ends))


def _schema_files(folder: Path) -> list[Path]:
    """The schema files below `folder` in SchemaRegistry.from_directory's order (each folder's entries by name, a
    subfolder's files in its place); symbolic links to folders are not followed (a link to its own parent would
    list files forever)."""
    found: list[Path] = []
    pending = [folder]
    while pending:
        entry = pending.pop()
        if entry == folder or (entry.is_dir() and not entry.is_symlink() and entry.name not in SKIPPED_FOLDERS):
            try:
                pending.extend(sorted(entry.iterdir(), key=lambda e: e.name, reverse=True))
            except OSError as exc:
                raise SourceError(f"{entry}: {exc.strerror}") from None
        elif entry.name.endswith(".json"):
            found.append(entry)
            if len(found) > MAX_FILES:
                raise SourceError(f"{folder}: more than {MAX_FILES} schema files")
    return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_json names what is wrong with it


def _absolute(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return bool(parts.scheme) and "#" not in uri


def _from_git(revision: str, cwd: Path) -> SchemaRegistry:
    """schema/ as of `revision`, read with `git archive` into a temporary directory."""
    if revision.startswith("-"):
        raise SourceError(f"{revision}: not a directory or a git revision")
    top = _git(["rev-parse", "--show-toplevel"], cwd).decode().strip()
    archive = _git(["archive", "--format=tar", revision, "--", "schema"], Path(top))
    with tempfile.TemporaryDirectory(prefix="spec-diff-") as tmp, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
        return load_directory(Path(tmp) / "schema", f"{revision}:schema")


def _git(args: list[str], cwd: Path) -> bytes:
    """What `git ARGS` writes: at most MAX_ARCHIVE_BYTES, within GIT_TIMEOUT_SEC; SourceError when git fails."""
    command = f"git {' '.join(args)}"
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise SourceError(f"{command}: {exc.strerror}") from None
        with process:
            try:
                output = _bounded_output(process, command)
            finally:
                if process.poll() is None:
                    process.kill()
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read(MAX_GIT_MESSAGE_BYTES).decode(errors="replace").strip()
            raise SourceError(f"not a schema directory, and {command} failed: {message}")
    return output


def _bounded_output(process: subprocess.Popen[bytes], command: str) -> bytes:
    """The process's stdout to its end; SourceError past MAX_ARCHIVE_BYTES or GIT_TIMEOUT_SEC."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    deadline = time.monotonic() + GIT_TIMEOUT_SEC
    output = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SourceError(f"{command}: no end of output within {GIT_TIMEOUT_SEC} s")
        if not select.select([fd], [], [], left)[0]:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return bytes(output)
        output += chunk
        if len(output) > MAX_ARCHIVE_BYTES:
            raise SourceError(f"{command}: more than {MAX_ARCHIVE_BYTES} bytes of output (schema/ that large is not a spec)")
