"""Removing a directory tree of any depth: iteratively, with descriptor-relative calls, never following a link.

shutil.rmtree recurses once per level (a tree 1,100 levels deep raises RecursionError half-removed) and
names whole paths (which stop working past PATH_MAX). This walks down holding one directory descriptor and
climbs back through '..', checking that each parent is still the directory it came from.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def remove_tree(path: Path) -> None:
    """Delete `path` and everything under it. A missing path is fine; a link is removed, never followed."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(path)
        return
    fd = os.open(path, _DIRECTORY | os.O_NOFOLLOW)
    try:
        levels = [("", _identity(fd), _unlink_all_but_directories(fd))]  # (name in parent, identity, subdirectories left)
        while True:
            subdirectories = levels[-1][2]
            if subdirectories:
                name = subdirectories.pop()
                child = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
                levels.append((name, _identity(fd), _unlink_all_but_directories(fd)))
                continue
            name = levels.pop()[0]
            if not levels:
                break
            parent = os.open("..", _DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = parent
            if _identity(fd) != levels[-1][1]:
                raise OSError(f"{path}: a directory was moved while the tree was being removed")
            os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(path)


def _identity(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def _unlink_all_but_directories(fd: int) -> list[str]:
    """Unlink every entry of the directory `fd` that is not a directory; the names of its subdirectories."""
    subdirectories = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirectories.append(entry.name)
            else:
                os.unlink(entry.name, dir_fd=fd)
    return subdirectories
