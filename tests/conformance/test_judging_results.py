"""The kit's pure verdicts over results (conformance/runner.py, check.py, report.py), without a server: cases, exit status, reports."""

from __future__ import annotations

import json
from pathlib import Path

from microtvm_project_api.conformance import report
from microtvm_project_api.conformance.check import Case, CheckFailed, Outcome, Result, all_checks
from microtvm_project_api.conformance.context import Context, Settings
from microtvm_project_api.conformance.runner import FAILED, NOT_RUN, PARTIAL, PASSED, exit_status, failure_text

CHECKS = {c.id: c for c in all_checks()}
MISTYPED = CHECKS["jsonrpc.params-mistyped"]


def result(check_id: str, outcome: Outcome, **fields) -> Result:
    return Result(CHECKS[check_id], outcome, revision=2, **fields)


def test_a_case_keeps_what_a_failure_says_field_by_field() -> None:
    failed = CheckFailed("expected an error with code -32602: build with options='1'", sent="{...}", got='{"result": null}',
                         cause="\n    stderr: built")
    case = Case.failed("build: options='1'", failed)
    assert (case.id, case.outcome, case.sent, case.got, case.expected, case.rule, case.cause) == (
        "build: options='1'", Outcome.FAIL, "{...}", '{"result": null}', "expected an error with code -32602: build with options='1'",
        "", "\n    stderr: built")
    assert case.render() == str(failed)


def test_a_check_with_several_failing_cases_names_each() -> None:
    one = Case("build: options='1'", Outcome.FAIL, "a", "b", "expected X")
    two = Case("flash: options='1'", Outcome.FAIL, "c", "d", "expected Y")
    assert failure_text([one]) == one.render()
    assert failure_text([one, two]).splitlines() == [
        "case build: options='1':", "  sent a", "    got  b", "    expected X",
        "case flash: options='1':", "  sent c", "    got  d", "    expected Y"]


def test_exit_status_tells_a_failure_a_harness_error_a_partial_run_and_a_pass_apart() -> None:
    passed = result("server_info.schema", Outcome.PASS)
    unsupported = result("transport.echo-integrity", Outcome.SKIP, message="the server does not support open_transport")
    option_missing = result("template.flash", Outcome.SKIP, missing_option=("serial_number", "flash"))
    assert exit_status([passed, unsupported]) == PASSED == 0
    assert exit_status([passed, option_missing]) == PARTIAL == 3
    assert exit_status([passed, option_missing], allow_partial=True) == PASSED
    assert exit_status([passed, option_missing, result("jsonrpc.batch", Outcome.FAIL)]) == FAILED == 1
    assert exit_status([option_missing, result("jsonrpc.batch", Outcome.ERROR)]) == NOT_RUN == 2
    blocked_by_a_pass = result("template.build", Outcome.BLOCKED, blocked_by="template.generate-project")
    assert exit_status([result("template.generate-project", Outcome.PASS), blocked_by_a_pass]) == FAILED


def test_the_json_report_carries_each_case_and_what_was_not_judged(tmp_path: Path) -> None:
    cases = [Case("build: options='1'", Outcome.FAIL, "sent", "got", "expected"), Case("flash: options='1'", Outcome.PASS)]
    results = [Result(MISTYPED, Outcome.FAIL, "m", revision=1, cases=cases),
               result("template.flash", Outcome.SKIP, missing_option=("serial_number", "flash"))]
    data = report.as_json(results, tmp_path, [1, 2], [1, 2])
    assert data["checks"][0]["cases"] == [
        {"id": "build: options='1'", "outcome": "fail", "sent": "sent", "got": "got", "expected": "expected", "rule": "", "cause": ""},
        {"id": "flash: options='1'", "outcome": "pass", "sent": "", "got": "", "expected": "", "rule": "", "cause": ""}]
    assert data["not_judged"] == [{"option": "serial_number", "methods": ["flash"], "checks": ["template.flash@2"]}]
    json.dumps(data)


def test_a_junit_failure_with_several_cases_names_them_in_its_message() -> None:
    cases = [Case("build: options='1'", Outcome.FAIL, "a", "b", "x"), Case("flash: options='1'", Outcome.FAIL, "c", "d", "y")]
    suite = report.as_junit([Result(MISTYPED, Outcome.FAIL, "case build...", revision=1, cases=cases)]).getroot()
    assert suite.find("testcase/failure").attrib["message"] == "2 failing cases: build: options='1'; flash: options='1'"


def test_a_failing_case_is_recorded_and_the_check_goes_on_to_its_next_case(tmp_path: Path) -> None:
    ctx = Context(Settings(project_dir=tmp_path), 1, {}, {})
    try:
        ctx.begin_check("jsonrpc.params-mistyped")
        with ctx.case("build: options='1'"):
            raise CheckFailed("expected an error with code -32602", sent="s", got="g")
        with ctx.case("flash: options='1'"):
            ctx.inherit("param-types-unchecked", "flash got a result")
        with ctx.case("close_transport"):
            pass
        assert [(c.id, c.outcome, c.got) for c in ctx.cases] == [
            ("build: options='1'", Outcome.FAIL, "g"),
            ("flash: options='1'", Outcome.INHERITED, "flash got a result [revisions/v1.json#/x-server-module/param-types-unchecked]"),
            ("close_transport", Outcome.PASS, "")]
    finally:
        ctx.close()
