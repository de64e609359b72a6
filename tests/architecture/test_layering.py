"""The folders' imports keep the layering: the SDK stays small and independent, the kit independent of the SDK.

Every import in every module is read from its syntax tree, the ones inside functions too (a lazy import
is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "microtvm_project_api"

# folder -> the folders it must never import
FORBIDDEN = {
    "generated": {"protocol", "server_sdk", "client", "conformance", "spec_tools", "cli", "sample_model", "sessions"},
    "protocol": {"server_sdk", "client", "conformance", "spec_tools", "cli", "sample_model", "sessions"},
    "server_sdk": {"client", "conformance", "spec_tools", "cli", "sessions"},
    "client": {"server_sdk", "conformance", "spec_tools", "sessions"},
    "conformance": {"server_sdk"},
    # record and replay drive any server as a client does: the wire and the launch convention, never the SDK
    "sessions": {"server_sdk", "conformance", "spec_tools", "cli"},
}

# The one module of a forbidden folder a folder may import: the method table's entry types, which generated/methods.py
# instantiates (standard library only, so the generated table still starts a server without the rest of protocol/).
ALLOWED = {f"{PACKAGE}.protocol.method_table"}


def imported_folders(path: Path) -> dict[str, int]:
    """Each folder of the package a module imports, with the line of its first import (ALLOWED modules left out)."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        for name in names:
            if name in ALLOWED:
                continue
            parts = name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1:
                found.setdefault(parts[1], node.lineno)
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_a_folder_imports_only_what_its_layer_allows(folder: str) -> None:
    modules = sorted((ROOT / folder).rglob("*.py"))
    assert modules, f"{folder}/ has no modules"
    broken = [f"{path.relative_to(ROOT)}:{line} imports {PACKAGE}.{target}"
              for path in modules for target, line in imported_folders(path).items() if target in FORBIDDEN[folder]]
    assert broken == []


def test_no_module_uses_relative_imports() -> None:
    """The layering check reads absolute imports; a relative one would slip past it."""
    relative = [f"{path.relative_to(ROOT)}:{node.lineno}" for folder in FORBIDDEN for path in (ROOT / folder).rglob("*.py")
                for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom) and node.level > 0]
    assert relative == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from microtvm_project_api.client.client import ProjectApiClient\n")
    assert imported_folders(module) == {"client": 2}


def test_the_method_table_entry_types_import_only_the_models_and_the_codecs() -> None:
    """protocol/method_table.py is the one module generated/ may import: it must not pull the rest of protocol/ in."""
    tree = ast.parse((ROOT / "protocol" / "method_table.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE)}
    assert imported == {f"{PACKAGE}.generated", f"{PACKAGE}.protocol.payload"}
