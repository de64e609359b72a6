"""Safe Model Library Format extraction: one malicious archive per rejection rule, each refused with the bad
member named and nothing written outside the target (the target itself is not left behind)."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import tarfile
import time
import zlib
from pathlib import Path

import pytest

from microtvm_project_api.protocol.remove_tree import remove_tree
from microtvm_project_api.server_sdk import mlf
from microtvm_project_api.server_sdk.mlf import UnsafeArchiveError, check, extract, read_metadata


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


HEADER_CASES = [c for c in CASES if "{" not in c[2] and "cannot be written" not in c[2]]  # refused from the headers alone


@pytest.mark.parametrize("name, members, message", HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_check_refuses_what_extract_refuses_from_the_headers_and_writes_nothing(sandbox, name, members, message):
    archive = build(sandbox / "evil.tar", *members)
    before = snapshot(sandbox.parent.parent)
    with pytest.raises(UnsafeArchiveError) as caught:
        check(archive)
    assert str(caught.value) == message
    assert snapshot(sandbox.parent.parent) == before


def test_check_accepts_a_good_archive(sandbox):
    check(build(sandbox / "good.tar", entry("metadata.json", b"{}"), entry("codegen/host/src/lib0.c", b"int x;")))
    with pytest.raises(UnsafeArchiveError, match="^codegen/host/src/lib0.c: more than 1 members$"):
        check(sandbox / "good.tar", max_members=1)


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


def nested(path: Path, names: list[str], mode: str = "w:gz") -> Path:
    """An archive of directories (names ending in '/') and empty files, in GNU format (long names as extensions)."""
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE if name.endswith("/") else tarfile.REGTYPE
            tar.addfile(info)
    return path


def test_an_archive_nesting_1100_directories_is_refused_at_once_and_nothing_written(sandbox):
    archive = nested(sandbox / "deep.tar.gz", ["a/" * depth for depth in range(1, 1101)])
    before = snapshot(sandbox.parent.parent)
    started = time.monotonic()
    with pytest.raises(UnsafeArchiveError) as caught:
        extract(archive, sandbox / "t")
    assert time.monotonic() - started < 2.0
    assert str(caught.value) == f"{'/'.join(['a'] * 33)}: path of more than 32 components"
    assert snapshot(sandbox.parent.parent) == before


def test_a_single_member_1500_directories_deep_is_refused(sandbox):
    name = "a/" * 1500 + "f"
    with pytest.raises(UnsafeArchiveError) as caught:
        extract(nested(sandbox / "long.tar.gz", [name]), sandbox / "t")
    assert str(caught.value) == f"{name[:100]}... (3001 characters): path longer than 1024 bytes"
    assert not (sandbox / "t").exists()


def test_names_at_the_depth_and_length_bounds_extract(sandbox):
    deepest = "/".join(f"d{i}" for i in range(mlf.MAX_PATH_DEPTH))
    longest = "/".join(["x" * 250] * 4) + "/" + "y" * (mlf.MAX_PATH_BYTES - 4 * 251)
    extract(nested(sandbox / "edge.tar.gz", [deepest, longest]), sandbox / "t")
    assert (sandbox / "t" / deepest).is_file() and (sandbox / "t" / longest).is_file()
    with pytest.raises(UnsafeArchiveError, match="path of more than 32 components$"):
        extract(nested(sandbox / "deeper.tar.gz", [deepest + "/z"]), sandbox / "u")
    with pytest.raises(UnsafeArchiveError, match="path longer than 1024 bytes$"):
        extract(nested(sandbox / "longer.tar.gz", [longest + "y"]), sandbox / "u")


def test_the_names_and_the_directories_they_imply_are_bounded(sandbox, monkeypatch):
    monkeypatch.setattr(mlf, "MAX_TOTAL_PATH_BYTES", 100)
    with pytest.raises(UnsafeArchiveError, match="^n3_xxxxxxxxxxxxxxxxxxxxxxxxxxxx: the member names exceed 100 bytes in all$"):
        extract(nested(sandbox / "names.tar", [f"n{i}_" + "x" * 28 for i in range(5)], "w"), sandbox / "t")
    with pytest.raises(UnsafeArchiveError, match="^a/b/c/d/e/f: more than 5 members and directories they imply$"):
        extract(nested(sandbox / "implied.tar", ["a/b/c/d/e/f"], "w"), sandbox / "t", max_members=5)
    assert not (sandbox / "t").exists()


def test_a_header_extension_over_the_bound_is_refused_before_it_is_read(sandbox):
    info = tarfile.TarInfo("metadata.json")
    info.pax_headers = {"comment": "x" * 100_000}
    with tarfile.open(sandbox / "pax.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info)
    with pytest.raises(UnsafeArchiveError, match=r"pax.tar: header extension at byte 0: 1000\d\d bytes, over 65536$"):
        extract(sandbox / "pax.tar", sandbox / "t")


def raw_header(name: str, kind: bytes, data: bytes = b"") -> bytes:
    """One raw header block of `kind`, followed by `data` padded to whole blocks."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data)
    return info.tobuf(tarfile.GNU_FORMAT) + data + b"\0" * (-len(data) % tarfile.BLOCKSIZE)


