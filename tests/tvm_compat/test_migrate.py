"""`microtvm-project migrate`: the TVM-era platforms of these tests, as they were written for TVM, moved by one line
each (the import line, or a copy of TVM's module replaced by the star import), judged by the kit in a child process,
reported, and still driven by TVM's shaped client afterwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tvm_era import SDK_IMPORT, SERVERS, STAR_SHIM, TVM_IMPORT, platform_source
from tvm_shaped_client import TvmShapedClient

from microtvm_project_api.cli.migrate import report, sort_report
from microtvm_project_api.cli.tvm_move import MoveRefused, plan

REPO = Path(__file__).resolve().parents[2]
TVM_MODULE_STAND_IN = REPO / "tests" / "conformance" / "servers" / "tvm_server_module.py"
"""A stand-in for TVM's server module (its wire behaviour, not its code): what a copy-style platform carried as server.py."""
SERVER = "microtvm_api_server.py"
OPTIONS = {
    "module_style_server.py": ["board=sim_a"],
    "copy_style": ["project_type=echo"],
    "undeclared_read_server.py": [],
    "empty_choices_server.py": ["board=any"],
    "float_default_server.py": [],
    "misspelt_method_server.py": ["board=b1"],
    "helpers_style_server.py": ["board=cat", "project_type=echo"],
}
DRIVEN_WITH = {name: dict(option.split("=") for option in options) for name, options in OPTIONS.items()}


