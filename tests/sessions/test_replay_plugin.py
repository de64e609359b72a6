"""The replay plugin, as a platform's CI runs it: `pytest --microtvm-replay DIR FOLDER`, one item per transcript."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from golden_sessions import GOLDEN, inputs


def run_pytest(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    where.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=where,
                          capture_output=True, text=True, timeout=180)


def counts(output: str) -> dict[str, int]:
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", output.strip().splitlines()[-1])}


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    assert "microtvm_project_api.sessions.pytest_plugin" in {e.value for e in entry_points(group="pytest11")}


def test_a_folder_of_transcripts_is_one_item_each_and_a_divergence_fails_its_item(platform_copy, tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    folder.mkdir()
    shutil.copy(GOLDEN / "loopback" / "tvm_shaped_client.jsonl", folder / "whole.jsonl")
    lines = (folder / "whole.jsonl").read_text().splitlines(keepends=True)
    (folder / "first_launch.jsonl").write_text("".join(lines[:7]))  # the template's session only
    mlf, crt = inputs("loopback", tmp_path)
    options = ["--microtvm-replay-mlf", str(mlf), "--microtvm-replay-crt", str(crt), str(folder)]
    done = run_pytest(tmp_path / "ci", "--microtvm-replay", str(platform_copy("loopback")), *options)
    assert (done.returncode, counts(done.stdout)) == (0, {"passed": 2}), done.stdout
    broken = platform_copy("loopback")
    server = broken / "microtvm_api_server.py"
    server.write_text(server.read_text().replace('default="release"', 'default="debug"'))
    failed = run_pytest(tmp_path / "ci", "--microtvm-replay", str(broken), *options, "-k", "whole")
    assert (failed.returncode, counts(failed.stdout)) == (1, {"failed": 1, "deselected": 1}), failed.stdout
    assert ("request 1 (server_info_query): the reply diverges at /result/project_options/1/default: "
            '"debug", recorded "release"') in failed.stdout


def test_without_the_option_transcripts_are_not_collected(tmp_path: Path) -> None:
    folder = tmp_path / "ci"
    folder.mkdir()
    shutil.copy(GOLDEN / "loopback" / "tvm_shaped_client.jsonl", folder / "s.jsonl")
    (folder / "test_own.py").write_text("def test_own():\n    pass\n")
    done = run_pytest(folder)
    assert counts(done.stdout) == {"passed": 1}, done.stdout
