"""The pytest plugin, as a platform's CI runs it: `pytest --microtvm-project DIR`, one item per check."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from microtvm_project_api.conformance.check import all_checks


def run_pytest(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in its own process, in a directory holding no tests of ours: only the plugin's items run."""
    where.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", *args], cwd=where,
                          capture_output=True, text=True, timeout=180)


def counts(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}


def collected(output: str) -> str:
    """pytest's collection line: `collected N items` with what -k deselected."""
    found = re.search(r"^(?:collecting \.\.\. )?(collected \d+ items?.*)$", output, re.M)
    assert found, output
    return found.group(1).strip()


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    names = {e.value for e in entry_points(group="pytest11")}
    assert "microtvm_project_api.conformance.pytest_plugin" in names


def test_a_correct_server_gives_one_passing_or_skipped_item_per_check(tmp_path, write_project) -> None:
    project = write_project(tmp_path / "template")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-device", "echo",
                      "--microtvm-option", "serial_number=S1", "--microtvm-timeout", "20")
    assert done.returncode == 0, done.stdout
    assert collected(done.stdout) == f"collected {len(all_checks())} items", done.stdout
    found = counts(done.stdout)
    assert found.get("passed", 0) + found.get("skipped", 0) == len(all_checks()), done.stdout


def test_collect_only_lists_one_item_per_check_and_runs_none(tmp_path, write_project) -> None:
    project = write_project(tmp_path / "template")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-timeout", "20", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout
    listed = [line for line in done.stdout.splitlines() if line.startswith("microtvm-conformance::")]
    assert listed == [f"microtvm-conformance::{check.id}[v2]" for check in all_checks()], done.stdout
    assert f"{len(all_checks())} tests collected" in done.stdout


def test_a_broken_server_fails_the_item_of_its_check_with_the_rule_and_k_selects(tmp_path, write_project) -> None:
    project = write_project(tmp_path / "template", 2, "platform_name_not_slug")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-timeout", "20", "-k", "slug or batch")
    assert done.returncode == 1, done.stdout
    assert collected(done.stdout) == f"collected {len(all_checks())} items / {len(all_checks()) - 2} deselected / 2 selected"
    assert counts(done.stdout) == {"failed": 1, "passed": 1, "deselected": len(all_checks()) - 2}, done.stdout
    assert "FAIL  server_info.platform-slug" in done.stdout
    assert "rule: MUST: platform_name matches ^[a-z0-9][a-z0-9_-]*$ [types.json#/$defs/PlatformName]" in done.stdout


def test_a_project_without_a_server_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(tmp_path / "empty"))
    assert done.returncode != 0
    assert "no microtvm_api_server.py" in done.stdout + done.stderr


def test_without_the_option_the_plugin_adds_nothing(tmp_path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "test_own.py").write_text("def test_own():\n    pass\n")
    done = run_pytest(tmp_path / "ci")
    assert collected(done.stdout) == "collected 1 item", done.stdout
    assert counts(done.stdout) == {"passed": 1}, done.stdout


def test_the_checks_run_beside_the_platforms_own_tests(tmp_path, write_project) -> None:
    project = write_project(tmp_path / "template")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "test_own.py").write_text("def test_own():\n    pass\n")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-timeout", "20", "-k", "test_own or batch")
    assert done.returncode == 0, done.stdout
    assert collected(done.stdout) == f"collected {len(all_checks()) + 1} items / {len(all_checks()) - 1} deselected / 2 selected"
    assert counts(done.stdout) == {"passed": 2, "deselected": len(all_checks()) - 1}, done.stdout


def test_every_offered_revision_gets_its_own_items(tmp_path, write_project) -> None:
    project = write_project(tmp_path / "template", (1, 2))
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-timeout", "20", "-k", "batch", "-v")
    assert done.returncode == 0, done.stdout
    assert "microtvm-conformance::jsonrpc.batch[v1] PASSED" in done.stdout
    assert "microtvm-conformance::jsonrpc.batch[v2] PASSED" in done.stdout
    assert collected(done.stdout) == f"collected {2 * len(all_checks())} items / {2 * len(all_checks()) - 2} deselected / 2 selected"
    assert counts(done.stdout) == {"passed": 2, "deselected": 2 * len(all_checks()) - 2}, done.stdout


def test_an_inherited_finding_passes_with_a_warning_and_a_blocked_check_is_skipped(tmp_path, write_tvm_project) -> None:
    project = write_tvm_project(tmp_path / "template")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(project), "--microtvm-timeout", "20", "-k", "batch")
    assert done.returncode == 0, done.stdout
    assert "jsonrpc.batch (revision 1, inherited): inherited from TVM's server module" in done.stdout
    crashed = write_tvm_project(tmp_path / "crashed", "crashes_on_start")
    done = run_pytest(tmp_path / "ci", "--microtvm-project", str(crashed), "--microtvm-timeout", "20", "-k", "starts or batch")
    assert done.returncode == 1, done.stdout
    assert (counts(done.stdout)["failed"], counts(done.stdout)["skipped"]) == (1, 2), done.stdout  # generated-server-starts too
    assert "blocked by process.starts: the server does not start" in done.stdout
