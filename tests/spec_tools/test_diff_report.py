"""spec diff for pull requests: why each break breaks, text/markdown/json output, and the ignore file of accepted breaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_diff import CASES, IDS, INT, NULL, STR, obj

from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.spec_tools.diff import CLIENTS, Change, diff_specs
from microtvm_project_api.spec_tools.diff_ignore import AcceptedBreak, IgnoreFileError, load


def report_for(tree, old, new, part="params"):
    kwargs = {"params": old, "result": NULL} if part == "params" else {"params": obj({}), "result": old}
    return diff_specs(SchemaRegistry.from_directory(tree("old", **kwargs)),
                      SchemaRegistry.from_directory(tree("new", **{**kwargs, part: new})), "old", "new")


@pytest.mark.parametrize("part", ["params", "result"])
@pytest.mark.parametrize("name,old,new,params_breaks,where", CASES, ids=IDS)
def test_every_break_says_which_side_refuses_what(tree, part, name, old, new, params_breaks, where) -> None:
    [change] = report_for(tree, old, new, part).changes
    assert bool(change.why) == bool(change.breaks)
    refusal = "answer -32602 (invalid params)" if (part == "params") else "fail the call (malformed reply)"
    for broken in change.breaks:  # the existing writers of a narrowed schema, the existing readers of a widened one
        assert f"existing {broken}" in change.why
    if change.breaks:
        assert refusal in change.why


@pytest.mark.parametrize("old, new, why", [
    (obj({"a": INT}, ("a",)), obj({"a": INT}), "new clients may omit a: existing servers answer -32602 (invalid params)"),
    (obj({"a": INT}), obj({"a": INT}, ("a",)), "existing clients may omit a: new servers answer -32602 (invalid params)"),
    (obj({"a": INT}), obj({"a": INT, "b": STR}), "new clients may send b: existing servers answer -32602 (invalid params)"),
    (obj({"a": {"enum": ["x", "y"]}}), obj({"a": {"enum": ["x"]}}),
     'existing clients may send "y": new servers answer -32602 (invalid params)'),
])
def test_the_reason_names_the_member_or_value(tree, old, new, why) -> None:
    [change] = report_for(tree, old, new).changes
    assert change.why == why


def test_a_breaking_change_without_a_reason_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="a breaking change needs its reason: x: y"):
        Change("x", "y", frozenset({CLIENTS}))


def test_accepted_breaks_no_longer_fail_and_unused_entries_are_listed(tree) -> None:
    report = report_for(tree, obj({"a": INT}, ("a",)), obj({"a": INT}))
    assert report.exit_code == 1
    report.accept([AcceptedBreak("ping params/a", "required member became optional", "every server accepts it since 0.3"),
                   AcceptedBreak("ping params/z", "optional member removed", "gone long ago")])
    [change] = report.changes
    assert change.accepted == "every server accepts it since 0.3"
    assert report.exit_code == 0
    assert report.verdict == "Breaking changes, every one accepted in the ignore file."
    assert [a.where for a in report.unused_accepted] == ["ping params/z"]
    assert "| breaks servers (accepted) |" in report.markdown()
    assert "(accepted: every server accepts it since 0.3)" in report.markdown()
    assert "accepted break not in this diff: ping params/z: optional member removed" in report.text()


def test_an_entry_must_match_where_and_what_exactly(tree) -> None:
    report = report_for(tree, obj({"a": INT}, ("a",)), obj({"a": INT}))
    report.accept([AcceptedBreak("ping params/a", "required member became optional (sort of)", "no")])
    assert report.exit_code == 1 and not report.changes[0].accepted


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "diff", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_json_output_can_be_copied_into_the_ignore_file(tree, tmp_path: Path) -> None:
    old = tree("old", obj({"a": INT}, ("a",)), NULL)
    new = tree("new", obj({"a": INT}), NULL)
    done = run_cli(str(old), str(new), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    [change] = [c for s in data["sections"] for c in s["changes"]]
    assert change == {"where": "ping params/a", "what": "required member became optional", "breaks": ["servers"],
                      "classification": "breaks servers", "accepted": None,
                      "why": "new clients may omit a: existing servers answer -32602 (invalid params)"}
    assert data["exit_code"] == 1
    ignore = tmp_path / "accepted.json"
    ignore.write_text(json.dumps([{"where": change["where"], "what": change["what"], "reason": "tested with every server"}]))
    done = run_cli(str(old), str(new), "--ignore", str(ignore), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[0] == f"spec diff {old} -> {new}: Breaking changes, every one accepted in the ignore file."
    assert "  breaks servers (accepted): ping params/a: required member became optional" in done.stdout
    assert "      why: new clients may omit a: existing servers answer -32602 (invalid params) (accepted: tested with every server)" \
        in done.stdout


@pytest.mark.parametrize("content, message", [
    ("[", "not JSON"),
    ('{"where": "a"}', 'expected a JSON array of {"where", "what", "reason"} objects'),
    ('[{"where": "a", "what": "b"}]', "entry 1: expected exactly the members where, what, reason"),
    ('[{"where": "a", "what": "b", "reason": " "}]', "entry 1: reason must be a non-empty string"),
    ('[{"where": "a", "what": "b", "reason": "c"}, {"where": "a", "what": "b", "reason": "d"}]', "entry 2: a: b is listed twice"),
])
def test_a_broken_ignore_file_is_refused_naming_the_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "accepted.json"
    path.write_text(content)
    with pytest.raises(IgnoreFileError) as refused:
        load(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)
    done = run_cli("--revisions", "1", "2", "--ignore", str(path), cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith(f"spec diff: {path}: ")


def test_a_missing_ignore_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(IgnoreFileError) as refused:
        load(tmp_path / "absent.json")
    assert str(refused.value).startswith(f"{tmp_path / 'absent.json'}: ")
