"""Correct servers pass: the wire-only server in both revisions, a generated project, the loopback example and the host platform."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from microtvm_project_api.conformance import session
from microtvm_project_api.conformance.check import all_checks

REPO = Path(__file__).resolve().parents[2]
ECHO = ("--device", "echo", "--timeout", "20")


def failures(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.split(" ", 1)[0] in ("FAIL", "ERROR", "STALE", "WARN")]


@pytest.mark.parametrize("revision", [1, 2])
def test_the_wire_only_server_passes_every_check_with_an_echo_device(tmp_path, conform, revision, write_project) -> None:
    project = write_project(tmp_path / "template", revision)
    run = conform(project, *ECHO, "--option", "serial_number=S1", "--option", "jobs=4", "--option", "verbose=true")
    assert (run.status, failures(run.out)) == (0, []), run.out
    assert run.out.splitlines()[0].endswith(f"(protocol revision {revision}; the server offers {revision}; device echo)")
    assert "exit status 0" in run.out.splitlines()[-1]
    assert "template.flash" in run.out and "SKIP  template.flash" not in run.out


def test_without_an_echo_device_the_integrity_checks_are_skipped_with_the_reason(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template"), "--timeout", "20", "--allow-partial")
    assert run.status == 0, run.out
    assert "SKIP  transport.echo-integrity" in run.out
    assert "skipped: needs an echo device: pass --device echo" in run.out
    assert "skipped: option serial_number is required for flash: pass --option serial_number=VALUE" in run.out


def test_a_generated_project_is_judged_directly_and_template_checks_say_why_they_skip(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "generated")
    (project / "model.tar").write_bytes(b"an archive")
    run = conform(project, *ECHO, "--option", "serial_number=S1")
    assert (run.status, failures(run.out)) == (0, []), run.out
    assert "skipped: needs a template project; PROJECT_DIR is a generated project" in run.out
    assert "PASS  transport.echo-integrity" in run.out


def test_a_hostile_but_conforming_server_flooding_stderr_passes(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template", 2, "floods_stderr"), "--timeout", "20", "--skip", "transport",
                  "--option", "serial_number=S1")
    assert (run.status, failures(run.out)) == (0, []), run.out


def test_the_loopback_example_passes_in_both_revisions_it_offers_with_an_echo_device(conform) -> None:
    run = conform(REPO / "examples" / "loopback", *ECHO)
    assert (run.status, failures(run.out)) == (0, []), run.out
    for revision in (1, 2):
        assert f"(protocol revision {revision}; the server offers 1, 2;" in run.out, run.out


@pytest.mark.skipif(shutil.which("cc") is None, reason="the host platform builds its firmware with cc")
@pytest.mark.parametrize("revision", ["1", "2"])
def test_the_reference_host_platform_passes_with_an_echo_device(conform, revision) -> None:
    run = conform(REPO / "examples" / "host", "--device", "echo", "--timeout", "60", "--revision", revision)
    assert (run.status, failures(run.out)) == (0, []), run.out
    assert f"(protocol revision {revision};" in run.out


def test_the_console_script_runs_the_kit_as_a_separate_process(tmp_path, write_project) -> None:
    good = write_project(tmp_path / "good")
    bad = write_project(tmp_path / "bad", 2, "platform_name_not_slug")
    script = Path(sys.executable).with_name("microtvm-project")
    for project, status in ((good, 0), (bad, 1)):
        done = subprocess.run([str(script), "conform", str(project), "--timeout", "20", "--skip", "transport", "--option", "serial_number=S1"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == status, done.stdout + done.stderr
    assert "FAIL  server_info.platform-slug" in done.stdout
    assert "platform_name 'Wire Server' is not a lowercase slug" in done.stdout


def test_a_12_mib_reply_is_within_the_kits_bound_which_is_the_specs_line_bound(tmp_path, conform, write_project) -> None:
    spec_bound = json.loads((REPO / "schema" / "jsonrpc.json").read_text())["x-max-line-bytes"]
    assert session.MAX_REPLY_BYTES == spec_bound == 64 * 1024 * 1024
    skips = [arg for check in all_checks() if check.id != "process.starts" for arg in ("--skip", check.id)]
    run = conform(write_project(tmp_path / "template", 2, "long_help"), "--timeout", "20", *skips)
    assert (run.status, failures(run.out)) == (0, []), run.out
    assert "PASS  process.starts" in run.out
