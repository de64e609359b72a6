"""Reports of a run: one human line per check (failures with what was sent, what came back, the rule and the
server's cause), JUnit XML, JSON. The text shortens long wire lines; the JSON report keeps every error reply whole."""

from __future__ import annotations

import dataclasses
import itertools
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from microtvm_project_api.conformance.check import Check, Outcome, Result, inherited_ref, missing_options
from microtvm_project_api.conformance.session import shown

SHOWN_EXCHANGES = 6
SHOWN_PREFIX = 200
"""An exchange whose first characters the failure message already shows is not listed again."""
LABELS = {Outcome.BLOCKED: "BLOCK"}


def line(result: Result) -> str:
    """The summary line of one check (a skip or a block with its reason), followed for failures by the indented details."""
    check = result.check
    label = LABELS.get(result.outcome, result.outcome.value.upper())
    if result.outcome in (Outcome.SKIP, Outcome.BLOCKED):
        return f"{label:5} {check.id:38} {'skipped: ' if result.outcome is Outcome.SKIP else ''}{result.message}"
    head = f"{label:5} {check.id:38} {check.title}"
    if result.outcome in (Outcome.PASS, Outcome.XFAIL):
        return head
    details = [] if result.outcome is Outcome.INHERITED else [f"      rule: {check.rule}"]
    details += [f"      {part}" for part in result.message.splitlines() if part]
    exchanges = [shown(e) for e in result.exchanges[-SHOWN_EXCHANGES:] if e[3:3 + SHOWN_PREFIX] not in result.message]
    if exchanges and result.outcome not in (Outcome.STALE, Outcome.INHERITED):
        details.append("      last exchanges:")
        details += [f"        {e}" for e in exchanges]
    return "\n".join([head, *details])


def lines(results: Iterable[Result], render: Callable[[Result], str] | None = None) -> Iterator[str]:
    """The text report of results as they come (each as `render` writes it, `line` by default); consecutive checks
    blocked for the same reason share one line."""
    render = render or line
    pending: list[Result] = []
    for result in itertools.chain(results, [None]):
        if pending and (result is None or result.outcome is not Outcome.BLOCKED or result.message != pending[0].message):
            yield render(pending[0]) if len(pending) == 1 else blocked_line(pending)
            pending = []
        if result is not None and result.outcome is Outcome.BLOCKED:
            pending.append(result)
        elif result is not None:
            yield render(result)


def blocked_line(results: list[Result]) -> str:
    """One line for checks blocked for the same reason."""
    if len(results) == 1:
        return line(results[0])
    return f"BLOCK {', '.join(r.check.id for r in results)} ({len(results)} checks) {results[0].message}"


def totals(results: list[Result]) -> str:
    """How many checks ended in each outcome, e.g. "30 pass, 2 skip"."""
    counts = Counter(r.outcome.value for r in results)
    return ", ".join(f"{counts[o.value]} {o.value}" for o in Outcome if counts[o.value])


def check_listing(checks: list[Check]) -> str:
    """--list-checks: id, level, revisions, needs, title and spec reference of every check."""
    rows = []
    for c in checks:
        needs = f" needs: {', '.join(n.value for n in c.needs)}" if c.needs else ""
        revisions = ",".join(map(str, c.revisions))
        inherits = "".join(f"\n{'':38} revision 1, inherited (not a failure): [{inherited_ref(key)}]" for key in c.inherits)
        rows.append(f"{c.id:38} {c.rule.level.value:6} rev {revisions:4} {c.title}\n{'':38} [{c.rule.ref}]{needs}{inherits}")
    return "\n".join(rows)


def as_json(results: list[Result], project_dir: Path, revisions: list[int], offered: list[int]) -> dict[str, Any]:
    """The JSON report: every check with its revision, id, outcome, rule and spec reference, messages and exchanges uncut."""
    return {
        "project_dir": str(project_dir),
        "revisions": revisions,
        "offered_revisions": offered,
        "summary": dict(Counter(r.outcome.value for r in results)),
        "not_judged": [{"option": name, "methods": list(dict.fromkeys(r.missing_option[1] for r in skipped if r.missing_option)),
                        "checks": [f"{r.check.id}@{r.revision}" for r in skipped]} for name, skipped in missing_options(results).items()],
        "checks": [
            {
                "id": r.check.id,
                "revision": r.revision,
                "group": r.check.group,
                "title": r.check.title,
                "outcome": r.outcome.value,
                "level": r.check.rule.level.value,
                "rule": r.check.rule.text,
                "spec_ref": r.check.rule.ref,
                "revisions": list(r.check.revisions),
                "needs": [n.value for n in r.check.needs],
                "blocked_by": r.blocked_by,
                "message": r.message,
                "cases": [{**dataclasses.asdict(case), "outcome": case.outcome.value} for case in r.cases],
                "exchanges": r.exchanges,
                "seconds": round(r.seconds, 4),
            }
            for r in results
        ],
    }


def as_junit(results: list[Result]) -> ET.ElementTree:
    """JUnit XML: one testsuite, one testcase per check and revision (classname = vN.group); its counts are those of its elements.

    An inherited finding passes, with an `outcome` property and its text in system-out; a blocked
    check is skipped with the check that blocks it.
    """
    counts = Counter(r.outcome for r in results)
    suite = ET.Element("testsuite", name="microtvm-project-conformance", tests=str(len(results)),
                       failures=str(counts[Outcome.FAIL] + counts[Outcome.STALE]), errors=str(counts[Outcome.ERROR]),
                       skipped=str(counts[Outcome.SKIP] + counts[Outcome.BLOCKED] + counts[Outcome.XFAIL]), time=f"{sum(r.seconds for r in results):.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"v{r.revision}.{r.check.group}", name=r.check.id, time=f"{r.seconds:.3f}")
        text = "\n".join([f"rule: {r.check.rule}", r.message, *r.exchanges])
        if r.outcome in (Outcome.FAIL, Outcome.STALE):
            ET.SubElement(case, "failure", message=failure_headline(r)).text = text
        elif r.outcome is Outcome.ERROR:
            ET.SubElement(case, "error", message="harness error").text = text
        elif r.outcome in (Outcome.SKIP, Outcome.XFAIL, Outcome.BLOCKED):
            ET.SubElement(case, "skipped", message=r.message or r.outcome.value)
        elif r.outcome in (Outcome.WARN, Outcome.INHERITED):
            properties = ET.SubElement(case, "properties")
            ET.SubElement(properties, "property", name="outcome", value=r.outcome.value)
            ET.SubElement(case, "system-out").text = text
    return ET.ElementTree(suite)


def failure_headline(result: Result) -> str:
    """One line for a failed check: its failing cases by id when there are several, else its message's first line."""
    failed = [c.id for c in result.cases if c.outcome in (Outcome.FAIL, Outcome.WARN)]
    if len(failed) > 1:
        return f"{len(failed)} failing cases: {'; '.join(failed)}"
    return result.message.splitlines()[0] if result.message else result.outcome.value


def write_json(results: list[Result], path: Path, project_dir: Path, revisions: list[int], offered: list[int]) -> None:
    """Write the JSON report to `path`."""
    path.write_text(json.dumps(as_json(results, project_dir, revisions, offered), indent=2) + "\n", encoding="utf-8")


def write_junit(results: list[Result], path: Path) -> None:
    """Write the JUnit XML report to `path`."""
    as_junit(results).write(path, encoding="utf-8", xml_declaration=True)