def tvm_era(platform: str, directory: Path) -> Path:
    """The platform as it was written for TVM, in `directory`: importing TVM's module, or carrying a copy of it."""
    if platform == "copy_style":
        shutil.copytree(SERVERS / platform, directory, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(TVM_MODULE_STAND_IN, directory / "server.py")
    else:
        directory.mkdir()
        (directory / SERVER).write_text(platform_source(platform))
    return directory


def migrate(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli", "migrate", *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def changed_lines(before: dict[str, str], directory: Path) -> dict[str, tuple[str, str]]:
    """file -> (before, after) of each file whose text changed."""
    after = {p.name: p.read_text() for p in directory.iterdir() if p.is_file()}
    return {name: (before[name], after[name]) for name in before if before[name] != after.get(name)}


def drive(directory: Path, options: dict[str, str], mlf: Path, tmp_path: Path) -> None:
    """TVM's shaped client through generate_project, build and flash of the moved platform (stderr kept quiet)."""
    project = tmp_path / "generated"
    with open(tmp_path / "server-stderr.txt", "w") as log:
        with TvmShapedClient(directory, options, stderr=log) as client:
            client.generate_project(mlf, tmp_path / "crt", project)
        with TvmShapedClient(project, options, stderr=log) as client:
            client.build()
            client.flash()
    assert client.process.returncode == 0


CLEAN = ["  revisions offered: 1, 2", "  declaration problems: none", "  options read where not declared: none",
         "  the server's own defects: none"]
REVISION_1_ONLY = "  revisions offered: 1 (revision 2 is offered once the declaration problems are fixed)"
NOT_JUDGED = "  options read where not declared: not judged (found in revision 2, which is not offered)"
SCHEMA_BROKEN = "    the server_info_query result breaks its schema types.json#/$defs/ServerInfoV1: "
REPORTS = {
    "module_style_server.py": (0, CLEAN),
    "copy_style": (0, CLEAN),
    "undeclared_read_server.py": (1, ["  revisions offered: 1, 2", "  declaration problems: none",
                                      "  options read where not declared: 1",
                                      "    build reads 'serial_number', not declared for build: add 'build' to its required "
                                      "or optional list (revision 2)", "  the server's own defects: none"]),
    "empty_choices_server.py": (1, [REVISION_1_ONLY, "  declaration problems: 1",
                                    f"{SCHEMA_BROKEN}/project_options/0/choices: [] should be non-empty (minItems)",
                                    NOT_JUDGED, "  the server's own defects: none"]),
    "float_default_server.py": (1, [REVISION_1_ONLY, "  declaration problems: 1",
                                    f"{SCHEMA_BROKEN}/project_options/0/default: 1.5 is not of type 'integer', 'null' (type)",
                                    NOT_JUDGED, "  the server's own defects: none"]),
    "misspelt_method_server.py": (1, [REVISION_1_ONLY, "  declaration problems: 1",
                                      f"{SCHEMA_BROKEN}/project_options/0/optional/0: 'biuld' is not one of "
                                      "['generate_project', 'build', 'flash', 'open_transport'] (enum)",
                                      NOT_JUDGED, "  the server's own defects: none"]),
}
"""The exit status of migrate and its report (less the kit's totals line) for each platform."""


@pytest.mark.parametrize("platform", sorted(REPORTS))
def test_migrate_moves_by_one_line_judges_and_reports(platform: str, mlf: Path, tmp_path: Path) -> None:
    directory = tvm_era(platform, tmp_path / "platform")
    before = {p.name: p.read_text() for p in directory.iterdir() if p.is_file()}
    options = [f"--option={option}" for option in OPTIONS[platform]]
    dry = migrate(directory, "--dry-run", *options)
    assert dry.returncode == 0 and changed_lines(before, directory) == {}
    moved = migrate(directory, *options)
    status, report = REPORTS[platform]
    assert moved.returncode == status, moved.stdout + moved.stderr
    changed = changed_lines(before, directory)
    if platform == "copy_style":
        assert changed == {"server.py": (TVM_MODULE_STAND_IN.read_text(), STAR_SHIM)}
        assert dry.stdout.startswith("--- a/server.py\n+++ b/server.py\n")
    else:
        assert list(changed) == [SERVER]
        old, new = changed[SERVER]
        assert new == old.replace(TVM_IMPORT, SDK_IMPORT) and old.count(TVM_IMPORT) == 1
        assert [line for line in dry.stdout.splitlines() if line[:1] in "+-"] == [
            f"--- a/{SERVER}", f"+++ b/{SERVER}", f"-{TVM_IMPORT.strip()}", f"+{SDK_IMPORT.strip()}"]
    lines = moved.stdout.splitlines()
    shown = lines[lines.index("migration report") + 1:]
    assert shown[:-1] == report and shown[-1].startswith("  kit: "), moved.stdout
    drive(directory, DRIVEN_WITH[platform], mlf, tmp_path)


def test_the_helpers_style_platform_moves_by_its_import_line_and_tvms_client_drives_it(mlf: Path, tmp_path: Path) -> None:
    directory = tvm_era("helpers_style_server.py", tmp_path / "platform")
    move = plan(directory)
    assert move.after == move.before.replace(TVM_IMPORT, SDK_IMPORT) != move.before
    move.write()
    assert plan(directory).after == plan(directory).before, "a moved platform has nothing left to move"
    drive(directory, DRIVEN_WITH["helpers_style_server.py"], mlf, tmp_path)


@pytest.mark.parametrize("line, moved", [
    ("from tvm.micro.project_api import server\n", "from microtvm_project_api.server_sdk import tvm_compat as server\n"),
    ("from tvm.micro.project_api import server as api  # TVM's\n",
     "from microtvm_project_api.server_sdk import tvm_compat as api  # TVM's\n"),
    ("    from tvm.micro.project_api import server\n", "    from microtvm_project_api.server_sdk import tvm_compat as server\n"),
    ("import tvm.micro.project_api.server as server\r\n", "from microtvm_project_api.server_sdk import tvm_compat as server\r\n"),
    ("from tvm.micro.project_api.server import ProjectOption, main\n",
     "from microtvm_project_api.server_sdk.tvm_compat import ProjectOption, main\n"),
    ("from tvm.micro.project_api.server import *\n", "from microtvm_project_api.server_sdk.tvm_compat import *\n"),
])
def test_each_form_of_the_import_line_is_moved_and_nothing_else(line: str, moved: str, tmp_path: Path) -> None:
    source = f"import os\n{line}x = 'from tvm.micro.project_api import server'\n"
    (tmp_path / SERVER).write_bytes(source.encode())
    move = plan(tmp_path)
    assert move.after == source.replace(line, moved, 1)


@pytest.mark.parametrize("line", [
    "from tvm.micro import project_api",
    "import tvm.micro.project_api.server",
    "from tvm.micro.project_api import server, client",
    "from tvm.micro.project_api.client import ProjectAPIClient",
])
def test_a_line_it_cannot_move_is_refused_naming_it_and_nothing_changes(line: str, tmp_path: Path) -> None:
    source = f"import os\n\n{line}\nfrom tvm.micro.project_api import server\n"
    (tmp_path / SERVER).write_text(source)
    refused = migrate(tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith(f"microtvm-project migrate: not moved: {tmp_path / SERVER}:3: cannot move this line "
                                     f"by one line: {line}\n")
    assert (tmp_path / SERVER).read_text() == source


def test_a_server_py_that_is_not_a_copy_of_tvms_module_is_refused(tmp_path: Path) -> None:
    (tmp_path / SERVER).write_text("import server\n")
    (tmp_path / "server.py").write_text("def main(handler):\n    pass\n")
    with pytest.raises(MoveRefused, match=r":1: import server: .*server.py is not a copy of TVM's server module "
                                          r"\(it has no class ProjectAPIHandler\)$"):
        plan(tmp_path)
    (tmp_path / SERVER).write_text("import json\n")
    with pytest.raises(MoveRefused, match="no line imports TVM's server module"):
        plan(tmp_path)


def test_the_report_sorts_the_kits_findings_each_once() -> None:
    read = ("build read option 'board', which is not declared for build (only for flash): add 'build' to the required "
            "or optional list of ProjectOption 'board'")
    found = {"offered_revisions": [1, 2], "checks": [
        {"id": "server_info.schema", "revision": 1, "outcome": "fail",
         "message": "sent {...}\n  got  {...}\n  the result breaks its schema: /project_options/0/choices: [] should be non-empty"},
        {"id": "server_info.option-metadata", "revision": 1, "outcome": "fail",
         "message": "/project_options/0/choices: choices name at least one value\n/project_options/1/default: 'x' is not a int value"},
        {"id": "template.generated-server-starts", "revision": 1, "outcome": "fail",
         "message": "sent {...}\n  the result breaks its schema: /project_options/0/choices: [] should be non-empty"},
        {"id": "template.build", "revision": 2, "outcome": "fail", "message": f"build failed: sent {{...}}\n  got  {read}"},
        {"id": "template.flash", "revision": 2, "outcome": "blocked", "message": read},
        {"id": "jsonrpc.parse-error", "revision": 1, "outcome": "fail", "message": "no reply: sent {...}\n  stderr: boom"},
        {"id": "jsonrpc.id-null", "revision": 1, "outcome": "inherited", "message": "served"},
        {"id": "server_info.mlf-path", "revision": 2, "outcome": "pass", "message": ""},
    ]}
    judged = sort_report(found, 1)
    assert judged.declaration_problems == ["the result breaks its schema: /project_options/0/choices: [] should be non-empty",
                                           "/project_options/1/default: 'x' is not a int value"]
    assert judged.undeclared_reads == {("build", "board"): 2}
    assert judged.defects == ["revision 1: jsonrpc.parse-error: no reply:"]
    assert judged.inherited == 1
    assert judged.not_judged == []


def test_the_report_names_the_options_the_kit_could_not_judge_without(capsys: pytest.CaptureFixture[str]) -> None:
    """migrate runs the kit with --allow-partial: a required option left unset is named with the flag to pass, not
    counted as the server's defect."""
    found = {"offered_revisions": [1, 2], "checks": [], "not_judged": [{"option": "board", "methods": ["build"], "checks": ["template.build@2"]}]}
    judged = sort_report(found, 0)
    assert judged.not_judged == ["board"]
    assert report(judged) == 0
    assert "  not judged: checks needing board did not run; pass --option board=VALUE to judge them\n" in capsys.readouterr().out
