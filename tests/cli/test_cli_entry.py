"""The `microtvm-project` entry point: --version, -v/-q after any subcommand, completion, missing extras, a closed stdout, Ctrl-C, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from microtvm_project_api.cli import extras
from microtvm_project_api.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ROOT / "examples" / "loopback"
CLI = [sys.executable, "-m", "microtvm_project_api.cli.main"]
WIRE_SERVERS = ROOT / "tests" / "conformance" / "servers"


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"microtvm-project {metadata.version('microtvm-project-api')}\n"


@pytest.mark.parametrize("argv", [
    ["conform", "--list-checks", "-v"],
    ["conform", "-q", "--list-checks"],
    ["spec", "diff", "--revisions", "1", "2", "-q"],
    ["spec", "-v", "diff", "--revisions", "1", "2"],
    ["-q", "spec", "diff", "--revisions", "1", "2"],
])
def test_verbose_and_quiet_are_accepted_after_any_subcommand(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out


def test_verbose_and_quiet_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["-v", "conform", "--list-checks", "-q"])
    assert done.value.code == 2
    assert "-v/--verbose and -q/--quiet exclude each other" in capsys.readouterr().err


@pytest.mark.parametrize("line, expected", [
    ("microtvm-project con", {"conform"}),
    ("microtvm-project conform --dev", {"--device"}),
    ("microtvm-project spec d", {"docs", "diff"}),
    ("microtvm-project spec diff --for", {"--format"}),
])
def test_shell_completion_through_argcomplete(tmp_path: Path, line: str, expected: set[str]) -> None:
    out = tmp_path / "completions"
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)), "_ARGCOMPLETE_IFS": "\n",
           "_ARGCOMPLETE_STDOUT_FILENAME": str(out)}
    done = subprocess.run(CLI, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {word.strip() for word in out.read_text().split("\n") if word.strip()} == expected


def test_extras_are_read_from_the_package_metadata() -> None:
    assert extras.requirements("conformance") == ["jsonschema", "pytest"]
    assert extras.requirements("spec") == ["jsonschema"]
    with pytest.raises(KeyError, match="declares no extra 'gui'"):
        extras.requirements("gui")


@pytest.fixture
def without_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed-distributions lookup as on a base install: jsonschema absent."""
    real = metadata.version

    def version(name: str) -> str:
        if name == "jsonschema":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(extras.metadata, "version", version)


@pytest.mark.parametrize("argv, extra", [
    (["conform", str(LOOPBACK)], "conformance"),
    (["spec", "check-transcript", "{transcript}"], "spec"),
])
def test_a_command_whose_extra_is_missing_names_the_extra(without_jsonschema, tmp_path: Path, capsys, argv, extra) -> None:
    transcript = tmp_path / "t.jsonl"
    transcript.write_text("")
    assert main([a.format(transcript=transcript) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err == (f"microtvm-project {argv[0]}: error: microtvm-project {' '.join(argv[:-1])} needs the {extra} extra "
                   f"(jsonschema not installed): pip install 'microtvm-project-api[{extra}]'\n")


def test_the_pytest_plugin_names_the_extra_too(without_jsonschema) -> None:
    from microtvm_project_api.conformance import pytest_plugin

    with pytest.raises(pytest.UsageError, match=r"pytest --microtvm-project needs the conformance extra \(jsonschema not installed\)"):
        pytest_plugin._check_project(str(LOOPBACK))  # what the plugin does first when --microtvm-project is given


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["--version"],
    ["conform", "--list-checks"],
    ["spec", "diff", "--revisions", "1", "2", "--format", "markdown"],
    ["spec", "docs", "--docs-dir", "{tmp}"],
    ["info", str(LOOPBACK)],
    ["build", "--help", str(LOOPBACK)],
])
def test_a_closed_stdout_ends_quietly(tmp_path: Path, argv: list[str]) -> None:
    """`| head` closing the pipe: no traceback, the status of a writer stopped by SIGPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        done = subprocess.run(CLI + [a.format(tmp=tmp_path) for a in argv], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write_end)
    if argv[0] in ("--help", "--version"):  # argparse itself ignores the failed write from Python 3.11 on
        assert done.returncode in (0, 128 + signal.SIGPIPE)
    else:
        assert done.returncode == 128 + signal.SIGPIPE, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "Exception ignored" not in done.stderr


def _project_processes(project: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(project) in (entry / "cmdline").read_bytes().decode(errors="replace") or \
                        os.readlink(entry / "cwd").startswith(str(project)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_in_conform_stops_the_server_and_prints_one_line(tmp_path: Path, signum: int, status: int) -> None:
    project = tmp_path / "hangs"
    project.mkdir()
    (project / "microtvm_api_server.py").write_text(
        f"import sys\nsys.path.insert(0, {str(WIRE_SERVERS)!r})\nfrom wire_server import main\nmain(revision=2, defect='hangs_on_build')\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    skips = [a for group in ("jsonrpc", "server_info", "process") for a in ("--skip", group)]
    kit = subprocess.Popen(CLI + ["conform", str(project), "--timeout", "300", *skips], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert kit.stderr is not None
        for line in kit.stderr:
            if line.strip() == "build: started":
                break
        else:
            pytest.fail("the kit never announced the build")
        assert _project_processes(project)  # the server is building
        kit.send_signal(signum)
        out, err = kit.communicate(timeout=30)
    finally:
        if kit.poll() is None:
            kit.kill()
            kit.wait()
    assert kit.returncode == status
    assert err == "microtvm-project: interrupted\n"
    deadline = time.monotonic() + 5
    while _project_processes(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _project_processes(project) == []
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_build_stops_the_whole_server_group_and_prints_one_line(tmp_path: Path, signum: int, status: int) -> None:
    """The fixture server ignores SIGTERM and starts a `sleep` child before hanging in build: both must go."""
    project = tmp_path / "hangs"
    project.mkdir()
    (project / "microtvm_api_server.py").write_bytes((ROOT / "tests" / "client" / "servers" / "broken_server.py").read_bytes())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cli = subprocess.Popen(CLI + ["-q", "build", str(project), "--timeout", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "TMPDIR": str(scratch), "FIXTURE_DEFECT": "hang"})
    try:
        deadline = time.monotonic() + 60
        while len(set(_project_processes(project)) - {cli.pid}) < 2 and time.monotonic() < deadline:  # the server and its sleep
            time.sleep(0.05)
        session = set(_project_processes(project)) - {cli.pid}
        assert len(session) == 2, "the server never started its build"
        time.sleep(0.3)  # the server is past its SIGTERM setup and asleep in build
        cli.send_signal(signum)
        out, err = cli.communicate(timeout=30)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert cli.returncode == status
    assert err == "microtvm-project build: interrupted; the server was stopped\n"
    deadline = time.monotonic() + 5
    while _project_processes(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _project_processes(project) == []
    assert not any(_running(pid) for pid in session)
    assert list(scratch.iterdir()) == []


def _running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie (a killed orphan waits for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
