"""tools/check_schema.py and `make check`: a schema error is reported first, as itself, with file and JSON pointer."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = "schema/methods/build.json"


def _load_tool():
    spec = importlib.util.spec_from_file_location("check_schema", ROOT / "tools" / "check_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_schema = _load_tool()


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    """A copy of schema/ to break."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    return tmp_path / "schema"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def test_the_spec_has_no_error() -> None:
    assert check_schema.schema_errors(ROOT / "schema") == []


def test_a_typo_in_a_keyword_value_is_one_line_with_file_and_pointer(schema: Path) -> None:
    edit(schema / "methods" / "build.json", '"type": "null"', '"type": "nul"')
    [line] = check_schema.schema_errors(schema)
    assert line.startswith(f"{BUILD}: /$defs/BuildResult/type: 'nul' is not valid")


def test_json_syntax_error_names_file_line_and_column(schema: Path) -> None:
    edit(schema / "methods" / "build.json", '"x-errors": [],', '"x-errors": [],,')
    [line] = check_schema.schema_errors(schema)
    assert line.startswith(f"{BUILD}:6:18: not JSON: ")


def test_a_broken_example_file_is_a_json_error_too(schema: Path) -> None:
    example = schema / "examples" / "build.json"
    example.write_text("{" + example.read_text())
    [line] = check_schema.schema_errors(schema)
    assert line.startswith("schema/examples/build.json:1:2: not JSON: ")


@pytest.mark.parametrize("ref, problem", [
    ("../types.json#/$defs/OptoinsV2", "names nothing: no 'OptoinsV2' in schema/types.json"),
    ("../typse.json#/$defs/OptionsV2", "names no schema file"),
])
def test_a_ref_that_names_nothing_is_reported_where_it_is(schema: Path, ref: str, problem: str) -> None:
    edit(schema / "methods" / "build.json", '"$ref": "../types.json#/$defs/OptionsV2"', f'"$ref": "{ref}"')
    assert check_schema.schema_errors(schema) == [f"{BUILD}: /$defs/BuildParamsV2/properties/options/$ref: $ref {ref!r} {problem}"]


def test_wrong_dialect_and_id_are_reported(schema: Path) -> None:
    edit(schema / "methods" / "build.json", "draft/2020-12/schema", "draft-07/schema#")
    edit(schema / "methods" / "build.json", "schema/methods/build.json", "schema/methods/flash.json")
    assert check_schema.schema_errors(schema) == [
        f"{BUILD}: /$schema: must be 'https://json-schema.org/draft/2020-12/schema'",
        f"{BUILD}: /$id: must end with /{BUILD}",
    ]


def test_make_check_shows_the_typo_in_its_first_ten_lines(tmp_path: Path) -> None:
    """`make check` on a copy whose schema has one typo: the typo's file and pointer come first, nothing derived runs."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("schema", "tools", "generated", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    edit(tmp_path / "schema" / "methods" / "build.json", '"type": "null"', '"type": "nul"')
    venv = Path(sys.prefix)
    done = subprocess.run(["make", "--no-print-directory", "-o", str(venv / ".installed"), "check", f"VENV={venv}"],
                          cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert done.returncode != 0
    first = done.stdout.splitlines()[:10]
    assert any(line.startswith(f"{BUILD}: /$defs/BuildResult/type: ") for line in first), done.stdout
    assert "stale" not in done.stdout
