"""The golden sessions: a client shaped like TVM's (tests/tvm_compat/tvm_shaped_client.py) driving the reference
platforms, recorded with `microtvm-project record` on a copy of each. `python tests/sessions/golden_sessions.py`
records them again into tests/sessions/golden/PLATFORM/; the tests replay them (the archive and CRT they name are
temporary: a replay gives its own with --mlf and --standalone-crt-dir, as MLF and CRT below)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "tvm_compat"))
sys.path.insert(0, str(ROOT / "tests"))

from small_mlf import write_small_mlf  # noqa: E402
from tvm_shaped_client import IoTimeoutError, TransportClosedError, TvmShapedClient  # noqa: E402

from microtvm_project_api.sample_model import run, standalone_crt_dir, write_mlf_archive  # noqa: E402
from microtvm_project_api.sample_model.frames import infer  # noqa: E402
from microtvm_project_api.sessions.recording import tree_digest  # noqa: E402

EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
CLI = [sys.executable, "-m", "microtvm_project_api.cli.main"]
TENSOR = bytes(range(16))


def inputs(platform: str, folder: Path) -> tuple[Path, Path]:
    """The archive and the standalone CRT a platform's session generates its project from (made in `folder`)."""
    if platform == "host":  # the CRT copied, so that a recording names only temporary paths
        crt = folder / "standalone_crt"
        if not crt.exists():
            shutil.copytree(standalone_crt_dir(), crt)
        return write_mlf_archive(folder / "sample.tar"), crt
    (folder / "crt").mkdir(exist_ok=True)
    return write_small_mlf(folder / "model.tar"), folder / "crt"


def drive_loopback(template: Path, work: Path) -> None:
    """Generate, build, flash, open, bytes both ways, a timeout, close, a write on the closed transport."""
    mlf, crt = inputs("loopback", work)
    with TvmShapedClient(template, {"build_type": "debug"}) as client:
        client.generate_project(mlf, crt, work / "generated")
    with TvmShapedClient(work / "generated", {"build_type": "debug"}) as client:
        client.build()
        client.flash()
        client.open_transport()
        client.write_transport(b"\x00hello\xff", 5.0)
        assert client.read_transport(3, 5.0) == b"\x00he"
        assert client.read_transport(100, 5.0) == b"llo\xff"
        try:
            client.read_transport(1, 0)
        except IoTimeoutError:
            pass
        client.close_transport()
        try:
            client.write_transport(b"x", 0)
        except TransportClosedError:
            pass


def drive_host(template: Path, work: Path) -> None:
    """Generate the model firmware's project, build it, flash it, open the transport and run one real inference."""
    mlf, crt = inputs("host", work)
    with TvmShapedClient(template, {"app": "model"}) as client:
        client.generate_project(mlf, crt, work / "generated")
    with TvmShapedClient(work / "generated", {"app": "model"}) as client:
        client.build()
        client.flash()
        client.open_transport()
        assert infer(client, TENSOR) == run(TENSOR)
        client.close_transport()


DRIVERS: dict[str, Callable[[Path, Path], None]] = {"loopback": drive_loopback, "host": drive_host}


def record_session(platform: str, output: Path, work: Path, *record_options: str) -> None:
    """Record `platform`'s driver on a copy of examples/PLATFORM into `output`; the copy must be as it was after."""
    template = work / platform
    shutil.copytree(EXAMPLES / platform, template, ignore=shutil.ignore_patterns("__pycache__", "build"))
    before = tree_digest(template)
    subprocess.run([*CLI, "record", str(template), "--output", str(output), "--client", "tvm_shaped_client", *record_options],
                   check=True, capture_output=True)
    try:
        DRIVERS[platform](template, work)
    finally:
        subprocess.run([*CLI, "record", "--off", str(template)], check=True, capture_output=True)
    assert tree_digest(template) == before


def main() -> None:
    for platform in DRIVERS:
        target = GOLDEN / platform / "tvm_shaped_client.jsonl"
        target.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as work:
            record_session(platform, target, Path(work))
        print(f"recorded {target}")


if __name__ == "__main__":
    main()
