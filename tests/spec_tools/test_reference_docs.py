"""The generated reference pages: committed and current, deterministic, complete, and `spec docs --check` catches drift."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from microtvm_project_api.protocol.registry import SchemaRegistry, default_registry
from microtvm_project_api.spec_tools import docs_files
from microtvm_project_api.spec_tools.reference_docs import render_revision

ROOT = Path(__file__).resolve().parents[2]


def spec_docs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "docs", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_committed_docs_are_current() -> None:
    assert docs_files.stale_diff(ROOT / "docs", default_registry()) == "", "run `make docs` and commit docs/"


def test_rendering_is_deterministic() -> None:
    fresh = SchemaRegistry.from_directory(ROOT / "schema")
    assert render_revision(fresh, 2) == render_revision(default_registry(), 2)


def test_every_method_has_its_tables_errors_and_examples() -> None:
    registry = default_registry()
    for version, revision in registry.revisions.items():
        page = render_revision(registry, version)
        for name, method in revision.methods.items():
            section = page.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
            assert registry.description(method) in section
            assert f"**Params** (`{method.params_model_name}`)" in section
            assert f"**Result** (`{method.result_model_name}`)" in section
            for error in method.errors + revision.common_errors + revision.common_server_errors:
                assert f"| {error} |" in section
            assert "**Examples: valid params**" in section
        assert f"| transport payload encoding | {revision.codec.name} |" in page
        for heading in ("## Error catalogue", "## Option metadata rules", "## Shared types", "## Envelope (JSON-RPC 2.0)"):
            assert heading in page


def test_params_rows_and_invalid_example_pointers() -> None:
    page = render_revision(default_registry(), 2)
    assert "| `n` | integer | >= 1 | yes | The most bytes to return. |" in page
    assert "| `timeout_sec` | [TimeoutSec](#type-timeoutsec) (number \\| null) | >= 0 | yes |" in page
    assert "- n = 0 (fails at `/n`):" in page
    assert "1. at least one of required and optional is a non-empty list of methods" in page
    v1 = render_revision(default_registry(), 1)
    assert "`WriteTransportParamsV1`" in v1 and "WriteTransportParamsV2" not in v1
    assert "base85 bytes" in v1 and "- base64 bytes:" not in v1


def test_check_fails_with_a_diff_when_the_schema_changed(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    assert spec_docs("--check", "--schema", str(schema), "--docs-dir", str(docs), cwd=tmp_path).returncode == 0
    build = schema / "methods" / "build.json"
    document = json.loads(build.read_text())
    document["description"] = "Builds the project, faster."
    build.write_text(json.dumps(document))
    stale = spec_docs("--check", "--schema", str(schema), "--docs-dir", str(docs), cwd=tmp_path)
    assert stale.returncode == 1
    assert "+Builds the project, faster." in stale.stdout
    assert "--- docs/reference/v2.md (committed)" in stale.stdout
    assert "docs/ is stale: run `make docs` and commit the result." in stale.stderr
    (docs / "reference" / "v9.md").write_text("old revision\n")
    written = spec_docs("--schema", str(schema), "--docs-dir", str(docs), cwd=tmp_path)
    assert written.returncode == 0 and not (docs / "reference" / "v9.md").exists()
    assert spec_docs("--check", "--schema", str(schema), "--docs-dir", str(docs), cwd=tmp_path).returncode == 0
    assert (docs / "overview.md").read_text() == (ROOT / "docs" / "overview.md").read_text()


def test_overview_links_point_at_existing_anchors() -> None:
    overview = (ROOT / "docs" / "overview.md").read_text()
    pages = {name: (ROOT / "docs" / "reference" / name).read_text() for name in ("v1.md", "v2.md")}
    links = [part.split(")", 1)[0] for part in overview.split("](reference/")[1:]]
    assert links
    for link in links:
        page, _, anchor = link.partition("#")
        assert page in pages
        if anchor:
            assert f'<a id="{anchor}"></a>' in pages[page], link
