"""Safe Model Library Format extraction: one malicious archive per rejection rule, each refused with the bad
member named and nothing written outside the target (the target itself is not left behind)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Callable

import pytest

from microtvm_project_api.server_sdk.mlf import UnsafeArchiveError, extract, read_metadata


def build(path: Path, *members: tuple[tarfile.TarInfo, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    return path


def entry(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.mode = 0o644
    return info, data


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """tmp_path/box/<archive and target>; the test checks nothing appears elsewhere under tmp_path."""
    box = tmp_path / "box" / "inner"
    box.mkdir(parents=True)
    return box


CASES: list[tuple[str, list[tuple[tarfile.TarInfo, bytes]], str]] = [
    ("absolute", [entry("/tmp/evil.txt", b"x")], "/tmp/evil.txt: absolute or unusable path '/tmp/evil.txt'"),
    ("dotdot", [entry("a/../../evil.txt", b"x")], "a/../../evil.txt: path 'a/../../evil.txt' contains '..'"),
    ("dotdot_first", [entry("../evil.txt", b"x")], "../evil.txt: path '../evil.txt' contains '..'"),
    ("symlink_absolute", [entry("link", kind=tarfile.SYMTYPE, linkname="/etc")], "link: symbolic link to absolute path '/etc'"),
    ("symlink_outside", [entry("d/link", kind=tarfile.SYMTYPE, linkname="../../..")],
     "d/link: symbolic link to '../../..' points outside the archive"),
    ("symlink_chain", [entry("x", kind=tarfile.SYMTYPE, linkname="y/.."), entry("y", kind=tarfile.SYMTYPE, linkname=".")],
     "x: resolves to {box}, outside the extraction directory"),
    ("hardlink_outside", [entry("h", kind=tarfile.LNKTYPE, linkname="../../etc/passwd")],
     "h: path '../../etc/passwd' contains '..'"),
    ("hardlink_absolute", [entry("h", kind=tarfile.LNKTYPE, linkname="/etc/passwd")], "h: absolute or unusable path '/etc/passwd'"),
    ("hardlink_unknown", [entry("h", kind=tarfile.LNKTYPE, linkname="nothing")],
     "h: hard link to 'nothing', which is not an earlier regular member"),
    ("char_device", [entry("dev", kind=tarfile.CHRTYPE)], "dev: device files, fifos and other special members are refused"),
    ("block_device", [entry("dev", kind=tarfile.BLKTYPE)], "dev: device files, fifos and other special members are refused"),
    ("fifo", [entry("pipe", kind=tarfile.FIFOTYPE)], "pipe: device files, fifos and other special members are refused"),
    ("write_through_link", [entry("d", kind=tarfile.SYMTYPE, linkname="."), entry("d/x", b"ok"),
                            entry("e", kind=tarfile.SYMTYPE, linkname="d/.."), entry("e/evil", b"x")],
     "d/x: inside 'd', a symbolic link of the archive; nothing is written through a link"),
    ("write_through_later_link", [entry("e/evil", b"x"), entry("e", kind=tarfile.SYMTYPE, linkname="..")],
     "e: symbolic link to '..' points outside the archive"),
    ("write_through_link_named_later", [entry("e/sub/evil", b"x"), entry("e", kind=tarfile.SYMTYPE, linkname="f")],
     "e/sub/evil: inside 'e', a symbolic link of the archive; nothing is written through a link"),
    ("link_through_link", [entry("d", kind=tarfile.SYMTYPE, linkname="."), entry("e", kind=tarfile.SYMTYPE, linkname="d/..")],
     "e: resolves to {box}, outside the extraction directory"),
    ("duplicate", [entry("a", b"1"), entry("a", b"2")], "a: cannot be written: File exists"),
    ("file_over_link", [entry("a", kind=tarfile.SYMTYPE, linkname="b"), entry("a", b"2")], "a: cannot be written: File exists"),
    ("directory_over_link", [entry("a", kind=tarfile.SYMTYPE, linkname="."), entry("a", kind=tarfile.DIRTYPE)],
     "a: cannot be written: File exists"),
    ("directory_over_file", [entry("a", b"1"), entry("a/b", b"2")], "a/b: cannot be written: Not a directory"),
]


@pytest.mark.parametrize("name, members, message", CASES, ids=[c[0] for c in CASES])
def test_malicious_archive_is_refused_and_nothing_written(sandbox, name, members, message):
    archive = build(sandbox / "evil.tar", *members)
    root = sandbox.parent.parent
    before = snapshot(root)
    target = sandbox / "target"
    with pytest.raises(UnsafeArchiveError) as caught:
        extract(archive, target)
    assert str(caught.value) == message.format(box=sandbox, target=target.resolve())
    assert snapshot(root) == before


def test_size_and_member_bounds(sandbox):
    archive = build(sandbox / "big.tar", entry("a", b"x" * 600), entry("b", b"x" * 600))
    with pytest.raises(UnsafeArchiveError, match="^b: archive content exceeds 1000 bytes$"):
        extract(archive, sandbox / "t", max_total_bytes=1000)
    archive = build(sandbox / "many.tar", *(entry(f"f{i}", b"") for i in range(4)))
    with pytest.raises(UnsafeArchiveError, match="^f3: more than 3 members$"):
        extract(archive, sandbox / "t", max_members=3)
    assert not (sandbox / "t").exists()


def test_hard_link_copies_are_counted_against_the_bound(sandbox):
    archive = build(sandbox / "links.tar", entry("a", b"x" * 600), entry("b", kind=tarfile.LNKTYPE, linkname="a"))
    with pytest.raises(UnsafeArchiveError, match="^b: archive content exceeds 1000 bytes$"):
        extract(archive, sandbox / "t", max_total_bytes=1000)


def test_not_a_tar_archive(sandbox):
    (sandbox / "x.tar").write_bytes(b"definitely not a tar" * 100)
    with pytest.raises(UnsafeArchiveError, match="not a readable tar archive"):
        extract(sandbox / "x.tar", sandbox / "t")


def test_a_good_archive_extracts_with_links_inside(sandbox):
    metadata = json.dumps({"version": 7}).encode()
    archive = build(sandbox / "good.tar", entry("./", kind=tarfile.DIRTYPE), entry("./metadata.json", metadata),
                    entry("./codegen/host/src/lib0.c", b"int x;"), entry("./codegen/alias", kind=tarfile.SYMTYPE, linkname="host/src"),
                    entry("./copy.json", kind=tarfile.LNKTYPE, linkname="./metadata.json"), entry("./.hidden", b"h"))
    extract(archive, sandbox / "t")
    assert (sandbox / "t" / "codegen" / "alias" / "lib0.c").read_bytes() == b"int x;"
    assert (sandbox / "t" / "copy.json").read_bytes() == metadata
    assert (sandbox / "t" / ".hidden").read_bytes() == b"h"
    assert read_metadata(archive) == {"version": 7}


@pytest.mark.parametrize(
    "members, message",
    [
        ([entry("x.c", b"")], "no metadata.json"),
        ([entry("metadata.json", b"{nope")], "metadata.json is not JSON"),
        ([entry("metadata.json", b"[1]")], "metadata.json is not a JSON object"),
    ],
)
def test_read_metadata_errors(sandbox, members, message):
    archive = build(sandbox / "m.tar", *members)
    with pytest.raises(UnsafeArchiveError, match=message):
        read_metadata(archive)
