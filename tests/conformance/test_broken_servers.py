"""Deliberately broken servers, one defect each: the kit must fail the check of the rule each one breaks.

Each row is one broken server (the wire-only server with one defect switched on), its revision,
and the check that must catch it. Only that check runs (--skip every other), so the whole
collection takes seconds; the coverage test makes sure every MUST check has a broken server.
"""

from __future__ import annotations

import dataclasses

import pytest

from microtvm_project_api.conformance.check import CHECKS as CHECK_LIST
from microtvm_project_api.conformance.check import Level, all_checks

HANG_TIMEOUT = "2"
TIMEOUT = "20"

# defect, revision, the check that catches it, whether it hangs (the kit waits --timeout for it)
BROKEN: list[tuple[str, int, str, bool]] = [
    ("crashes_on_start", 2, "process.starts", False),
    ("logs_on_reply_channel", 2, "process.starts", False),
    ("wrong_reply_id", 2, "process.starts", False),
    ("huge_reply", 2, "process.starts", False),
    ("reads_stdin", 2, "process.ignores-stdin", True),
    ("no_exit_on_eof", 2, "process.exits-on-eof", True),
    ("exit_status_on_eof", 1, "process.exits-on-eof", False),
    ("leaves_child_behind", 2, "process.no-children-left", False),
    ("info_extra_member", 2, "server_info.schema", False),
    ("unknown_revision", 2, "server_info.revision", False),
    ("duplicate_option_name", 2, "server_info.option-names-unique", False),
    ("misspelled_option_method", 1, "server_info.option-metadata", False),
    ("default_of_another_type", 2, "server_info.option-metadata", False),
    ("platform_name_not_slug", 2, "server_info.platform-slug", False),
    ("partial_transport_methods", 2, "server_info.supported-methods", False),
    ("template_reports_empty_mlf_path", 2, "server_info.mlf-path", False),
    ("stops_on_parse_error", 2, "jsonrpc.parse-error", False),
    ("parse_error_with_id", 2, "jsonrpc.parse-error", False),
    ("accepts_any_jsonrpc_version", 1, "jsonrpc.invalid-request", False),
    ("batch_answered_as_array", 2, "jsonrpc.batch", False),
    ("unknown_method_as_server_error", 1, "jsonrpc.unknown-method", False),
    ("large_ids_truncated", 2, "jsonrpc.id-echo", False),
    ("missing_params_crash_handler", 1, "jsonrpc.params-missing", False),
    ("extra_params_accepted", 2, "jsonrpc.params-extra", False),
    ("param_types_unchecked", 2, "jsonrpc.params-mistyped", False),
    ("options_unchecked", 2, "jsonrpc.option-unknown-name", False),
    ("option_error_unnamed", 2, "jsonrpc.option-unknown-name", False),
    ("option_types_unchecked", 2, "jsonrpc.option-wrong-type", False),
    ("option_choices_unchecked", 2, "jsonrpc.option-not-in-choices", False),
    ("required_options_unchecked", 2, "jsonrpc.option-missing-required", False),
    ("generate_without_server_copy", 2, "template.generate-project", False),
    ("generate_overwrites_existing", 2, "template.generate-refuses-existing", False),
    ("generated_reports_template", 2, "template.generated-server-starts", False),
    ("hangs_on_build", 2, "template.build", True),
    ("second_build_fails", 2, "template.build-again", False),
    ("flash_always_fails", 2, "template.flash", False),
    ("unsupported_as_method_not_found", 2, "template.unsupported-methods", False),
    ("reopen_fails", 2, "transport.open-timeouts", False),
    ("crash_before_open", 2, "transport.closed-before-open", False),
    ("timeout_after_close", 2, "transport.closed-after-close", False),
    ("close_twice_fails", 2, "transport.close-twice", False),
    ("zero_byte_read", 1, "transport.read-timeout", False),
    ("timeout_too_early", 2, "transport.read-timeout", False),
    ("timeout_too_late", 2, "transport.read-timeout", False),
    ("empty_write_fails", 2, "transport.write-timeout", False),
    ("base85_in_v2", 2, "transport.echo-integrity", False),
    ("corrupts_after_half_a_mib", 1, "transport.echo-integrity", False),
    ("read_more_than_n", 2, "transport.read-at-most-n", False),
]
# what some of those failures must say, beyond the rule
SAYS = {
    "hangs_on_build": 'sent {"jsonrpc":"2.0","method":"build","params":{"options":{"serial_number":"S1"}}',
    "reads_stdin": f"got  nothing within {HANG_TIMEOUT} s: the server hangs",
    "crashes_on_start": "(exit code 1); last lines of its stderr:",
    "logs_on_reply_channel": "got  INFO wire server starting",
    "wrong_reply_id": "the reply id 2 is not 1",
    "leaves_child_behind": "still holds",
    "no_exit_on_eof": f"is still running {HANG_TIMEOUT} s after its request pipe reached end of file",
    "zero_byte_read": "/data: '' is too short",
    "timeout_too_early": "before the deadline",
    "misspelled_option_method": "'biuld' in required/optional is not a method that takes options",
    "default_of_another_type": "default '2' is not a int value",
    "option_error_unnamed": "the error does not name 'kit_undeclared_option'",
    "read_more_than_n": "bytes for n=3",
}
CHECKS = {c.id: c for c in all_checks()}


@pytest.mark.parametrize("defect, revision, check_id, hangs", BROKEN, ids=[row[0] for row in BROKEN])
def test_broken_server_fails_the_check_of_the_rule_it_breaks(tmp_path, conform, write_project, defect, revision, check_id,
                                                             hangs) -> None:
    project = write_project(tmp_path / "template", revision, defect)
    skips = [arg for other in CHECKS if other != check_id for arg in ("--skip", other)]
    run = conform(project, "--device", "echo", "--option", "serial_number=S1", "--timeout", HANG_TIMEOUT if hangs else TIMEOUT, *skips)
    assert run.status == 1, run.out
    failed = [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")]
    assert check_id in failed, run.out
    block = run.out.split(f"FAIL  {check_id}", 1)[1]
    assert f"rule: {CHECKS[check_id].rule}" in block.splitlines()[1]
    assert SAYS.get(defect, "") in block


def test_every_must_check_has_a_broken_server_that_it_catches() -> None:
    caught = {row[2] for row in BROKEN}
    assert sorted(c.id for c in CHECKS.values() if c.rule.level is Level.MUST and c.id not in caught) == []


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
    assert "skipped: the server of" in run.out and "does not start" in run.out


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
    run = conform(write_project(tmp_path / "again", 2, "open_needs_flash"), "--device", "echo", "--timeout", TIMEOUT,
                  "--option", "serial_number=S1", "--skip", "jsonrpc")
    assert (run.status, "PASS  transport.echo-integrity" in run.out) == (0, True), run.out
