"""Revision 1 as deployed: a platform on TVM's server module passes, its inherited behaviour reported apart, and the kit talks like TVM."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET

from microtvm_project_api.conformance.check import all_checks

ECHO = ("--device", "echo", "--timeout", "20")
INHERITED = {
    "jsonrpc.parse-error": ["stops-after-parse-error"],
    "jsonrpc.invalid-request": ["stops-after-invalid-request", "null-id-accepted", "boolean-id-accepted", "notification-served"],
    "jsonrpc.batch": ["stops-after-invalid-request"],
    "jsonrpc.unknown-method": ["class-attributes-dispatched"],
    "jsonrpc.id-echo": ["float-id-refused"],
    "jsonrpc.params-mistyped": ["param-types-unchecked"],
}
WAY_OUT = "the way out: move the server to the SDK"


def report_block(out: str, head: str) -> str:
    """The lines of the text report from `head` to the next check's line."""
    rest = out.split(head, 1)[1].splitlines()
    return "\n".join([rest[0], *itertools.takewhile(lambda line: line.startswith(" "), rest[1:])])


def requests(report, checks: tuple[str, ...] | None = None) -> list[dict]:
    """Every request the kit sent (in `checks`, or in all) that the JSON report holds whole."""
    return [json.loads(e[3:]) for c in json.loads(report.read_text())["checks"] for e in c["exchanges"]
            if e.startswith("-> {") and not e.endswith(" chars)") and (checks is None or c["id"] in checks)]


def test_a_platform_on_tvms_server_module_passes_with_its_inherited_behaviour_listed(tmp_path, conform, write_tvm_project) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    run = conform(write_tvm_project(tmp_path / "template"), *ECHO, "--junit-xml", junit, "--report-json", report)
    assert run.status == 0, run.out
    lines = run.out.splitlines()
    assert lines[0].endswith("(protocol revision 1; the server offers 1; device echo)")
    assert not [line for line in lines if line.split(" ", 1)[0] in ("FAIL", "ERROR", "WARN", "BLOCK", "STALE")], run.out
    assert sorted(line.split()[1] for line in lines if line.startswith("INHERITED ")) == sorted(INHERITED)
    for check_id, keys in INHERITED.items():
        block = report_block(run.out, f"INHERITED {check_id}")
        for key in keys:
            assert f"inherited from TVM's server module [revisions/v1.json#/x-server-module/{key}]" in block
        assert block.count(WAY_OUT) == 1
    assert "PASS  template.flash" in run.out and "PASS  transport.echo-integrity" in run.out
    assert lines[-1].endswith("6 inherited, 6 skip: exit status 0")

    checks = {c["id"]: c for c in json.loads(report.read_text())["checks"]}
    assert {i for i, c in checks.items() if c["outcome"] == "inherited"} == set(INHERITED)
    assert "stopped serving after a batch" in checks["jsonrpc.batch"]["message"]
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    batch = cases["jsonrpc.batch"]
    assert batch.find("failure") is None and batch.find("skipped") is None
    assert batch.find("properties/property").attrib == {"name": "outcome", "value": "inherited"}
    assert WAY_OUT in batch.find("system-out").text


def test_in_revision_1_the_kit_sends_every_declared_option_the_same_dict_to_every_method(tmp_path, conform, write_tvm_project) -> None:
    report = tmp_path / "report.json"
    run = conform(write_tvm_project(tmp_path / "template"), *ECHO, "--option", "verbose=true", "--report-json", report,
                  "--skip", "jsonrpc", "--skip", "process", "--skip", "server_info")
    assert run.status == 0, run.out
    sent = requests(report)
    options = {m["method"]: m["params"]["options"] for m in sent if m["method"] in ("generate_project", "build", "flash", "open_transport")}
    assert set(options) == {"generate_project", "build", "flash", "open_transport"}
    assert all(o == {"verbose": True, "project_type": "host_driven", "serial_number": None} for o in options.values()), options


def test_in_revision_2_the_kit_sends_the_users_options_only(tmp_path, conform, write_project) -> None:
    report = tmp_path / "report.json"
    run = conform(write_project(tmp_path / "template", 2), *ECHO, "--option", "serial_number=S1", "--report-json", report,
                  "--skip", "jsonrpc", "--skip", "process", "--skip", "server_info")
    assert run.status == 0, run.out
    sent = requests(report, ("template.build", "template.flash"))
    assert {json.dumps(m["params"]["options"]) for m in sent if m["method"] in ("build", "flash")} == {'{"serial_number": "S1"}'}


def test_the_kits_default_standalone_crt_has_the_shape_tvm_era_templates_copy(tmp_path, conform, write_tvm_project) -> None:
    run = conform(write_tvm_project(tmp_path / "template"), "--timeout", "20", "--skip", "jsonrpc", "--skip", "transport")
    assert run.status == 0, run.out
    assert "PASS  template.generate-project" in run.out and "PASS  template.build" in run.out


def test_asking_a_tvm_module_server_for_revision_2_fails_the_revision_check(tmp_path, conform, write_tvm_project) -> None:
    run = conform(write_tvm_project(tmp_path / "template"), "--timeout", "20", "--revision", "2")
    assert run.status == 1
    assert "the server does not offer revision 2 (asked both ways, it answers in revision 1)" in run.out
    assert [line.split()[1] for line in run.out.splitlines() if line.startswith("FAIL ")] == ["server_info.revision"]


def test_the_conform_help_says_to_pass_the_real_crt_and_mlf(conform, capsys) -> None:
    try:
        conform("--help")
    except SystemExit:
        pass
    text = " ".join(capsys.readouterr().out.split())
    assert "needs the compiler's real CRT (--standalone-crt-dir, TVM's standalone_crt) and a real Model Library Format archive" in text
    assert "INHERITED, never as failures" in text
    assert len([c for c in all_checks() if c.inherits]) == len(INHERITED)
