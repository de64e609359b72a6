"""The iterative tree remover the SDK cleans up with: any depth, any path length, never following a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microtvm_project_api.protocol.remove_tree import remove_tree
from microtvm_project_api.server_sdk.project import new_project_dir

DEPTH = 1100
LONG_NAME = "d" * 200  # 1,100 of them make a path of 221,100 bytes, far past PATH_MAX


def deep_tree(top: Path, outside: Path) -> None:
    """top/d.../d... DEPTH levels deep, with a file and a link to `outside` at every level (made descriptor-relative)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(DEPTH):
            with open(os.open("file", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as out:
                out.write(b"x")
            os.symlink(outside, "link", dir_fd=fd)
            os.mkdir(LONG_NAME, dir_fd=fd)
            child = os.open(LONG_NAME, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory the trees link to, which must survive every removal."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "keep").write_bytes(b"precious")
    return tmp_path / "outside"


def test_a_tree_1100_levels_deep_past_path_max_is_removed_and_links_are_not_followed(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "tree").mkdir()
    deep_tree(tmp_path / "tree", outside)
    remove_tree(tmp_path / "tree")
    assert not (tmp_path / "tree").exists()
    assert (outside / "keep").read_bytes() == b"precious"


def test_a_link_or_a_file_is_removed_itself_and_a_missing_path_is_fine(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "link").symlink_to(outside)
    (tmp_path / "file").write_bytes(b"")
    for name in ("link", "file", "missing"):
        remove_tree(tmp_path / name)
        assert not os.path.lexists(tmp_path / name)
    assert (outside / "keep").read_bytes() == b"precious"


def test_a_half_made_project_is_removed_whatever_its_depth_and_an_existing_one_is_never_touched(tmp_path: Path,
                                                                                              outside: Path) -> None:
    project = tmp_path / "project"
    with pytest.raises(KeyboardInterrupt), new_project_dir(project):
        deep_tree(project, outside)
        raise KeyboardInterrupt
    assert not project.exists()
    project.mkdir()
    (project / "mine").write_bytes(b"keep")
    with pytest.raises(FileExistsError), new_project_dir(project):
        pass
    assert (project / "mine").read_bytes() == b"keep"
