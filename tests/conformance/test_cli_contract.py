"""The `conform` command-line contract: arguments, exit statuses, reports, expected failures, cleanup."""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from microtvm_project_api.conformance.check import all_checks

QUICK = ("--timeout", "20", "--skip", "transport", "--skip", "template")


def test_list_checks_shows_every_check_with_its_level_and_spec_reference(conform) -> None:
    run = conform("--list-checks")
    assert run.status == 0
    for check in all_checks():
        assert check.id in run.out
        assert f"[{check.rule.ref}]" in run.out


@pytest.mark.parametrize("args, message", [
    (("{empty}",), "no microtvm_api_server.py or launch_microtvm_api_server.sh"),
    (("{missing}",), "is not a directory"),
    (("{good}", "--option", "no_such_option=1"), "--option no_such_option: the server declares no such option"),
    (("{good}", "--option", "jobs=many"), "--option jobs=many: not a int value"),
    (("{good}", "--option", "verbose=maybe"), "--option verbose=maybe: not a bool value"),
    (("{good}", "--skip", "no.such-check"), "--skip no.such-check: no such check or group"),
    (("{good}", "--mlf", "{missing}"), "no such file"),
    (("{good}", "--expected-failures", "{bad_xfail}"), "'not.a-check' is not a check id"),
    (("{good}", "--expected-failures", "{bad_revision}"), "'jsonrpc.batch@3': revision '3' is not one of 1, 2"),
    (("{good}", "--python", "{missing}"), "--python"),
])
def test_the_kit_exits_2_when_it_cannot_run(tmp_path, conform, args, message, write_project) -> None:
    paths = {"empty": tmp_path / "empty", "missing": tmp_path / "missing", "good": write_project(tmp_path / "good"),
             "bad_xfail": tmp_path / "xfail.txt", "bad_revision": tmp_path / "revision.txt"}
    paths["empty"].mkdir()
    paths["bad_xfail"].write_text("# known issues\nnot.a-check\n")
    paths["bad_revision"].write_text("jsonrpc.batch@3\n")
    run = conform(*(a.format(**paths) for a in args))
    assert run.status == 2
    assert message in run.err


@pytest.mark.parametrize("flag, where, message", [
    ("--report-json", "missing/report.json", "no such directory {tmp}/missing"),
    ("--junit-xml", "empty", "is a directory"),
    ("--report-json", "readonly/report.json", "not writable"),
])
def test_a_report_path_that_cannot_be_written_is_refused_before_any_check_runs(tmp_path, conform, write_project, flag, where,
                                                                                 message) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "readonly").mkdir(mode=0o500)
    if os.geteuid() == 0 and where.startswith("readonly"):
        pytest.skip("root writes into a read-only directory")
    run = conform(write_project(tmp_path / "good"), flag, tmp_path / where)
    assert (run.status, run.out) == (2, "")
    assert run.err == f"microtvm-project conform: error: {flag} {tmp_path / where}: {message.format(tmp=tmp_path)}\n"


def test_checks_skipped_for_a_required_option_without_value_exit_3_naming_the_option_unless_partial_is_allowed(
        tmp_path, conform, write_project) -> None:
    project, report = write_project(tmp_path / "good"), tmp_path / "report.json"
    run = conform(project, "--timeout", "20", "--skip", "jsonrpc", "--report-json", report)
    assert run.status == 3, run.out
    lines = run.out.splitlines()
    assert lines[-2] == ("NOT JUDGED: 6 checks skipped or judged in part: option serial_number is required for flash and got no value:"
                         " pass --option serial_number=VALUE (or --allow-partial to accept a partial verdict)")
    assert lines[-1].endswith(": exit status 3")
    assert json.loads(report.read_text())["not_judged"] == [{
        "option": "serial_number", "methods": ["flash"],
        "checks": ["process.no-children-left@2", "template.flash@2", "transport.open-timeouts@2", "transport.closed-after-close@2", "transport.read-timeout@2",
                   "transport.write-timeout@2"]}]
    partial = conform(project, "--timeout", "20", "--skip", "jsonrpc", "--allow-partial")
    assert partial.status == 0, partial.out
    assert "(partial verdict accepted: --allow-partial)" in partial.out.splitlines()[-2]
    given = conform(project, "--timeout", "20", "--skip", "jsonrpc", "--option", "serial_number=S1")
    assert given.status == 0 and "NOT JUDGED" not in given.out, given.out


