"""Deliberately broken servers, one defect each: the kit must fail the check of the rule each one breaks.

Each row is one broken server (the wire-only server with one defect switched on), its revision,
the check that must catch it and what its failure must say. Only that check runs (--skip every
other), so the whole collection takes seconds; the coverage test makes sure every MUST check has a
broken server. The TVM-style rows are defects of a platform's own code on TVM's server module:
what the module does is inherited, what the platform does wrong still fails.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from microtvm_project_api.conformance.check import CHECKS as CHECK_LIST
from microtvm_project_api.conformance.check import Level, all_checks

HANG_TIMEOUT = "2"
TIMEOUT = "20"

# defect, revision, the check that catches it, whether it hangs (the kit waits --timeout for it), what its failure must say
BROKEN: list[tuple[str, int, str, bool, str]] = [
    ("crashes_on_start", 2, "process.starts", False, "stderr: wire_server: cannot open the board (simulated crash)"),
    ("logs_on_reply_channel", 2, "process.starts", False, "INFO wire server starting"),
    ("wrong_reply_id", 2, "process.starts", False, "the reply id 2 is not 1"),
    ("huge_reply", 2, "process.starts", False, "a reply line longer than 67108864 bytes"),
    ("endless_reply", 2, "process.starts", False, "a reply line longer than 67108864 bytes"),
    ("reads_stdin", 2, "process.ignores-stdin", True, f"nothing within {HANG_TIMEOUT} s: the server hangs"),
    ("no_exit_on_eof", 2, "process.exits-on-eof", True, f"is still running {HANG_TIMEOUT} s after its request pipe reached end of file"),
    ("exit_status_on_eof", 1, "process.exits-on-eof", False, "the server exited with status 1 at end of file on its request pipe"),
    ("leaves_child_behind", 2, "process.no-children-left", False, "the server exited but its process group"),
    ("info_extra_member", 2, "server_info.schema", False, "breaks its schema types.json#/$defs/ServerInfoV2: /:"),
    ("unknown_revision", 2, "server_info.revision", False, "the server states protocol_version 3, a revision the spec does not define"),
    ("duplicate_option_name", 2, "server_info.option-names-unique", False, "project_options declares board more than once"),
    ("misspelled_option_method", 1, "server_info.option-metadata", False,
     "'biuld' in required/optional is not a method that takes options"),
    ("default_of_another_type", 2, "server_info.option-metadata", False, "default '2' is not a int value"),
    ("platform_name_not_slug", 2, "server_info.platform-slug", False, "platform_name 'Wire Server' is not a lowercase slug"),
    ("partial_transport_methods", 2, "server_info.supported-methods", False, "only some transport methods are listed"),
    ("template_reports_empty_mlf_path", 2, "server_info.mlf-path", False, "a template reports model_library_format_path ''"),
    ("stops_on_parse_error", 2, "jsonrpc.parse-error", False, "no reply: the server closed its reply pipe (exit code 0)"),
    ("parse_error_with_id", 2, "jsonrpc.parse-error", False, "the reply id 0 is not None"),
    ("segfault_on_parse_error", 1, "jsonrpc.parse-error", False,
     "killed by SIGSEGV: the server crashed; TVM's server module exits with a status there, never by a signal"),
    ("segfault_after_batch", 1, "jsonrpc.batch", False, "(exit code -11: killed by SIGSEGV)"),
    ("notification_answered_with_id", 1, "jsonrpc.invalid-request", False, "the reply id 0 is not None"),
    ("boolean_id_as_integer", 1, "jsonrpc.invalid-request", False, "the reply id 1 is not None or True"),
    ("dunder_method_exits", 1, "jsonrpc.unknown-method", False, "stderr: wire_server: __init__ called"),
    ("accepts_any_jsonrpc_version", 1, "jsonrpc.invalid-request", False, 'expected an error with code -32600: jsonrpc is not "2.0"'),
    ("batch_answered_as_array", 2, "jsonrpc.batch", False, '[{"jsonrpc": "2.0", "id": 21, "result"'),
    ("unknown_method_as_server_error", 1, "jsonrpc.unknown-method", False,
     "expected an error with code -32601: no_such_method is not a protocol method"),
    ("unknown_method_answered", 2, "jsonrpc.unknown-method", False,
     "expected an error with code -32601: no_such_method is not a protocol method"),
    ("large_ids_truncated", 2, "jsonrpc.id-echo", False, "the reply id 4294967295 is not 9007199254740991"),
    ("missing_params_crash_handler", 1, "jsonrpc.params-missing", False, "no reply: the server closed its reply pipe (exit code 1)"),
    ("extra_params_accepted", 2, "jsonrpc.params-extra", False, "no reply: the server closed its reply pipe (exit code 1)"),
    ("param_types_unchecked", 2, "jsonrpc.params-mistyped", False, "expected an error with code -32602: server_info_query with tvm_version=7"),
    ("options_unchecked", 2, "jsonrpc.option-unknown-name", False,
     "expected an error with code -32602: generate_project with option kit_undeclared_option"),
    ("option_error_unnamed", 2, "jsonrpc.option-unknown-name", False, "the error does not name 'kit_undeclared_option'"),
    ("option_types_unchecked", 2, "jsonrpc.option-wrong-type", False,
     "expected an error with code -32602: build with verbose='not-a-bool' (declared bool)"),
    ("option_choices_unchecked", 2, "jsonrpc.option-not-in-choices", False, "generate_project with board='kit-not-a-choice-"),
    ("required_options_unchecked", 2, "jsonrpc.option-missing-required", False,
     "expected an error with code -32602: flash with required option serial_number missing"),
    ("generate_without_server_copy", 2, "template.generate-project", False, "microtvm_api_server.py does not exist"),
    ("generate_overwrites_existing", 2, "template.generate-refuses-existing", False,
     "expected an error with code -32000: project_dir already exists"),
    ("generated_reports_template", 2, "template.generated-server-starts", False, "/model_library_format_path: 'model.tar' is not of type 'null'"),
    ("hangs_on_build", 2, "template.build", True, f"nothing within {HANG_TIMEOUT} s: the server hangs"),
    ("second_build_fails", 2, "template.build-again", False, "expected a result: a second build in the same project, after the first succeeded"),
    ("flash_always_fails", 2, "template.flash", False, '{"jsonrpc": "2.0", "id": 4, "error": {"code": -32000, "message": "not built"}}'),
    ("unsupported_as_method_not_found", 2, "template.unsupported-methods", False,
     "expected an error with code -32000: build is not in supported_methods"),
    ("reopen_fails", 2, "transport.open-timeouts", False, "expected a result: open_transport on an open transport"),
    ("crash_before_open", 2, "transport.closed-before-open", False, "no reply: the server closed its reply pipe (exit code 1)"),
    ("timeout_after_close", 2, "transport.closed-after-close", False,
     "expected message TransportClosedError: read_transport after close_transport"),
    ("close_twice_fails", 2, "transport.close-twice", False, "expected a result: close_transport on a transport never opened is a no-op"),
    ("zero_byte_read", 1, "transport.read-timeout", False, "/data: '' is too short"),
    ("timeout_too_early", 2, "transport.read-timeout", False, "before the deadline"),
    ("timeout_too_late", 2, "transport.read-timeout", False, "long past the deadline"),
    ("empty_write_fails", 2, "transport.write-timeout", False, "expected a result: empty data is a no-op"),
    ("base85_in_v2", 2, "transport.echo-integrity", False, "breaks its schema methods/read_transport.json#/$defs/ReadTransportResultV2"),
    ("corrupts_after_half_a_mib", 1, "transport.echo-integrity", False, "echoed bytes differ from the bytes written at byte"),
    ("read_more_than_n", 2, "transport.read-at-most-n", False, "bytes for n=3"),
]
# defects of a platform's own code on TVM's server module (revision 1): the check that catches each, what its failure must say
TVM_BROKEN: list[tuple[str, str, str]] = [
    ("crash_before_open", "transport.closed-before-open", "server exception: tvm_style_server.BoardError: serial port /dev/ttyACM0 is not open"),
    ("flash_fails", "template.flash", "server exception: RuntimeError: flash tool: no board with serial number None found"),
    ("close_twice_fails", "transport.close-twice", "server exception: RuntimeError: the transport is not open"),
    ("generate_without_server_copy", "template.generate-project", "microtvm_api_server.py does not exist"),
    ("zero_byte_read", "transport.read-timeout", "/data: '' is too short"),
    ("crashes_in_repr", "jsonrpc.unknown-method", "(exit code -11: killed by SIGSEGV)"),
]
CHECKS = {c.id: c for c in all_checks()}


@pytest.mark.parametrize("defect, revision, check_id, hangs, says", BROKEN, ids=[row[0] for row in BROKEN])
def test_broken_server_fails_the_check_of_the_rule_it_breaks(tmp_path, conform, write_project, defect, revision, check_id,
                                                             hangs, says) -> None:
    project = write_project(tmp_path / "template", revision, defect)
    cases = _failing_cases(conform, project, check_id, HANG_TIMEOUT if hangs else TIMEOUT)
    assert any(says in value for case in cases for value in case.values()), cases


@pytest.mark.parametrize("defect, check_id, says", TVM_BROKEN, ids=[row[0] for row in TVM_BROKEN])
def test_a_defect_of_a_platform_on_tvms_server_module_still_fails(tmp_path, conform, write_tvm_project, defect, check_id, says) -> None:
    cases = _failing_cases(conform, write_tvm_project(tmp_path / "template", defect), check_id, TIMEOUT)
    assert any(says in value for case in cases for value in case.values()), cases


def _failing_cases(conform, project: Path, check_id: str, timeout: str) -> list[dict[str, str]]:
    """Run only `check_id` against `project`; it must be the one check that fails the run: its failing cases (JSON report)."""
    report = project.parent / "report.json"
    skips = [arg for other in CHECKS if other != check_id for arg in ("--skip", other)]
    run = conform(project, "--device", "echo", "--option", "serial_number=S1", "--timeout", timeout, "--report-json", report, *skips)
    assert run.status == 1, run.out
    checks = json.loads(report.read_text())["checks"]
    assert [c["id"] for c in checks if c["outcome"] == "fail"] == [check_id], run.out
    (result,) = [c for c in checks if c["id"] == check_id]
    assert result["rule"] == CHECKS[check_id].rule.text and f"rule: {CHECKS[check_id].rule}" in run.out
    return [case for case in result["cases"] if case["outcome"] == "fail"]


def _failure_block(conform, project, check_id: str, timeout: str) -> str:
    """Run only `check_id` against `project`; it must fail the run, and its report block (rule first) is returned."""
    skips = [arg for other in CHECKS if other != check_id for arg in ("--skip", other)]
    run = conform(project, "--device", "echo", "--option", "serial_number=S1", "--timeout", timeout, *skips)
    assert run.status == 1, run.out
    failed = [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")]
    assert failed == [check_id], run.out
    block = run.out.split(f"FAIL  {check_id}", 1)[1]
    assert f"rule: {CHECKS[check_id].rule}" in block.splitlines()[1]
    return block


def test_every_must_check_has_a_broken_server_that_it_catches() -> None:
    caught = {row[2] for row in BROKEN}
    assert sorted(c.id for c in CHECKS.values() if c.rule.level is Level.MUST and c.id not in caught) == []


def test_a_setsid_daemon_holding_the_pipes_fails_no_children_left_by_pid_and_is_killed(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template", 2, "daemon_escapes")
    block = _failure_block(conform, project, "process.no-children-left", TIMEOUT)
    daemon = int((project / "daemon.pid").read_text())
    assert f"the server exited but processes that left its group still hold its pipes: {daemon} python" in block, block
    assert f"(group {daemon})" in block and "its process group" not in block.split("\n", 2)[2]
    deadline = time.monotonic() + 5
    while Path(f"/proc/{daemon}").exists() and b") Z" not in Path(f"/proc/{daemon}/stat").read_bytes() \
            and time.monotonic() < deadline:  # killed by the kit when it closed the session; reaping is init's
        time.sleep(0.05)
    assert not Path(f"/proc/{daemon}").exists() or b") Z" in Path(f"/proc/{daemon}/stat").read_bytes()


def test_a_broken_should_rule_warns_without_failing_the_run(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template", 2, "empty_option_help")
    run = conform(project, "--timeout", TIMEOUT, "--skip", "transport", "--skip", "template", "--skip", "jsonrpc")
    assert run.status == 0, run.out
    assert "WARN  server_info.option-help" in run.out
    assert "rule: SHOULD: help is one line for humans: what the option does" in run.out
    assert "options without a one-line help text: board" in run.out


def test_a_crash_is_reported_with_its_exit_code_and_stderr_tail(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template", 2, "crashes_on_start"), "--timeout", TIMEOUT)
    assert run.status == 1
    block = run.out.split("FAIL  process.starts", 1)[1]
    assert "(exit code 1)" in block
    assert "wire_server: cannot open the board (simulated crash)" in block
    assert "blocked by process.starts: the server does not start: no reply: the server closed its reply pipe (exit code 1)" in run.out


def test_a_server_that_dies_at_start_is_one_failure_in_a_short_report(tmp_path, conform, write_tvm_project) -> None:
    run = conform(write_tvm_project(tmp_path / "template", "crashes_on_start"), "--timeout", TIMEOUT)
    assert run.status == 1
    lines = run.out.splitlines()
    assert len(lines) <= 15, run.out
    assert lines[0].endswith("(no revision stated: the server did not answer server_info_query; device none)")
    assert [line.split()[1] for line in lines if line.startswith("FAIL ")] == ["process.starts"]
    assert run.out.count("BoardError: the board support package of this platform is not installed") == 1
    assert "stderr: tvm_style_server.BoardError: the board support package" in run.out
    blocked = [line for line in lines if line.startswith("BLOCK ")]
    assert len(blocked) == 1 and f"({len(CHECKS) - 1} checks) blocked by process.starts" in blocked[0], run.out
    assert lines[-1] == f"{len(CHECKS)} checks: 1 fail, {len(CHECKS) - 1} blocked (failed: process.starts): exit status 1"


def test_a_failed_generate_project_is_one_failure_with_its_cause_and_blocks_what_needs_the_project(tmp_path, conform,
                                                                                                  write_tvm_project) -> None:
    empty_crt = tmp_path / "crt"
    empty_crt.mkdir()
    run = conform(write_tvm_project(tmp_path / "template"), "--timeout", TIMEOUT, "--standalone-crt-dir", empty_crt,
                  "--skip", "jsonrpc", "--device", "echo")
    assert run.status == 1
    assert [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")] == ["template.generate-project"]
    block = run.out.split("FAIL  template.generate-project", 1)[1].split("\nPASS", 1)[0]
    assert '"message": "calling method generate_project"' in block
    assert "server exception: FileNotFoundError" in block
    assert "server traceback, innermost 3 frames:" in block and "tvm_style_server.py" in block
    blocked = [line for line in run.out.splitlines() if line.startswith("BLOCK ")]
    assert blocked and all("blocked by template.generate-project: generate_project failed: calling method generate_project"
                               in line for line in blocked), run.out
    assert "transport.echo-integrity" in "".join(blocked) and "template.build" in "".join(blocked)
    assert run.out.count("server exception: FileNotFoundError") == 1


def test_a_hang_is_reported_once_by_the_check_of_its_method_and_blocks_the_others(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template", 2, "hangs_on_build"), "--timeout", HANG_TIMEOUT, "--device", "echo",
                  "--option", "serial_number=S1", "--skip", "jsonrpc", "--skip", "server_info")
    assert run.status == 1
    assert [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")] == ["template.build"]
    assert run.out.count("got  nothing within") == 1
    assert "blocked by template.build: build failed: nothing within 2 s: the server hangs" in run.out
    assert "PASS  transport.closed-before-open" in run.out and "PASS  transport.close-twice" in run.out


def test_a_bug_in_the_kit_is_an_error_blamed_on_the_kit_with_exit_status_2(tmp_path, conform, monkeypatch, write_project) -> None:
    def broken_check(ctx: object) -> None:
        raise KeyError("a bug in the kit")

    patched = [dataclasses.replace(c, run=broken_check) if c.id == "server_info.platform-slug" else c for c in CHECK_LIST]
    monkeypatch.setattr("microtvm_project_api.conformance.cli.all_checks", lambda: patched)
    run = conform(write_project(tmp_path / "template"), "--timeout", TIMEOUT, "--skip", "transport", "--skip", "template")
    assert run.status == 2
    assert "ERROR server_info.platform-slug" in run.out
    assert "harness error (a bug in the kit, not in the server): KeyError('a bug in the kit')" in run.out


def test_with_flashing_skipped_a_transport_that_needs_flashing_is_skipped_not_failed(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template", 2, "open_needs_flash"), "--device", "echo", "--timeout", TIMEOUT,
                  "--option", "serial_number=S1", "--skip", "template.flash", "--skip", "jsonrpc")
    assert run.status == 0, run.out
    assert "SKIP  transport.echo-integrity               skipped: open_transport failed, and flashing is skipped (--skip): not flashed" in run.out
    assert "PASS  transport.closed-before-open" in run.out and "PASS  transport.close-twice" in run.out
    run = conform(write_project(tmp_path / "again", 2, "open_needs_flash"), "--device", "echo", "--timeout", TIMEOUT,
                  "--option", "serial_number=S1", "--skip", "jsonrpc")
    assert (run.status, "PASS  transport.echo-integrity" in run.out) == (0, True), run.out


def test_with_flashing_skipped_a_closed_transport_failure_still_fails(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "template", 2, "close_twice_fails"), "--timeout", TIMEOUT, "--option", "serial_number=S1",
                  "--skip", "template.flash", "--skip", "jsonrpc")
    assert run.status == 1
    failed = [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")]
    assert failed == ["transport.closed-before-open"], run.out
    assert ("BLOCK transport.close-twice                  blocked by transport.closed-before-open: close_transport on a transport"
            " never opened failed there: the same defect") in run.out


def test_a_check_reports_every_failing_case_not_only_the_first(tmp_path, conform, write_project) -> None:
    report = tmp_path / "report.json"
    skips = [arg for other in CHECKS if other != "jsonrpc.params-mistyped" for arg in ("--skip", other)]
    run = conform(write_project(tmp_path / "template", 1, "build_flash_types_unchecked"), "--timeout", TIMEOUT,
                  "--report-json", report, *skips)
    assert run.status == 1, run.out
    (result,) = [c for c in json.loads(report.read_text())["checks"] if c["id"] == "jsonrpc.params-mistyped"]
    assert result["outcome"] == "fail"
    failed = [(c["id"], c["expected"]) for c in result["cases"] if c["outcome"] == "fail"]
    assert failed == [("build: options='1'", "expected an error with code -32602: build with options='1'"),
                      ("flash: options='1'", "expected an error with code -32602: flash with options='1'")]
    assert {c["outcome"] for c in result["cases"]} == {"pass", "fail"}
    assert all(c["sent"] and c["got"] for c in result["cases"] if c["outcome"] == "fail")


def _checks(report: Path) -> dict[str, dict]:
    return {f"{c['id']}@{c['revision']}": c for c in json.loads(report.read_text())["checks"]}


def test_build_judges_the_first_build_of_a_fresh_project_with_its_stderr_and_its_cause_is_printed_once(tmp_path, conform,
                                                                                                     write_project) -> None:
    report = tmp_path / "report.json"
    run = conform(write_project(tmp_path / "template", (1, 2), "first_build_fails"), "--device", "echo", "--timeout", TIMEOUT,
                  "--option", "serial_number=S1", "--skip", "jsonrpc", "--report-json", report)
    assert run.status == 1
    checks = _checks(report)
    assert sorted(i for i, c in checks.items() if c["outcome"] == "fail") == ["template.build@1", "template.build@2"]
    (case,) = checks["template.build@1"]["cases"]
    assert case["expected"] == "expected a result: the first build of a freshly generated project"
    assert '"message": "build failed"' in case["got"] and "stderr: make: cc: No such file or directory" in case["cause"]
    for revision in (1, 2):
        for blocked in ("template.build-again", "template.flash", "transport.open-timeouts"):
            assert (checks[f"{blocked}@{revision}"]["outcome"], checks[f"{blocked}@{revision}"]["blocked_by"]) == ("blocked", "template.build")
    assert "FileExistsError" not in run.out and "build directory exists" not in run.out
    assert run.out.count("stderr: make: cc: No such file or directory") == 1
    assert "server cause: the same as printed for template.build@1" in run.out
    assert checks["template.build@2"]["cases"][0]["cause"] == case["cause"]


def test_params_mistyped_judges_only_the_answer_not_the_result_schema_that_server_info_schema_judges(tmp_path, conform,
                                                                                                 write_tvm_project) -> None:
    report = tmp_path / "report.json"
    keep = ("server_info.schema", "jsonrpc.params-mistyped")
    skips = [arg for other in CHECKS if other not in keep for arg in ("--skip", other)]
    run = conform(write_tvm_project(tmp_path / "template", "info_breaks_schema"), "--timeout", TIMEOUT, "--report-json", report, *skips)
    assert run.status == 1
    checks = _checks(report)
    assert (checks["server_info.schema@1"]["outcome"], checks["jsonrpc.params-mistyped@1"]["outcome"]) == ("fail", "inherited")
