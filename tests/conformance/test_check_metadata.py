"""The kit's metadata is true: every spec reference resolves, and the runner evaluates every kind of need."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from microtvm_project_api.conformance.check import Check, Need, Outcome, all_checks, inherited_ref, must
from microtvm_project_api.conformance.context import Settings
from microtvm_project_api.conformance.runner import Runner

REPO = Path(__file__).resolve().parents[2]


def refs() -> list[tuple[str, str]]:
    """(check id, one reference) for every reference a check cites: its rule's, and those of what it reports as inherited."""
    out = [(c.id, ref) for c in all_checks() for ref in c.rule.ref.split(", ")]
    return out + [(c.id, inherited_ref(key)) for c in all_checks() for key in c.inherits]


def slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("check_id, ref", refs(), ids=[f"{c}:{r}" for c, r in refs()])
def test_every_spec_reference_of_a_check_resolves(check_id: str, ref: str) -> None:
    path, _, fragment = ref.partition("#")
    if path.startswith("docs/"):
        text = (REPO / path).read_text(encoding="utf-8")
        assert not fragment or fragment in {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}, ref
        return
    node = json.loads((REPO / "schema" / path).read_text(encoding="utf-8"))
    for part in filter(None, fragment.split("/")):
        assert isinstance(node, dict) and part in node, f"{check_id}: {ref} does not resolve at {part!r}"
        node = node[part]


def test_a_reference_that_does_not_resolve_is_caught() -> None:
    with pytest.raises(AssertionError):
        test_every_spec_reference_of_a_check_resolves("example", "revisions/v1.json#/x-server-module/no-such-behaviour")
    with pytest.raises(AssertionError):
        test_every_spec_reference_of_a_check_resolves("example", "docs/overview.md#no-such-section")


def probe_checks(ran: list[Need]) -> list[Check]:
    """One check per kind of need, recording that it ran."""
    return [Check(f"probe.{need.name.lower()}", f"needs {need.value}", must("probe", "jsonrpc.json"),
                  lambda ctx, need=need: ran.append(need), needs=(need,)) for need in Need]


def judge(project: Path, **settings: object) -> tuple[dict[Need, tuple[Outcome, str]], list[Need]]:
    ran: list[Need] = []
    runner = Runner(Settings(project_dir=project, timeout=20, **settings))
    try:
        runner.start()
        results = [runner.run(check, runner.revisions[0]) for check in probe_checks(ran)]
    finally:
        runner.close()
    return {need: (r.outcome, r.message) for need, r in zip(Need, results)}, ran


def test_the_runner_evaluates_every_need_before_the_check_runs(tmp_path, write_project) -> None:
    outcomes, ran = judge(write_project(tmp_path / "library", 2, "no_transport"))
    assert ran == [Need.TEMPLATE, Need.GENERATED]
    assert outcomes[Need.ECHO] == (Outcome.SKIP, "needs an echo device: pass --device echo")
    assert outcomes[Need.TRANSPORT] == (Outcome.SKIP, "the server does not support open_transport (checked by template.unsupported-methods)")

    generated = write_project(tmp_path / "generated", 2)
    (generated / "model.tar").write_bytes(b"an archive")
    outcomes, ran = judge(generated, device="echo")
    assert ran == [Need.GENERATED, Need.ECHO, Need.TRANSPORT]
    assert outcomes[Need.TEMPLATE] == (Outcome.SKIP, "needs a template project; PROJECT_DIR is a generated project")


def test_a_need_that_an_earlier_failure_breaks_blocks_the_check(tmp_path, write_tvm_project) -> None:
    empty_crt = tmp_path / "crt"
    empty_crt.mkdir()
    outcomes, ran = judge(write_tvm_project(tmp_path / "template"), standalone_crt_dir=empty_crt)
    assert ran == [Need.TEMPLATE]
    for need in (Need.GENERATED, Need.TRANSPORT):
        outcome, message = outcomes[need]
        assert outcome is Outcome.BLOCKED
        assert message.startswith("blocked by template.generate-project: generate_project failed: calling method generate_project")


def test_each_check_declares_the_methods_whose_hang_it_reports_and_no_method_has_two_owners() -> None:
    owned = [(method, check.id) for check in all_checks() for method in check.owns]
    assert dict(owned) == {"server_info_query": "process.starts", "generate_project": "template.generate-project",
                           "build": "template.build", "flash": "template.flash"}
    assert len(owned) == len(dict(owned))
