"""Safe extraction of a Model Library Format archive (untrusted input) and reading its metadata.json.

Every header is checked before a byte is written: absolute paths, '..' components, symbolic links
resolving outside the target, hard links to anything but an earlier regular member, device files,
fifos and other special members, more than `max_members` members or more than `max_total_bytes`
of file content are refused with UnsafeArchiveError naming the member. Extraction then writes
each member itself (never tarfile.extract), refusing to write through a path that resolves outside
the target; on any failure the target directory, which extraction creates, is removed again.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tarfile
from pathlib import Path
from typing import Any

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBERS = 100_000
MAX_METADATA_BYTES = 16 * 1024 * 1024
COPY_CHUNK = 1024 * 1024


class UnsafeArchiveError(ValueError):
    """The archive is malformed or holds a member that could escape the target directory or exhaust the disk."""


def extract(archive: Path, target: Path, max_total_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> None:
    """Extract `archive` into `target`, a directory this call creates (its parent must exist)."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = _checked_members(tar, max_total_bytes, max_members)
            target.mkdir()
            try:
                _write_members(tar, members, target.resolve())
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"{archive}: not a readable tar archive: {exc}") from None


def check(archive: Path, max_total_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> None:
    """UnsafeArchiveError unless `extract` would accept `archive`; nothing is written (for code that extracts it itself)."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            _checked_members(tar, max_total_bytes, max_members)
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"{archive}: not a readable tar archive: {exc}") from None


def read_metadata(archive: Path, limit: int = MAX_METADATA_BYTES) -> dict[str, Any]:
    """The metadata.json object of an archive, read without extracting it."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = next((m for m in tar if m.isreg() and _normalized(m.name) == "metadata.json"), None)
            if member is None:
                raise UnsafeArchiveError(f"{archive}: no metadata.json")
            if member.size > limit:
                raise UnsafeArchiveError(f"{archive}: metadata.json is {member.size} bytes, over {limit}")
            stream = tar.extractfile(member)
            assert stream is not None
            text = stream.read(limit + 1)
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"{archive}: not a readable tar archive: {exc}") from None
    try:
        metadata = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UnsafeArchiveError(f"{archive}: metadata.json is not JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise UnsafeArchiveError(f"{archive}: metadata.json is not a JSON object")
    return metadata


def _normalized(name: str) -> str:
    """A member name without its leading './' parts, normalized."""
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name) if name else "."


def _checked_members(tar: tarfile.TarFile, max_total_bytes: int, max_members: int) -> list[tarfile.TarInfo]:
    """Every member header, each checked against the rules, before anything is written."""
    members: list[tarfile.TarInfo] = []
    regular: dict[str, int] = {}
    total = 0
    while (member := tar.next()) is not None:
        if len(members) >= max_members:
            raise UnsafeArchiveError(f"more than {max_members} members")
        name = _checked_name(member.name, member.name)
        if member.isreg():
            size = member.size
            regular[name] = size
        elif member.islnk():
            size = regular.get(_checked_name(member.linkname, member.name), -1)
            if size < 0:
                raise UnsafeArchiveError(f"{member.name}: hard link to {member.linkname!r}, which is not an earlier regular member")
        elif member.issym():
            _check_symlink(name, member)
            size = 0
        elif member.isdir():
            size = 0
        else:
            raise UnsafeArchiveError(f"{member.name}: device files, fifos and other special members are refused")
        total += size
        if total > max_total_bytes:
            raise UnsafeArchiveError(f"{member.name}: archive content exceeds {max_total_bytes} bytes")
        members.append(member)
    return members


def _checked_name(name: str, member: str) -> str:
    """A member or hard-link name as a relative path without '..'; UnsafeArchiveError naming `member` otherwise."""
    if not name or name.startswith("/") or posixpath.isabs(name) or "\\" in name:
        raise UnsafeArchiveError(f"{member}: absolute or unusable path {name!r}")
    if ".." in name.split("/"):
        raise UnsafeArchiveError(f"{member}: path {name!r} contains '..'")
    return _normalized(name)


def _check_symlink(name: str, member: tarfile.TarInfo) -> None:
    target = member.linkname
    if not target or posixpath.isabs(target):
        raise UnsafeArchiveError(f"{member.name}: symbolic link to absolute path {target!r}")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchiveError(f"{member.name}: symbolic link to {target!r} points outside the archive")


def _inside(path: Path, root: Path, member: str) -> Path:
    """`path` if it really resolves (links followed) inside `root`; UnsafeArchiveError otherwise."""
    real = Path(os.path.realpath(path))
    if real != root and root not in real.parents:
        raise UnsafeArchiveError(f"{member}: resolves to {real}, outside the extraction directory")
    return path


def _write_members(tar: tarfile.TarFile, members: list[tarfile.TarInfo], root: Path) -> None:
    links = []
    for member in members:
        name = _normalized(member.name)
        if name == ".":
            continue
        path = root / name
        try:
            _inside(path.parent, root, member.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if member.isdir():
                _inside(path, root, member.name).mkdir(exist_ok=True)
            elif member.issym():
                os.symlink(member.linkname, path)
                links.append((path, member.name))
            else:
                _write_file(tar, member, path)
        except OSError as exc:
            raise UnsafeArchiveError(f"{member.name}: cannot be written: {exc}") from None
    for path, member_name in links:
        _inside(path, root, member_name)


def _write_file(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> None:
    """A regular member (or a hard link's data) into a new file; never through a link, never over a file."""
    stream = tar.extractfile(member)
    assert stream is not None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644 | (member.mode & 0o111))
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(stream, out, COPY_CHUNK)
