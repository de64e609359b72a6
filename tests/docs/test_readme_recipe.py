"""The README's "Driving a platform from Python" block, run exactly as written, as a reader runs it.

The block is taken from README.md (the first python block of that section) and run by this interpreter
in its own process from the top of the checkout, with its temporary files in the test's directory.
It generates, builds (with the system C compiler), flashes and runs the reference host platform.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTION = "## Driving a platform from Python"
RECIPE_TIMEOUT_SEC = 120


def recipe() -> str:
    """The code of the first python block under the section's heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^```python\n(.*?)^```", section, re.S | re.M)
    assert found, f"the README's {SECTION!r} section has no python block"
    return found.group(1)


@pytest.mark.timeout(RECIPE_TIMEOUT_SEC + 30)
def test_the_readme_recipe_runs_as_written_and_the_inference_matches_the_reference(tmp_path: Path) -> None:
    script = tmp_path / "recipe.py"
    script.write_text(recipe(), encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, str(script)], cwd=REPO, env={**os.environ, "TMPDIR": str(scratch)},
                          capture_output=True, text=True, timeout=RECIPE_TIMEOUT_SEC)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = re.fullmatch(r"input ([0-9a-f]{32}) -> output ([0-9a-f]{8}), equal to the Python reference; files in (\S+)\n",
                           done.stdout)
    assert printed, done.stdout + done.stderr
    assert len(set(bytes.fromhex(printed.group(1)))) > 1, "the recipe's input should exercise the model, not repeat one byte"
    work = Path(printed.group(3))
    assert work.parent == scratch
    assert (work / "project" / "build" / "firmware").is_file() and (work / "project" / "device").is_dir()
    entries = [json.loads(line) for line in (work / "session.jsonl").read_text(encoding="utf-8").splitlines()]
    requests = [json.loads(e["text"]) for e in entries if e.get("kind") == "message" and e.get("direction") == "request"]
    assert "write_transport" in [request["method"] for request in requests]  # the transcript holds the inference's frame


def test_the_recipe_is_the_whole_flow_and_checks_its_answer() -> None:
    code = recipe()
    for step in ("write_mlf_archive(", "standalone_crt_dir()", ".generate_project(", ".build(", ".flash(", ".open_transport(",
                 "infer(", ".close_transport(", "assert output == run(tensor)"):
        assert step in code, f"the README's recipe lost its step {step!r}"
