"""Safe extraction of a Model Library Format archive (untrusted input) and reading its metadata.json.

The archive must be a regular file: a fifo, a device or a directory is refused before it is opened for
reading. Every header is checked before a byte is written: absolute paths, '..' components, names
longer than MAX_PATH_BYTES or deeper than MAX_PATH_DEPTH, more than MAX_TOTAL_PATH_BYTES of names in
all, members inside a symbolic link of the archive, symbolic links leading outside the target, hard
links to anything but an earlier regular member, device files, fifos, sparse and other special
members, header extensions (long names, pax records) over MAX_HEADER_BYTES, more than `max_members`
members or more than `max_total_bytes` of file content are refused with UnsafeArchiveError naming the
member and the bound. A compressed archive is then read to its end, so a damaged or truncated stream
fails its checksum before anything is written. Extraction writes each member itself (never
tarfile.extract) through descriptor-relative calls that never follow a link, so every check is linear
in the length of the names; on any failure the target directory, which extraction creates, is
removed again (iteratively, whatever its depth).
"""

from __future__ import annotations

import json
import lzma
import os
import posixpath
import shutil
import stat
import tarfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from microtvm_project_api.protocol.remove_tree import remove_tree

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBERS = 100_000
MAX_METADATA_BYTES = 16 * 1024 * 1024
MAX_PATH_BYTES = 1024
"""The longest member (or link) name; an MLF archive's longest is well under 200 bytes."""
MAX_PATH_DEPTH = 32
"""The most components a member name may have (codegen/host/src/lib0.c has 4)."""
MAX_TOTAL_PATH_BYTES = 4 * 1024 * 1024
"""All member and link names together (an MLF archive has well under 1 MiB): what the checks, the writing and
tarfile's member list cost is linear in this."""
MAX_HEADER_BYTES = 64 * 1024
"""One header extension (a GNU long name, pax records), refused over this before tarfile reads it into memory."""
MAX_HEADER_CHAIN = 8
"""Header extensions before one member (tarfile reads each chain recursively)."""
MAX_TRAILING_BYTES = 1024 * 1024
"""What may follow the end-of-archive marker (tar pads to its record size, 10 KiB by default)."""
COPY_CHUNK = 1024 * 1024

_EXTENSION_TYPES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
_READ_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, UnicodeDecodeError)
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a fifo"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class UnsafeArchiveError(ValueError):
    """The archive is malformed or holds a member that could escape the target directory or exhaust the disk."""


