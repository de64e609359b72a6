"""Reports of a run: one human line per check (failures with what was sent, what came back, the rule), JUnit XML, JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from microtvm_project_api.conformance.check import Check, Outcome, Result

SHOWN_EXCHANGES = 6


def line(result: Result) -> str:
    """The summary line of one check (a skip with its reason), followed for failures by the indented details."""
    check = result.check
    if result.outcome is Outcome.SKIP:
        return f"SKIP  {check.id:38} skipped: {result.message}"
    head = f"{result.outcome.value.upper():5} {check.id:38} {check.title}"
    if result.outcome in (Outcome.PASS, Outcome.XFAIL):
        return head
    details = [f"      rule: {check.rule}"]
    details += [f"      {part}" for part in result.message.splitlines()]
    if result.exchanges and result.outcome is not Outcome.STALE:
        details.append("      last exchanges:")
        details += [f"        {e}" for e in result.exchanges[-SHOWN_EXCHANGES:]]
    return "\n".join([head, *details])


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
        rows.append(f"{c.id:38} {c.rule.level.value:6} rev {revisions:4} {c.title}\n{'':38} [{c.rule.ref}]{needs}")
    return "\n".join(rows)


def as_json(results: list[Result], project_dir: Path, revision: int | None) -> dict[str, Any]:
    """The JSON report: every check with its id, outcome, rule and spec reference."""
    return {
        "project_dir": str(project_dir),
        "protocol_version": revision,
        "summary": dict(Counter(r.outcome.value for r in results)),
        "checks": [
            {
                "id": r.check.id,
                "group": r.check.group,
                "title": r.check.title,
                "outcome": r.outcome.value,
                "level": r.check.rule.level.value,
                "rule": r.check.rule.text,
                "spec_ref": r.check.rule.ref,
                "revisions": list(r.check.revisions),
                "needs": [n.value for n in r.check.needs],
                "message": r.message,
                "exchanges": r.exchanges,
                "seconds": round(r.seconds, 4),
            }
            for r in results
        ],
    }


def as_junit(results: list[Result]) -> ET.ElementTree:
    """JUnit XML: one testsuite, one testcase per check (classname = group); its counts are those of its elements."""
    counts = Counter(r.outcome for r in results)
    suite = ET.Element("testsuite", name="microtvm-project-conformance", tests=str(len(results)),
                       failures=str(counts[Outcome.FAIL] + counts[Outcome.STALE]), errors=str(counts[Outcome.ERROR]),
                       skipped=str(counts[Outcome.SKIP] + counts[Outcome.XFAIL]), time=f"{sum(r.seconds for r in results):.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.check.group, name=r.check.id, time=f"{r.seconds:.3f}")
        text = "\n".join([f"rule: {r.check.rule}", r.message, *r.exchanges])
        if r.outcome in (Outcome.FAIL, Outcome.STALE):
            ET.SubElement(case, "failure", message=r.message.splitlines()[0] if r.message else r.outcome.value).text = text
        elif r.outcome is Outcome.ERROR:
            ET.SubElement(case, "error", message="harness error").text = text
        elif r.outcome in (Outcome.SKIP, Outcome.XFAIL):
            ET.SubElement(case, "skipped", message=r.message or r.outcome.value)
        elif r.outcome is Outcome.WARN:
            ET.SubElement(case, "system-out").text = text
    return ET.ElementTree(suite)


def write_json(results: list[Result], path: Path, project_dir: Path, revision: int | None) -> None:
    """Write the JSON report to `path`."""
    path.write_text(json.dumps(as_json(results, project_dir, revision), indent=2) + "\n", encoding="utf-8")


def write_junit(results: list[Result], path: Path) -> None:
    """Write the JUnit XML report to `path`."""
    as_junit(results).write(path, encoding="utf-8", xml_declaration=True)
