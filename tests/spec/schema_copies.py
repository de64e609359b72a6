"""Copies of schema/ (or of the whole package) to change in a test, and the generators of tools/ run on them."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
PACKAGE_FOLDERS = ("schema", "generated", "protocol", "server_sdk", "client", "conformance", "sample_model", "spec_tools", "docs")


def tool(name: str) -> ModuleType:
    """tools/<name>.py as a module, imported with tools/ on sys.path as when it runs as a script."""
    sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(TOOLS))


def copy_schema(target: Path) -> Path:
    """A copy of schema/ in `target`; the copy's folder."""
    return Path(shutil.copytree(ROOT / "schema", target / "schema", ignore=shutil.ignore_patterns("__pycache__")))


def copy_package(target: Path) -> Path:
    """The package's folders as installed (target/microtvm_project_api/<folder>) plus tools/; the copy's root.
    PYTHONPATH=target makes a subprocess import the copy."""
    package = target / "microtvm_project_api"
    for folder in (*PACKAGE_FOLDERS, "tools"):
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "__init__.py").write_text("")
    return package


def put(schema_dir: Path, file: str, pointer: str, value: Any) -> None:
    """Set the member at the JSON `pointer` of `file` (relative to the schema folder) to `value`; its parent must exist."""
    path = schema_dir / file
    document = json.loads(path.read_text())
    *parents, last = pointer.lstrip("/").split("/")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    path.write_text(json.dumps(document, indent=2) + "\n")


def compiled(schema_dir: Path) -> ModuleType:
    """The validators generated from `schema_dir`, loaded as a module (never written to generated/)."""
    text = tool("generate_validators").render(schema_dir)
    module = ModuleType("copied_validators")
    exec(compile(text, str(schema_dir.parent / "validators.py"), "exec"), module.__dict__)
    return module


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: to show a folder was left byte for byte as it was."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
