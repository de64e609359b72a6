"""The JUnit report's counts agree with its elements, for every outcome a check can have."""

from __future__ import annotations

from microtvm_project_api.conformance.check import Check, Outcome, Result, must
from microtvm_project_api.conformance.report import as_junit

RULE = must("a rule", "types.json")


def result(outcome: Outcome, number: int) -> Result:
    check = Check(f"group.check-{number}", "a check", RULE, lambda ctx: None)
    return Result(check, outcome, f"{outcome.value} message" if outcome is not Outcome.PASS else "", [], 0.5)


def test_suite_counts_are_the_counts_of_failure_error_and_skipped_elements() -> None:
    outcomes = [*Outcome, Outcome.XFAIL, Outcome.SKIP, Outcome.FAIL]
    suite = as_junit([result(o, n) for n, o in enumerate(outcomes)]).getroot()
    cases = list(suite.iter("testcase"))
    assert int(suite.get("tests")) == len(cases) == len(outcomes)
    for attribute, element in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        assert int(suite.get(attribute)) == sum(1 for c in cases if c.find(element) is not None), attribute
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("3", "1", "5")  # skipped: 2 skip, 2 xfail, 1 blocked