def test_skips_for_what_the_platform_does_not_have_keep_exit_status_0(tmp_path, conform, write_project) -> None:
    library = conform(write_project(tmp_path / "library", 2, "no_transport"), "--timeout", "20", "--skip", "jsonrpc",
                      "--option", "serial_number=S1")
    assert library.status == 0, library.out
    assert "SKIP  transport.echo-integrity               skipped: the server does not support open_transport" in library.out
    without_echo = conform(write_project(tmp_path / "board"), "--timeout", "20", "--skip", "jsonrpc", "--option", "serial_number=S1")
    assert without_echo.status == 0, without_echo.out
    assert "SKIP  transport.echo-integrity               skipped: needs an echo device: pass --device echo" in without_echo.out
    assert "NOT JUDGED" not in library.out + without_echo.out


@pytest.mark.parametrize("args", [("--device", "usb"), ("--option", "novalue"), ("--timeout", "-1"), ("--protocol-version", "3"),
                                  ("--revision", "3"), ("--start-timeout", "0")])
def test_malformed_arguments_exit_2(tmp_path, conform, args, write_project) -> None:
    with pytest.raises(SystemExit) as stopped:
        conform(write_project(tmp_path / "good"), *args)
    assert stopped.value.code == 2


def test_reports_carry_check_ids_outcomes_and_spec_references(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template", 2, "platform_name_not_slug")
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    run = conform(project, *QUICK, "--junit-xml", junit, "--report-json", report)
    assert run.status == 1
    data = json.loads(report.read_text())
    by_id = {c["id"]: c for c in data["checks"]}
    assert (data["revisions"], data["offered_revisions"]) == ([2], [2])
    assert {c["revision"] for c in data["checks"]} == {2}
    assert by_id["server_info.platform-slug"]["outcome"] == "fail"
    assert by_id["server_info.platform-slug"]["spec_ref"] == "types.json#/$defs/PlatformName"
    assert "'Wire Server' is not a lowercase slug" in by_id["server_info.platform-slug"]["message"]
    assert by_id["server_info.schema"]["outcome"] == "fail"
    assert by_id["transport.echo-integrity"]["outcome"] == "skip"
    assert by_id["process.starts"]["outcome"] == "pass"
    suite = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == len(all_checks())
    assert cases["server_info.platform-slug"].find("failure") is not None
    assert cases["transport.echo-integrity"].find("skipped") is not None
    assert cases["process.starts"].find("failure") is None
    assert suite.get("failures") == "2"


def test_expected_failures_turn_known_failures_into_xfail_and_report_stale_entries(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template", 2, "platform_name_not_slug")
    known = tmp_path / "known.txt"
    known.write_text("server_info.platform-slug  # slug fix pending\nserver_info.schema\n")
    run = conform(project, *QUICK, "--expected-failures", known)
    assert run.status == 0, run.out
    assert "XFAIL server_info.platform-slug" in run.out
    known.write_text("server_info.platform-slug\nserver_info.schema\njsonrpc.batch\n")
    run = conform(project, *QUICK, "--expected-failures", known)
    assert run.status == 1
    assert "STALE jsonrpc.batch" in run.out
    assert "listed as an expected failure, but it passes: remove it from the file" in run.out


@pytest.mark.parametrize("flag", ["--revision", "--protocol-version"])
def test_a_revision_the_server_does_not_offer_fails_the_revision_check_and_blocks_the_rest(tmp_path, conform, write_project,
                                                                                         flag) -> None:
    run = conform(write_project(tmp_path / "template", 2), *QUICK, flag, "1", "--skip", "jsonrpc")
    assert run.status == 1
    assert run.out.splitlines()[0].endswith("(revision 1 asked for; the server states protocol_version 2; device none)")
    assert "the server does not offer revision 1 (asked both ways, it answers in revision 2)" in run.out
    assert "blocked by server_info.revision: the server does not offer revision 1" in run.out
    assert run.out.splitlines()[-1].endswith("blocked (failed: server_info.revision): exit status 1")
    assert [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")] == ["server_info.revision"]


def test_skip_by_group_and_by_id_is_reported_with_the_reason(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template"), *QUICK, "--skip", "jsonrpc.batch")
    assert run.status == 0
    assert "skipped: skipped by --skip jsonrpc.batch" in run.out
    assert "skipped: skipped by --skip transport" in run.out


def test_a_run_leaves_no_process_no_fd_and_no_directory_behind(tmp_path, conform, monkeypatch, write_project) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    projects = [write_project(tmp_path / defect, 2, defect) for defect in ("leaves_child_behind", "hangs_on_build")]
    quick = [a for skip in ("jsonrpc", "server_info", "transport", "template.build-again", "template.flash") for a in ("--skip", skip)]
    fds_before = len(os.listdir("/proc/self/fd"))
    for project in projects:
        assert conform(project, "--timeout", "2", *quick).status == 1
    assert len(os.listdir("/proc/self/fd")) == fds_before
    assert list(scratch.iterdir()) == []
    assert [pid for pid in _pids() if any(str(p) in _cmdline(pid) or _cwd(pid).startswith(str(tmp_path)) for p in projects)] == []


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and int(p.name) != os.getpid()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def test_mlf_and_standalone_crt_dir_are_what_generate_project_receives(tmp_path, conform, write_project) -> None:
    archive, crt = tmp_path / "tiny.tar", tmp_path / "crt"
    with tarfile.open(archive, "w") as tar:
        member = tarfile.TarInfo("metadata.json")
        member.size = 2
        tar.addfile(member, io.BytesIO(b"{}"))
    crt.mkdir()
    report = tmp_path / "report.json"
    skips = [a for skip in ("process", "server_info", "jsonrpc", "transport") for a in ("--skip", skip)]
    run = conform(write_project(tmp_path / "template"), "--timeout", "20", "--mlf", archive, "--standalone-crt-dir", crt,
                  "--report-json", report, "--option", "serial_number=S1", *skips)
    assert run.status == 0, run.out
    generate = next(c for c in json.loads(report.read_text())["checks"] if c["id"] == "template.generate-project")
    sent = "\n".join(generate["exchanges"])
    assert f'"model_library_format_path":"{archive}"' in sent
    assert f'"standalone_crt_dir":"{crt}"' in sent


def test_python_runs_a_server_without_launch_script_under_that_interpreter(tmp_path, conform, write_project) -> None:
    marker = tmp_path / "interpreter-used"
    interpreter = tmp_path / "platform-python"
    interpreter.write_text(f"#!/bin/sh\ntouch {marker}\nexec {sys.executable} \"$@\"\n")
    interpreter.chmod(0o755)
    run = conform(write_project(tmp_path / "template"), *QUICK, "--skip", "jsonrpc", "--python", interpreter)
    assert run.status == 0, run.out
    assert marker.exists()


def test_a_launch_scripts_start_up_is_not_charged_to_the_first_calls_deadline(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template")
    script = project / "launch_microtvm_api_server.sh"
    script.write_text(f"#!/bin/sh\nsleep 2\nexec {sys.executable} \"$@\"\n")
    script.chmod(0o755)
    only_starts = [a for c in all_checks() if c.id != "process.starts" for a in ("--skip", c.id)]
    run = conform(project, "--timeout", "1", "--start-timeout", "10", *only_starts)
    assert (run.status, "PASS  process.starts" in run.out) == (0, True), run.out
    run = conform(project, "--timeout", "1", "--start-timeout", "0.1", *only_starts)
    assert run.status == 1
    assert "got  nothing within 1.1 s: the server hangs" in run.out


def test_the_json_report_keeps_a_server_errors_traceback_whole(tmp_path, conform, write_tvm_project) -> None:
    report = tmp_path / "report.json"
    only_flash = [a for c in all_checks() if c.id != "template.flash" for a in ("--skip", c.id)]
    run = conform(write_tvm_project(tmp_path / "template", "flash_fails"), "--timeout", "20", "--report-json", report, *only_flash)
    assert run.status == 1
    flash = next(c for c in json.loads(report.read_text())["checks"] if c["id"] == "template.flash")
    error = json.loads(flash["exchanges"][-1][3:])["error"]
    assert error["message"] == "calling method flash"
    trace = error["data"]["traceback"]
    assert trace.startswith("Traceback (most recent call last):")
    assert trace.rstrip().endswith("RuntimeError: flash tool: no board with serial number None found")
    assert "server exception: RuntimeError: flash tool: no board with serial number None found" in flash["message"]
    assert "server exception: RuntimeError: flash tool: no board with serial number None found" in run.out