def open_archive(archive: Path) -> IO[bytes]:
    """`archive` opened for reading; UnsafeArchiveError unless it is a regular file (a fifo would block, a device never end).

    It is checked before it is opened (opening a device can act on it) and again on the open descriptor,
    which is opened non-blocking so that a fifo swapped in between cannot block.
    """
    try:
        _check_regular(archive, os.stat(archive).st_mode)
        fd = os.open(archive, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise UnsafeArchiveError(f"{archive}: cannot be read: {exc.strerror}") from None
    try:
        _check_regular(archive, os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def extract(archive: Path, target: Path, max_total_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> None:
    """Extract `archive` into `target`, a directory this call creates (its parent must exist)."""
    with open_archive(archive) as stream:
        extract_from(stream, archive, target, max_total_bytes, max_members)


def extract_from(stream: IO[bytes], archive: Path, target: Path, max_total_bytes: int = MAX_TOTAL_BYTES,
                 max_members: int = MAX_MEMBERS) -> None:
    """Extract the archive open as `stream` (from open_archive; `archive` names it in errors) into `target`, which this creates."""
    with _reading(archive):
        tar = _BoundedTarFile.open(str(archive), "r:*", fileobj=stream)
    with tar:
        with _reading(archive):
            members = _checked_members(tar, max_total_bytes, max_members)
            _read_to_end(tar)
        target.mkdir()
        try:
            root = os.open(target, _DIRECTORY)
            try:
                _write_members(tar, members, root)
            finally:
                os.close(root)
            _check_links(members, target.resolve())
        except BaseException:
            remove_tree(target)
            raise


def check(archive: Path, max_total_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> None:
    """UnsafeArchiveError unless `extract` would accept `archive`'s headers and stream; nothing is written (for code
    that extracts it itself). Conflicts only writing finds (a member written twice) are left to that code."""
    with open_archive(archive) as stream, _reading(archive):
        with _BoundedTarFile.open(str(archive), "r:*", fileobj=stream) as tar:
            _checked_members(tar, max_total_bytes, max_members)
            _read_to_end(tar)


def read_metadata(archive: Path, limit: int = MAX_METADATA_BYTES) -> dict[str, Any]:
    """The metadata.json object of an archive, read without extracting it."""
    with open_archive(archive) as raw, _reading(archive):
        with _BoundedTarFile.open(str(archive), "r:*", fileobj=raw) as tar:
            member = next((m for m in _headers(tar, MAX_MEMBERS) if m.isreg() and _normalized(m.name) == "metadata.json"), None)
            if member is None:
                raise UnsafeArchiveError(f"{archive}: no metadata.json")
            if member.size > limit:
                raise UnsafeArchiveError(f"{archive}: metadata.json is {member.size} bytes, over {limit}")
            stream = tar.extractfile(member)
            assert stream is not None
            text = stream.read(limit + 1)
    try:
        metadata = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnsafeArchiveError(f"{archive}: metadata.json is not JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise UnsafeArchiveError(f"{archive}: metadata.json is not a JSON object")
    return metadata


def _check_regular(archive: Path, mode: int) -> None:
    for test, kind in _FILE_KINDS:
        if test(mode):
            raise UnsafeArchiveError(f"{archive}: is {kind}, not a regular file; give the path of a Model Library Format tar file")
    if not stat.S_ISREG(mode):
        raise UnsafeArchiveError(f"{archive}: not a regular file; give the path of a Model Library Format tar file")


@contextmanager
def _reading(archive: Path) -> Iterator[None]:
    """Turn what tarfile and the decompressors raise on a malformed, damaged or truncated archive into UnsafeArchiveError."""
    try:
        yield
    except _READ_ERRORS as exc:
        raise UnsafeArchiveError(f"{archive}: not a readable tar archive: {exc or type(exc).__name__}") from None


class _BoundedTarInfo(tarfile.TarInfo):
    """A header whose extensions are refused over MAX_HEADER_BYTES (and chains of them over MAX_HEADER_CHAIN) before
    tarfile reads them into memory, and whose sparse forms are refused (_proc_member is tarfile's documented hook)."""

    def _proc_member(self, tar: Any) -> Any:
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise UnsafeArchiveError(f"{self.name}: sparse members are refused")
        if self.type not in _EXTENSION_TYPES:
            return super()._proc_member(tar)  # type: ignore[misc]
        if self.size > MAX_HEADER_BYTES:
            raise UnsafeArchiveError(f"{tar.name}: header extension at byte {self.offset}: {self.size} bytes, over {MAX_HEADER_BYTES}")
        if tar.extension_chain >= MAX_HEADER_CHAIN:
            raise UnsafeArchiveError(f"{tar.name}: header extensions at byte {self.offset}: more than {MAX_HEADER_CHAIN} before one member")
        tar.extension_chain += 1
        try:
            return super()._proc_member(tar)  # type: ignore[misc]
        finally:
            tar.extension_chain -= 1

    def _proc_gnusparse_10(self, next: tarfile.TarInfo, pax_headers: dict[str, str], tar: Any) -> None:
        raise UnsafeArchiveError(f"{next.name}: sparse members are refused")


class _BoundedTarFile(tarfile.TarFile):
    """A TarFile reading _BoundedTarInfo headers; extension_chain counts the extensions being read before one member."""

    tarinfo = _BoundedTarInfo
    extension_chain = 0


def _headers(tar: tarfile.TarFile, max_members: int) -> Iterator[tarfile.TarInfo]:
    """The members, at most `max_members` of them."""
    count = 0
    while (member := tar.next()) is not None:
        count += 1
        if count > max_members:
            raise UnsafeArchiveError(f"{_shown(member.name)}: more than {max_members} members")
        yield member


def _normalized(name: str) -> str:
    """A member name without its leading './' parts, normalized."""
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name) if name else "."


def _checked_members(tar: tarfile.TarFile, max_total_bytes: int, max_members: int) -> list[tarfile.TarInfo]:
    """Every member header, each checked against the rules, before anything is written."""
    members: list[tarfile.TarInfo] = []
    regular: dict[str, int] = {}
    links: set[str] = set()
    directories: set[str] = set()
    total = names = 0
    for member in _headers(tar, max_members):
        name = _checked_name(member.name, member.name)
        names += len(member.name) + len(member.linkname)
        if names > MAX_TOTAL_PATH_BYTES:
            raise UnsafeArchiveError(f"{_shown(member.name)}: the member names exceed {MAX_TOTAL_PATH_BYTES} bytes in all")
        parent = posixpath.dirname(name)
        while parent and parent not in directories:  # each directory a member implies is made: count them too
            directories.add(parent)
            parent = posixpath.dirname(parent)
        if len(members) + len(directories) >= max_members:
            raise UnsafeArchiveError(f"{_shown(member.name)}: more than {max_members} members and directories they imply")
        if member.isreg():
            size = member.size
            regular[name] = size
        elif member.islnk():
            size = regular.get(_checked_name(member.linkname, member.name), -1)
            if size < 0:
                raise UnsafeArchiveError(f"{member.name}: hard link to {member.linkname!r}, which is not an earlier regular member")
        elif member.issym():
            _check_symlink(name, member)
            links.add(name)
            size = 0
        elif member.isdir():
            size = 0
        else:
            raise UnsafeArchiveError(f"{member.name}: device files, fifos and other special members are refused")
        total += size
        if total > max_total_bytes:
            raise UnsafeArchiveError(f"{member.name}: archive content exceeds {max_total_bytes} bytes")
        members.append(member)
    if links:
        for member in members:
            _check_not_inside_link(_normalized(member.name), links, member.name)
    return members


def _checked_name(name: str, member: str) -> str:
    """A member or hard-link name as a relative path without '..' within the path bounds; UnsafeArchiveError naming `member` otherwise."""
    if len(name) > MAX_PATH_BYTES or len(name.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise UnsafeArchiveError(f"{_shown(member)}: path longer than {MAX_PATH_BYTES} bytes")
    if not name or name.startswith("/") or posixpath.isabs(name) or "\\" in name:
        raise UnsafeArchiveError(f"{member}: absolute or unusable path {name!r}")
    if ".." in name.split("/"):
        raise UnsafeArchiveError(f"{member}: path {name!r} contains '..'")
    normalized = _normalized(name)
    if normalized.count("/") >= MAX_PATH_DEPTH:
        raise UnsafeArchiveError(f"{_shown(member)}: path of more than {MAX_PATH_DEPTH} components")
    return normalized


def _shown(name: str, limit: int = 100) -> str:
    """A member name for an error message: its first `limit` characters."""
    return name if len(name) <= limit else f"{name[:limit]}... ({len(name)} characters)"


def _check_symlink(name: str, member: tarfile.TarInfo) -> None:
    target = member.linkname
    if not target or posixpath.isabs(target):
        raise UnsafeArchiveError(f"{member.name}: symbolic link to absolute path {target!r}")
    if len(target) > MAX_PATH_BYTES:
        raise UnsafeArchiveError(f"{member.name}: symbolic link target longer than {MAX_PATH_BYTES} bytes")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchiveError(f"{member.name}: symbolic link to {target!r} points outside the archive")


def _check_not_inside_link(name: str, links: set[str], member: str) -> None:
    """Refuse a member whose path goes through a symbolic link of the archive: nothing is written through a link."""
    at = name.find("/")
    while at >= 0:
        if name[:at] in links:
            raise UnsafeArchiveError(f"{member}: inside {name[:at]!r}, a symbolic link of the archive; nothing is written through a link")
        at = name.find("/", at + 1)


def _read_to_end(tar: tarfile.TarFile) -> None:
    """Read past the end-of-archive marker to the end of the (decompressed) stream: a compressed stream's
    checksum and length are verified only there; at most MAX_TRAILING_BYTES may follow the marker."""
    trailing = 0
    while chunk := tar.fileobj.read(COPY_CHUNK):
        trailing += len(chunk)
        if trailing > MAX_TRAILING_BYTES:
            raise UnsafeArchiveError(f"{tar.name}: more than {MAX_TRAILING_BYTES} bytes after the end of the archive")  # type: ignore[str-bytes-safe]


class _DirectoryPath:
    """Descriptors of the directories along one path under the extraction root, each opened (made if missing) one
    component at a time without following a link. Moving to another directory keeps what the two paths share,
    so members written directory by directory open each directory once."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.parts: list[str] = []
        self.fds: list[int] = []

    def open(self, parts: list[str]) -> int:
        """The descriptor of the directory root/parts."""
        shared = 0
        while shared < min(len(parts), len(self.parts)) and parts[shared] == self.parts[shared]:
            shared += 1
        while len(self.fds) > shared:
            os.close(self.fds.pop())
            self.parts.pop()
        for part in parts[shared:]:
            at = self.fds[-1] if self.fds else self.root
            try:
                fd = os.open(part, _DIRECTORY, dir_fd=at)
            except FileNotFoundError:
                os.mkdir(part, dir_fd=at)
                fd = os.open(part, _DIRECTORY, dir_fd=at)
            self.fds.append(fd)
            self.parts.append(part)
        return self.fds[-1] if self.fds else self.root

    def open_parent(self, name: str) -> tuple[int, str]:
        """The descriptor of the directory holding the normalized member name `name`, and its last component."""
        parent, _, leaf = name.rpartition("/")
        return self.open(parent.split("/") if parent else []), leaf

    def close(self) -> None:
        self.open([])


def _write_members(tar: tarfile.TarFile, members: list[tarfile.TarInfo], root: int) -> None:
    """Write every member in archive order, so a compressed stream is read once, forwards: a hard link copies the
    file already written instead of seeking back for its data. Opening directories costs at most one call per
    component of each name, and one per member when members come directory by directory."""
    directories, sources = _DirectoryPath(root), _DirectoryPath(root)
    try:
        for member in members:
            name = _normalized(member.name)
            if name == ".":
                continue
            try:
                at, leaf = directories.open_parent(name)
                if member.isdir():
                    _make_directory(leaf, at)
                elif member.issym():
                    os.symlink(member.linkname, leaf, dir_fd=at)
                elif member.islnk():
                    source_at, source = sources.open_parent(_normalized(member.linkname))
                    with open(os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=source_at), "rb") as data:
                        _write_file(data, member.mode, leaf, at)
                else:
                    data = tar.extractfile(member)  # type: ignore[assignment]
                    assert data is not None
                    _write_file(data, member.mode, leaf, at)
            except OSError as exc:
                raise UnsafeArchiveError(f"{member.name}: cannot be written: {exc.strerror or exc}") from None
    finally:
        directories.close()
        sources.close()


def _make_directory(name: str, at: int) -> None:
    """A directory member: made, or already there as a directory (not a link to one)."""
    try:
        os.mkdir(name, dir_fd=at)
    except FileExistsError:
        if not stat.S_ISDIR(os.stat(name, dir_fd=at, follow_symlinks=False).st_mode):
            raise


def _write_file(data: IO[bytes], mode: int, name: str, at: int) -> None:
    """A new file `name` in directory `at` holding `data`; never through a link, never over a file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(os.open(name, flags, 0o644 | (mode & 0o111), dir_fd=at), "wb") as out:
        shutil.copyfileobj(data, out, COPY_CHUNK)


def _check_links(members: list[tarfile.TarInfo], root: Path) -> None:
    """Each symbolic link, now that all are written, really resolves inside `root` (a chain of them can lead out)."""
    inside = str(root).rstrip("/") + "/"
    for member in members:
        if member.issym():
            real = _real_path(root / _normalized(member.name))
            if real != str(root) and not real.startswith(inside):
                raise UnsafeArchiveError(f"{member.name}: resolves to {real}, outside the extraction directory")


def _real_path(path: Path) -> str:
    """Where `path` leads, links followed. Resolved by the kernel in one open where it can (Linux's O_PATH and
    /proc), since os.path.realpath costs a Python step and an lstat of a whole prefix per component; realpath
    for the rest, and for a link that leads nowhere or in a loop."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (AttributeError, OSError):
        return os.path.realpath(path)
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return os.path.realpath(path)
    finally:
        os.close(fd)
