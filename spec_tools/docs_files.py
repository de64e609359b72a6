"""The generated files under docs/ (reference pages, OpenRPC documents): write them, or diff them against the spec.

`make docs` writes; `make check` runs the check, which prints a unified diff and fails when a
committed file no longer matches what the schema produces.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.spec_tools.openrpc import build_document
from microtvm_project_api.spec_tools.reference_docs import render_revision

GENERATED_FOLDERS = ("reference", "openrpc")


def expected_files(registry: SchemaRegistry) -> dict[str, str]:
    """Relative path under docs/ to the text it must hold, for every generated file."""
    files = {}
    for version in sorted(registry.revisions):
        files[f"reference/v{version}.md"] = render_revision(registry, version)
        files[f"openrpc/v{version}.json"] = json.dumps(build_document(registry, version), indent=2, ensure_ascii=False) + "\n"
    return files


def write(docs_dir: Path, registry: SchemaRegistry) -> list[str]:
    """Write every generated file and delete generated-folder files the spec no longer produces; the paths written."""
    files = expected_files(registry)
    for relative in _unexpected(docs_dir, files):
        (docs_dir / relative).unlink()
    for relative, text in files.items():
        path = docs_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


def stale_diff(docs_dir: Path, registry: SchemaRegistry) -> str:
    """A unified diff from the committed files to the generated ones; empty when docs/ is current."""
    chunks = []
    files = expected_files(registry)
    for relative in _unexpected(docs_dir, files):
        chunks.append(f"docs/{relative}: not produced by the spec any more\n")
    for relative, text in files.items():
        path = docs_dir / relative
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            chunks.extend(difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True),
                                               f"docs/{relative} (committed)", f"docs/{relative} (from schema/)"))
    return "".join(chunks)


def _unexpected(docs_dir: Path, files: dict[str, str]) -> list[str]:
    found = []
    for folder in GENERATED_FOLDERS:
        if (docs_dir / folder).is_dir():
            found += [f"{folder}/{p.name}" for p in sorted((docs_dir / folder).iterdir()) if p.is_file()]
    return [relative for relative in found if relative not in files]
