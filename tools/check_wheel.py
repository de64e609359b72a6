"""Test the package as users install it: build the sdist and the wheel, install the wheel outside the repository, run it.

The wheel is built from the sdist (so both are proven complete) and must hold every file git
tracks in the installed folders. Then, for each interpreter given, in a fresh virtualenv and from
an empty directory (no file of the repository importable): the base install runs `--version` and
`info`, and `conform` and `spec check-transcript` name the extra they need; with the extras,
`conform`, the pytest plugin and `spec check-transcript` pass on a copy of examples/loopback.

    python3 tools/check_wheel.py [PYTHON ...]     (default: the interpreter running it, which must be 3.11+ for tomllib)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "microtvm_project_api"
STEP_TIMEOUT_SEC = 600


class CheckFailed(Exception):
    """One step did not do what a user would expect."""


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """Run a step; CheckFailed with its output when its exit status is not `expect`."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_SEC,
                          stdin=subprocess.DEVNULL)
    if done.returncode != expect:
        raise CheckFailed(f"`{' '.join(command)}` exited {done.returncode}, expected {expect}\n"
                          f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")
    return done


def build(outdir: Path, work: Path) -> tuple[Path, Path]:
    """The sdist, and the wheel built from it, with the `build` frontend installed in a throwaway virtualenv."""
    frontend = work / "build-env"
    run([sys.executable, "-m", "venv", str(frontend)], work)
    run([str(frontend / "bin" / "pip"), "install", "--quiet", "build"], work)
    run([str(frontend / "bin" / "python"), "-m", "build", "--outdir", str(outdir), str(ROOT)], work)
    sdists, wheels = sorted(outdir.glob("*.tar.gz")), sorted(outdir.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        raise CheckFailed(f"expected one sdist and one wheel in {outdir}, found {[p.name for p in outdir.iterdir()]}")
    return sdists[0], wheels[0]


def expected_files() -> set[str]:
    """Every file git tracks in a folder pyproject.toml installs, as its path inside the wheel."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    folders = {package: source for package, source in setuptools["package-dir"].items()}
    expected = set()
    for path in filter(None, tracked):
        for package, source in folders.items():
            if path.startswith(source + "/"):
                expected.add(package.replace(".", "/") + path[len(source):])
    return expected


def check_contents(wheel: Path) -> None:
    """CheckFailed naming every tracked file of an installed folder that the wheel lacks."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    absent = sorted(expected_files() - names)
    if absent:
        raise CheckFailed(f"{wheel.name} lacks {len(absent)} tracked files (pyproject.toml: packages or package-data):\n  "
                          + "\n  ".join(absent))


def check_interpreter(python: str, wheel: Path, work: Path) -> None:
    """Install `wheel` with `python` in a fresh virtualenv and use it from an empty directory."""
    venv, home = work / "venv", work / "empty"
    home.mkdir()
    run([python, "-m", "venv", str(venv)], work)
    pip, bin_dir = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"], venv / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    cli = str(bin_dir / "microtvm-project")
    loopback = work / "loopback"
    shutil.copytree(ROOT / "examples" / "loopback", loopback)

    run(pip + [str(wheel)], home, env)
    where = run([str(venv / "bin" / "python"), "-c", f"import {PACKAGE}.cli.main as m; print(m.__file__)"], home, env).stdout.strip()
    if not where.startswith(str(venv)):
        raise CheckFailed(f"{PACKAGE} was imported from {where}, not from the fresh virtualenv")
    version = run([cli, "--version"], home, env).stdout.strip()
    if version != f"microtvm-project {_version()}":
        raise CheckFailed(f"--version printed {version!r}")
    transcript = work / "session.jsonl"
    info = run([cli, "info", str(loopback), "--transcript", str(transcript)], home, env).stdout
    if "loopback" not in info or not transcript.is_file():
        raise CheckFailed(f"info printed no platform or wrote no transcript:\n{info}")
    for command, extra in (([cli, "conform", str(loopback)], "conformance"),
                           ([cli, "spec", "check-transcript", str(transcript)], "spec")):
        refused = run(command, home, env, expect=2).stderr
        if f"pip install 'microtvm-project-api[{extra}]'" not in refused or "Traceback" in refused:
            raise CheckFailed(f"without the {extra} extra, `{' '.join(command[1:])}` said:\n{refused}")

    run(pip + [f"{wheel}[conformance,spec]"], home, env)
    run([cli, "conform", str(loopback), "--device", "echo", "--junit-xml", str(work / "junit.xml")], home, env)
    plugin = run([str(bin_dir / "pytest"), "-p", "no:cacheprovider", "--microtvm-project", str(loopback),
                  "--microtvm-device", "echo", "-q"], home, env).stdout
    if " passed" not in plugin.splitlines()[-1]:
        raise CheckFailed(f"the pytest plugin ran no check:\n{plugin}")
    run([cli, "spec", "check-transcript", str(transcript)], home, env)
    if sorted(os.listdir(home)) != []:
        raise CheckFailed(f"the commands left files in the working directory: {sorted(os.listdir(home))}")


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def main() -> int:
    if sys.version_info < (3, 11):
        sys.exit("check_wheel.py runs on Python 3.11+ (it reads pyproject.toml with tomllib); it installs into any Python")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="*", default=[sys.executable], help="interpreters to install the wheel with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-wheel-") as tmp:
        work = Path(tmp)
        try:
            started = time.monotonic()
            sdist, wheel = build(work / "dist", work)
            check_contents(wheel)
            print(f"built {sdist.name} and {wheel.name} from it ({time.monotonic() - started:.0f} s)", flush=True)
            for number, python in enumerate(args.pythons):
                started = time.monotonic()
                where = work / f"python-{number}"
                where.mkdir()
                check_interpreter(python, wheel, where)
                name = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip()
                print(f"{name}: the wheel installs and runs from an empty directory ({time.monotonic() - started:.0f} s)", flush=True)
        except CheckFailed as exc:
            print(f"check_wheel: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