def test_a_chain_of_header_extensions_and_sparse_members_are_refused(sandbox):
    chain = b"".join(raw_header("././@LongLink", tarfile.GNUTYPE_LONGNAME, b"name%d\0" % i) for i in range(9))
    (sandbox / "chain.tar").write_bytes(chain + raw_header("f", tarfile.REGTYPE) + b"\0" * 1024)
    with pytest.raises(UnsafeArchiveError, match=r"chain.tar: header extensions at byte 8192: more than 8 before one member$"):
        extract(sandbox / "chain.tar", sandbox / "t")
    (sandbox / "sparse.tar").write_bytes(raw_header("holes", tarfile.GNUTYPE_SPARSE) + b"\0" * 1024)
    with pytest.raises(UnsafeArchiveError, match="^holes: sparse members are refused$"):
        extract(sandbox / "sparse.tar", sandbox / "t")
    assert not (sandbox / "t").exists()


@pytest.mark.parametrize("kind", ["fifo", "character device", "directory", "socket", "missing"])
def test_an_archive_path_that_is_not_a_regular_file_is_refused_without_blocking(sandbox, kind):
    path = {"character device": Path("/dev/zero"), "directory": sandbox}.get(kind, sandbox / "odd")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
    started = time.monotonic()
    with pytest.raises(UnsafeArchiveError) as caught:
        extract(path, sandbox / "t")
    assert time.monotonic() - started < 2.0
    expected = f"{path}: cannot be read: No such file or directory" if kind == "missing" else \
        f"{path}: is a{'n' if kind[0] in 'aeiou' else ''} {kind}, not a regular file; give the path of a Model Library Format tar file"
    assert str(caught.value) == expected
    assert not (sandbox / "t").exists()
    if kind == "socket":
        listener.close()


def test_a_fifo_swapped_in_after_the_check_is_refused_on_the_open_descriptor(sandbox, monkeypatch):
    os.mkfifo(sandbox / "pipe")
    regular = os.stat(__file__)
    monkeypatch.setattr(mlf.os, "stat", lambda path, *args, **kwargs: regular)  # the check before opening saw a file
    with pytest.raises(UnsafeArchiveError, match="pipe: is a fifo, not a regular file"):
        extract(sandbox / "pipe", sandbox / "t")


def good_archive(mode: str) -> bytes:
    """A small valid archive, compressed with `mode` (w:gz, w:bz2, w:xz), as bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for info, data in (entry("metadata.json", b'{"version": 7}'), entry("codegen/host/src/lib0.c", b"int x = 1;\n" * 40)):
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_a_good_compressed_archive_extracts(sandbox, mode):
    (sandbox / "good.tar").write_bytes(good_archive(mode))
    extract(sandbox / "good.tar", sandbox / "t")
    assert (sandbox / "t" / "codegen" / "host" / "src" / "lib0.c").read_bytes() == b"int x = 1;\n" * 40


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_a_truncated_compressed_archive_is_refused_at_every_length(sandbox, mode):
    blob = good_archive(mode)
    for length in range(0, len(blob), 7):
        (sandbox / "cut.tar").write_bytes(blob[:length])
        with pytest.raises(UnsafeArchiveError, match="cut.tar: not a readable tar archive: "):
            extract(sandbox / "cut.tar", sandbox / "t")
        assert not (sandbox / "t").exists()


def inflates_to(stream: bytes, data: bytes) -> bool:
    """Whether the gzip member `stream` (10-byte header, no optional fields) holds exactly `data`: its deflate
    stream inflates to `data` and its trailer is CRC-32 and length of `data`."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(stream[10:])
    except zlib.error:
        return False
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    return inflater.eof and inflated == data and inflater.unused_data == trailer


def test_every_flipped_bit_of_a_tar_gz_after_its_header_is_refused_unless_it_changes_nothing(sandbox):
    """The stream is read to its end before anything is written, so gzip's trailer (CRC-32, length) is checked. A flip
    in the 10-byte header (timestamp, flags) or in bits deflate ignores (unused code lengths, padding) changes nothing."""
    blob = good_archive("w:gz")
    content = gzip.decompress(blob)
    refused = 0
    for at in range(10, len(blob)):
        for bit in range(8):
            flipped = bytearray(blob)
            flipped[at] ^= 1 << bit
            (sandbox / "flip.tar.gz").write_bytes(flipped)
            if inflates_to(bytes(flipped), content):
                extract(sandbox / "flip.tar.gz", sandbox / "t")
                remove_tree(sandbox / "t")
                continue
            with pytest.raises(UnsafeArchiveError, match="flip.tar.gz: not a readable tar archive: "):
                extract(sandbox / "flip.tar.gz", sandbox / "t")
            assert not (sandbox / "t").exists()
            refused += 1
    assert refused > 0.95 * 8 * (len(blob) - 10)


def test_data_after_the_end_of_the_archive_is_bounded(sandbox):
    tar_bytes = gzip.decompress(good_archive("w:gz"))
    (sandbox / "padded.tar.gz").write_bytes(gzip.compress(tar_bytes + b"\0" * (mlf.MAX_TRAILING_BYTES - len(tar_bytes))))
    extract(sandbox / "padded.tar.gz", sandbox / "t")
    (sandbox / "bomb.tar.gz").write_bytes(gzip.compress(tar_bytes + b"\0" * (mlf.MAX_TRAILING_BYTES + 1)))
    with pytest.raises(UnsafeArchiveError, match="bomb.tar.gz: more than 1048576 bytes after the end of the archive$"):
        extract(sandbox / "bomb.tar.gz", sandbox / "u")
    assert not (sandbox / "u").exists()
