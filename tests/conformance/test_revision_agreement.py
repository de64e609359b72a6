"""Every revision a server offers is judged, each in its own sessions, with the server_info_query that gets it."""

from __future__ import annotations

import json

import pytest

from microtvm_project_api.conformance.check import all_checks

ECHO = ("--device", "echo", "--timeout", "20", "--option", "serial_number=S1")
BOTH = (1, 2)


def info_queries(report) -> dict[int, list[dict]]:
    """The params of every server_info_query the kit sent, by the revision judged (bad params on purpose left out)."""
    out: dict[int, list[dict]] = {1: [], 2: []}
    for check in json.loads(report.read_text())["checks"]:
        for line in check["exchanges"]:
            if line.startswith("-> {") and '"method":"server_info_query"' in line and not check["id"].startswith(("jsonrpc.parse-error", "jsonrpc.params-")):
                request = json.loads(line[3:])
                if "tvm_version" in request["params"]:
                    out[check["revision"]].append(request["params"])
    return out


def test_a_server_offering_both_revisions_is_judged_in_each(tmp_path, conform, write_project) -> None:
    report = tmp_path / "report.json"
    run = conform(write_project(tmp_path / "template", BOTH), *ECHO, "--report-json", report)
    assert run.status == 0, run.out
    headers = [line for line in run.out.splitlines() if line.startswith("conformance of ")]
    assert [h.split(" (", 1)[1] for h in headers] == ["protocol revision 1; the server offers 1, 2; device echo)",
                                                      "protocol revision 2; the server offers 1, 2; device echo)"]
    data = json.loads(report.read_text())
    assert (data["revisions"], data["offered_revisions"]) == ([1, 2], [1, 2])
    assert [c["revision"] for c in data["checks"]] == [1] * len(all_checks()) + [2] * len(all_checks())
    assert {c["outcome"] for c in data["checks"]} == {"pass", "skip"}
    queries = info_queries(report)
    assert queries[1] and all("protocol_versions" not in q for q in queries[1])
    assert queries[2] and all(q["protocol_versions"] == [2] for q in queries[2])


@pytest.mark.parametrize("revision", BOTH)
def test_revision_picks_one_of_the_offered_revisions(tmp_path, conform, write_project, revision) -> None:
    report = tmp_path / "report.json"
    run = conform(write_project(tmp_path / "template", BOTH), *ECHO, "--revision", str(revision), "--report-json", report,
                  "--skip", "transport")
    assert run.status == 0, run.out
    assert [line for line in run.out.splitlines() if line.startswith("conformance of ")][0].endswith(
        f"(protocol revision {revision}; the server offers 1, 2; device echo)")
    assert {c["revision"] for c in json.loads(report.read_text())["checks"]} == {revision}


def test_a_revision_2_server_without_agreement_is_judged_with_the_plain_question(tmp_path, conform, write_project) -> None:
    report = tmp_path / "report.json"
    run = conform(write_project(tmp_path / "template", 2), *ECHO, "--report-json", report, "--skip", "transport")
    assert run.status == 0, run.out
    assert all("protocol_versions" not in q for q in info_queries(report)[2])


def test_expected_failures_name_a_check_in_every_revision_or_in_one(tmp_path, conform, write_project) -> None:
    project = write_project(tmp_path / "template", BOTH, "template_reports_empty_mlf_path")
    known = tmp_path / "known.txt"
    known.write_text("server_info.mlf-path@2\nserver_info.schema@2\n")
    quick = ("--timeout", "20", "--skip", "transport", "--skip", "template", "--skip", "jsonrpc")
    run = conform(project, *quick, "--expected-failures", known)
    assert run.status == 0, run.out
    assert run.out.count("XFAIL server_info.mlf-path") == 1 and run.out.count("PASS  server_info.mlf-path") == 1
    known.write_text("server_info.mlf-path\nserver_info.schema@2\n")
    run = conform(project, *quick, "--expected-failures", known)
    assert run.status == 1
    assert run.out.count("STALE server_info.mlf-path") == 1
    assert run.out.splitlines()[-1].endswith("(failed: server_info.mlf-path@1): exit status 1")
