"""The `microtvm-project` client commands, run as subprocesses against fixture servers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from microtvm_project_api.client.cli import Progress

CLI = [sys.executable, "-m", "microtvm_project_api.cli"]


def run(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.fixture
def generated(make_project, tmp_path: Path) -> Path:
    """A project generated from the revision 1 wire-facts template by the CLI itself."""
    metadata = tmp_path / "metadata.json"
    metadata.write_text("{}")
    with tarfile.open(tmp_path / "model.tar", "w") as tar:
        tar.add(metadata, arcname="metadata.json")
    template = make_project("v1_server.py", "template")
    done = run("generate", str(template), "model.tar", "generated", "--standalone-crt-dir", "crt",
               "--option", "verbose=yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"generated {tmp_path / 'generated'}\n"
    assert "generate_project: done after" in done.stderr
    return tmp_path / "generated"


def test_info_shows_platform_revision_methods_and_options(make_project) -> None:
    done = run("info", str(make_project("v1_server.py")))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "platform:             wirefacts" in lines
    assert "revision:             1 (payloads in base85)" in lines
    assert "template:             yes" in lines
    assert lines[7].split() == ["NAME", "TYPE", "DEFAULT", "CHOICES", "REQUIRED", "FOR", "OPTIONAL", "FOR", "HELP"]
    assert lines[9].split()[:5] == ["opt_level", "int", "2", "0,", "1,"]
    assert lines[10].split() == ["board", "str", "-", "qemu_x86,", "nrf5340dk", "flash", "open_transport", "the", "board", "to", "flash"]


def test_info_json_is_the_server_info(make_project) -> None:
    done = run("info", "--json", str(make_project("v1_server.py")))
    assert json.loads(done.stdout)["platform_name"] == "wirefacts"


def test_build_and_flash_convert_options_and_stream_server_logs(generated: Path) -> None:
    built = run("build", str(generated), "--option", "opt_level=3", "--option", "verbose=true")
    assert built.returncode == 0, built.stderr
    assert json.loads((generated / "built").read_text()) == {"opt_level": 3, "verbose": True}
    assert "building with {'opt_level': 3, 'verbose': True}" in built.stderr
    flashed = run("flash", str(generated), "--option", "board=nrf5340dk")
    assert flashed.returncode == 0, flashed.stderr
    assert (generated / "flashed").read_text() == "nrf5340dk"


def test_option_value_may_contain_equals(tmp_path: Path, make_project) -> None:
    done = run("build", str(make_project("v1_server.py")), "--option", "board=a=b")
    assert done.returncode == 2
    assert "option 'board': 'a=b' is not one of its choices: qemu_x86, nrf5340dk" in done.stderr


def test_help_with_a_project_lists_its_options_for_that_method(generated: Path) -> None:
    done = run("flash", str(generated), "--help")
    assert done.returncode == 0, done.stderr
    head, _, platform = done.stdout.partition(f"platform options of {generated} (wirefacts, revision 1) for flash:\n")
    assert "usage: microtvm-project flash" in head
    assert [line.split()[0] for line in platform.splitlines()] == ["NAME", "verbose", "board"]


def test_help_without_a_project_says_how_to_see_options() -> None:
    done = run("build", "--help")
    assert done.returncode == 0
    assert "Give a project directory to list its platform options" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build"], "error: the following arguments are required: DIR"),
        (["generate", "t"], "error: the following arguments are required: MLF, PROJECT_DIR"),
        (["build", "x", "--option", "novalue"], "error: argument --option: expected NAME=VALUE, got 'novalue'"),
        (["build", "/nonexistent"], "error: /nonexistent: no microtvm_api_server.py or launch_microtvm_api_server.sh"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_unknown_option_exits_2_listing_valid_names(generated: Path) -> None:
    done = run("build", str(generated), "--option", "opt=1")
    assert done.returncode == 2
    assert "unknown option 'opt'; valid options: baud, board, opt_level, verbose" in done.stderr


def test_server_failure_exits_1_without_traceback(make_project) -> None:
    done = run("build", str(make_project("v1_server.py")))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("microtvm-project build: error: ServerError: build: generate a project first")
    assert "Traceback" not in done.stderr


def test_a_server_exception_is_printed_with_its_exception_line(make_project, tmp_path: Path) -> None:
    template = make_project("v1_server.py", "template")
    done = run("generate", str(template), str(tmp_path / "missing.tar"), str(tmp_path / "generated"), "--standalone-crt-dir", "crt")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-2].startswith("microtvm-project generate: error: ServerError: ")
    assert lines[-1].startswith("microtvm-project generate: the server raised: FileNotFoundError: ")
    assert str(tmp_path / "missing.tar") in lines[-1]


def broken_project(make_project, defect: str) -> Path:
    """broken_server.py with `defect`, selected by a launch script (the CLI passes no environment)."""
    project = make_project("broken_server.py")
    script = project / "launch_microtvm_api_server.sh"
    script.write_text(f'#!/bin/sh\nFIXTURE_DEFECT={defect} exec {sys.executable} "$@"\n')
    script.chmod(0o755)
    return project


def test_timeout_exits_1_naming_the_deadline(make_project) -> None:
    done = run("build", str(broken_project(make_project, "hang")), "--timeout", "1")
    assert done.returncode == 1
    assert "CallTimeoutError: build: no reply within 1 s; the server was stopped" in done.stderr


def test_info_timeout_applies_to_the_launch(make_project) -> None:
    done = run("info", str(broken_project(make_project, "hang_at_start")), "--timeout", "1")
    assert done.returncode == 1
    assert "CallTimeoutError: server_info_query: no reply within 1 s; the server was stopped" in done.stderr


def test_transcript_option_records_the_session(make_project, tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    assert run("info", str(make_project("v1_server.py")), "--transcript", str(transcript)).returncode == 0
    entries = [json.loads(line) for line in transcript.read_text().splitlines()]
    records = [{**e, "message": json.loads(e["text"])} for e in entries if e["kind"] == "message"]  # schema/transcript.json
    # revision agreement: the revision-1-only server refuses protocol_versions (-32602), and is asked again without it
    assert [r["direction"] for r in records] == ["request", "reply", "request", "reply"]
    assert records[0]["message"]["params"]["protocol_versions"] == [2, 1]
    assert records[1]["message"]["error"]["code"] == -32602
    assert records[2]["message"]["params"] == {"tvm_version": "0.18.0"}


def test_progress_reports_while_a_call_runs(caplog) -> None:
    caplog.set_level(logging.INFO, logger="microtvm_project_api.cli")
    with Progress("build", interval=0.05):
        time.sleep(0.3)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "build: started"
    assert any(m.startswith("build: still running") for m in messages)
    assert messages[-1].startswith("build: done after")
