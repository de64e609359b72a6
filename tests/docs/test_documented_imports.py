"""Every name the docs show can be imported from where they show it.

Read from README.md, examples/*/README.md and docs/*.md: the imports of the fenced python blocks (parsed
with ast), `from microtvm_project_api... import ...` lines anywhere else (a diff block, inline code), and
every dotted `microtvm_project_api.a.b.Name`. Inline code of the short form `server_sdk.project.helper` (a
folder of the package, then one of its modules) is checked too; a short form whose second part is not a
module (`client.call`, a method on a client instance) is prose about an object, not a path, and is left alone.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", *REPO.glob("examples/*/README.md"), *REPO.glob("docs/*.md")])
PACKAGE = "microtvm_project_api"
FOLDERS = ("server_sdk", "protocol", "client", "conformance", "spec_tools", "sample_model", "generated", "schema", "cli")

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")
FROM_IMPORT = re.compile(rf"\bfrom\s+({PACKAGE}(?:\.\w+)*)\s+import\s+([\w*][\w\s,*]*)")
DOTTED = re.compile(rf"\b{PACKAGE}(?:\.\w+)+")
SHORT = re.compile(rf"(?<![\w./]){'|'.join(FOLDERS).join('()')}((?:\.\w+)+)")


def documented_names(text: str) -> set[str]:
    """Each documented name as `module:attribute` (an import) or a dotted path."""
    found: set[str] = set()
    rest = text
    for language, block in FENCE.findall(text):
        if language == "python":
            try:
                tree = ast.parse(block)
            except SyntaxError:
                continue
            rest = rest.replace(block, "")
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PACKAGE:
                    found.update(f"{node.module}:{alias.name}" for alias in node.names)
                elif isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE)
    for module, names in FROM_IMPORT.findall(rest):
        found.update(f"{module}:{name.split(' as ')[0].strip()}" for name in names.split(",") if name.strip())
    found.update(DOTTED.findall(text))
    for code in INLINE.findall(text):
        for folder, tail in SHORT.findall(code):
            parts = tail.strip(".").split(".")
            if _is_module(f"{PACKAGE}.{folder}.{parts[0]}"):
                found.add(".".join([PACKAGE, folder, *parts]))
    return found


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def resolve(name: str) -> object:
    """The object `name` refers to, importing as the docs show it; ImportError or AttributeError when it is not there."""
    if ":" in name:
        module, attribute = name.split(":")
        imported = importlib.import_module(module)
        return imported if attribute == "*" else getattr(imported, attribute)
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            value = getattr(value, attribute)
        return value
    raise ImportError(name)


CASES = sorted((doc.relative_to(REPO).as_posix(), name) for doc in DOCS for name in documented_names(doc.read_text(encoding="utf-8")))


@pytest.mark.parametrize(("doc", "name"), CASES)
def test_a_documented_name_imports_from_where_the_docs_show_it(doc: str, name: str) -> None:
    try:
        resolve(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{doc} shows {name.replace(':', ' import ')}, which does not import: {exc}")


def test_the_docs_show_the_transports_and_the_collector_finds_them() -> None:
    names = {name for doc, name in CASES}
    transports = f"{PACKAGE}.server_sdk.transports"
    assert {f"{transports}:{cls}" for cls in ("FdTransport", "SerialTransport", "SubprocessTransport", "Transport")} <= names
    assert f"{PACKAGE}.server_sdk.project.generate_from_template" in names
    assert len(CASES) > 20


def test_the_collector_sees_each_form_and_a_wrong_name_fails() -> None:
    text = (f"```python\nfrom {PACKAGE}.client import (\n    ProjectApiClient,\n    Nope,\n)\n```\n"
            f"```diff\n+from {PACKAGE}.server_sdk import tvm_compat as server\n```\n"
            f"Call `{PACKAGE}.sample_model.frames.infer`, `server_sdk.mlf.extract(archive, target)` and `client.call(m, p)`.\n")
    names = documented_names(text)
    assert names == {f"{PACKAGE}.client", f"{PACKAGE}.server_sdk", f"{PACKAGE}.client:ProjectApiClient", f"{PACKAGE}.client:Nope", f"{PACKAGE}.server_sdk:tvm_compat",
                     f"{PACKAGE}.sample_model.frames.infer", f"{PACKAGE}.server_sdk.mlf.extract"}
    with pytest.raises(AttributeError):
        resolve(f"{PACKAGE}.client:Nope")
    assert isinstance(resolve(f"{PACKAGE}.server_sdk:tvm_compat"), ModuleType)
