"""`make spec-review` and the line `make check` prints through `make spec-changed`, run in a real git repository.

The repository holds this checkout's Makefile and schema/ on `main`, and a branch that changes the spec;
`make spec-review` runs the installed `microtvm-project spec diff` (VENV points at this interpreter's).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
HINT = "schema/ changed against main: review the spec change with `make spec-review BASE=main`\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")


def run(where: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=60)


def git(where: Path, *args: str) -> None:
    done = run(where, "git", "-c", "user.email=review@example.org", "-c", "user.name=review", *args)
    assert done.returncode == 0, done.stderr


def make(where: Path, target: str, *settings: str) -> subprocess.CompletedProcess[str]:
    return run(where, "make", "--no-print-directory", target, f"VENV={VENV}", "STAMP=", *settings)


def add_required_build_param(where: Path) -> None:
    """A breaking change: revision 2's build params gain a required member."""
    path = where / "schema" / "methods" / "build.json"
    spec = json.loads(path.read_text())
    spec["$defs"]["BuildParamsV2"]["required"].append("extra")
    spec["$defs"]["BuildParamsV2"]["properties"]["extra"] = {"type": "string"}
    path.write_text(json.dumps(spec, indent=2))


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A git repository with the Makefile and schema/ committed on main, checked out on a branch `change`."""
    where = tmp_path / "repo"
    where.mkdir()
    shutil.copy2(REPO / "Makefile", where / "Makefile")
    shutil.copytree(REPO / "schema", where / "schema", ignore=shutil.ignore_patterns("__pycache__"))
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-qm", "spec")
    git(where, "checkout", "-qb", "change")
    return where


def test_an_unchanged_spec_is_silent_and_reviews_as_no_change(clone: Path) -> None:
    assert make(clone, "spec-changed").stdout == ""
    review = make(clone, "spec-review")
    assert review.returncode == 0, review.stderr
    assert "No change." in review.stdout


def test_a_breaking_change_on_the_branch_is_named_by_check_and_fails_the_review_with_why(clone: Path) -> None:
    add_required_build_param(clone)
    assert make(clone, "spec-changed").stdout == HINT  # uncommitted
    git(clone, "commit", "-qam", "extra build param")
    assert make(clone, "spec-changed").stdout == HINT  # committed on the branch
    review = make(clone, "spec-review")
    assert review.returncode == 2, review.stdout  # make's status when spec diff exits 1
    assert "breaks clients and servers: build params/extra: required member added" in review.stdout
    assert review.stderr.startswith("schema/ against main where this branch left it (")
    comment = make(clone, "spec-review", "ARGS=--format markdown")
    assert comment.stdout.startswith("## Spec diff: `"), comment.stdout  # stdout is the comment alone
    assert "build params/extra" in comment.stdout


def test_a_new_untracked_schema_file_is_named_and_prose_beside_the_spec_is_not(clone: Path) -> None:
    with (clone / "schema" / "README.md").open("a") as readme:
        readme.write("\nA clarification.\n")
    (clone / "schema" / "NOTES.md").write_text("notes")
    assert make(clone, "spec-changed").stdout == ""
    (clone / "schema" / "methods" / "notes.json").write_text("{}")
    assert make(clone, "spec-changed").stdout == HINT


def test_what_main_changed_since_the_branch_left_it_is_not_the_branchs_change(clone: Path) -> None:
    git(clone, "checkout", "-q", "main")
    add_required_build_param(clone)
    git(clone, "commit", "-qam", "main moves on")
    git(clone, "checkout", "-q", "change")
    assert make(clone, "spec-changed").stdout == ""
    review = make(clone, "spec-review")
    assert review.returncode == 0 and "No change." in review.stdout, review.stdout


def test_without_a_main_ref_check_is_silent_and_review_asks_for_base(clone: Path) -> None:
    git(clone, "branch", "-qm", "main", "trunk")
    add_required_build_param(clone)
    changed = make(clone, "spec-changed")
    assert (changed.returncode, changed.stdout, changed.stderr) == (0, "", "")
    review = make(clone, "spec-review")
    assert review.returncode == 2
    assert "no origin/main or main in this clone; say which revision: make spec-review BASE=REV" in review.stderr
    assert "build params/extra" in make(clone, "spec-review", "BASE=trunk").stdout


def test_outside_a_git_repository_check_is_silent(tmp_path: Path) -> None:
    where = tmp_path / "unpacked"
    where.mkdir()
    shutil.copy2(REPO / "Makefile", where / "Makefile")
    changed = make(where, "spec-changed")
    assert (changed.returncode, changed.stdout, changed.stderr) == (0, "", "")
