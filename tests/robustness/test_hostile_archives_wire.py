"""generate_project of a real SDK server (the loopback example), in both revisions, sent what the archive code must
refuse: paths that are not files, damaged and truncated compressed archives, deep archives, and a project_dir inside
the template. Each gets its exact error at once, nothing is left behind, and the server keeps serving."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from pathlib import Path
from typing import Callable

import pytest
from test_server_fuzz import REVISIONS, exchange, still_serving
from wire_oracle import loopback_server

from microtvm_project_api.protocol.wire import encode_message, request

NOT_A_FILE = "not a regular file; give the path of a Model Library Format tar file"


def archive_bytes(names: list[str], mode: str = "w:gz") -> bytes:
    """An archive of these directories (ending in '/') and empty files, in GNU format."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.GNU_FORMAT) as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE if name.endswith("/") else tarfile.REGTYPE
            tar.addfile(info)
    return buffer.getvalue()


GOOD = archive_bytes(["metadata.json", "codegen/host/src/lib0.c"])


def flipped(blob: bytes, at: int) -> bytes:
    damaged = bytearray(blob)
    damaged[at] ^= 0x10
    return bytes(damaged)


def written(data: bytes) -> Callable[[Path], Path]:
    def make(work: Path) -> Path:
        (work / "model.tar.gz").write_bytes(data)
        return work / "model.tar.gz"
    return make


def fifo(work: Path) -> Path:
    os.mkfifo(work / "model.tar")
    return work / "model.tar"


# name: (makes the archive path in the work directory, the exact error message, {work} standing for that directory;
# a message ending in ": " is the start of one, followed by the decompressor's own words)
ARCHIVES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, f"{{work}}/model.tar: is a fifo, {NOT_A_FILE}"),
    "/dev/zero": (lambda work: Path("/dev/zero"), f"/dev/zero: is a character device, {NOT_A_FILE}"),
    "directory": (lambda work: work, f"{{work}}: is a directory, {NOT_A_FILE}"),
    "truncated .tar.gz": (written(GOOD[:-9]), "{work}/model.tar.gz: not a readable tar archive: "),
    "bit flipped in the CRC of a .tar.gz": (written(flipped(GOOD, len(GOOD) - 6)), "{work}/model.tar.gz: not a readable tar archive: "),
    "1,100 nested directories": (written(archive_bytes(["a/" * depth for depth in range(1, 1101)])),
                                 f"{'/'.join(['a'] * 33)}: path of more than 32 components"),
    "one member 1,500 directories deep": (written(archive_bytes(["a/" * 1500 + "f"])),
                                          f"{'a/' * 50}... (3001 characters): path longer than 1024 bytes"),
}


def generate(server, archive: Path, work: Path, project_dir: Path) -> dict:
    params = {"model_library_format_path": str(archive), "standalone_crt_dir": str(work), "project_dir": str(project_dir),
              "options": {}}
    line = encode_message(request("generate_project", params, 1)).rstrip(b"\n")
    return json.loads(exchange(server, line))


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_hostile_archive_is_refused_at_once_with_nothing_left_behind(revision: int, tmp_path: Path) -> None:
    with loopback_server(tmp_path / "server", revision) as server:
        for tag, (name, (make, message)) in enumerate(ARCHIVES.items()):
            work = tmp_path / f"work{tag}"
            work.mkdir()
            archive = make(work)
            before = sorted(os.listdir(work))
            started = time.monotonic()
            reply = generate(server, archive, work, work / "project")
            assert time.monotonic() - started < 5.0, name
            expected, got = message.format(work=work), reply["error"]["message"]
            assert reply["error"]["code"] == -32000, name
            assert got == expected or (expected.endswith(": ") and got.startswith(expected) and len(got) > len(expected)), name
            assert sorted(os.listdir(work)) == before, name
            still_serving(server, tag, revision)


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_project_dir_inside_the_template_is_refused(revision: int, tmp_path: Path) -> None:
    (tmp_path / "model.tar.gz").write_bytes(GOOD)
    template = tmp_path / "server"
    with loopback_server(template, revision) as server:
        before = sorted(os.listdir(template))
        for project_dir in (template / "project", template / "sub" / ".." / "project", tmp_path / "elsewhere" / ".." / "server" / "p"):
            reply = generate(server, tmp_path / "model.tar.gz", tmp_path, project_dir)
            assert reply["error"] == {"code": -32602, "message": f"generate_project: /project_dir: {project_dir} is inside the "
                                                                f"template directory {template}; choose a directory outside it"}
            assert sorted(os.listdir(template)) == before
            still_serving(server, 0, revision)
        assert "result" in generate(server, tmp_path / "model.tar.gz", tmp_path, tmp_path / "project")
        assert (tmp_path / "project" / "model.tar").read_bytes() == GOOD
