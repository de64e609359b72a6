"""`make generate`: every file of generated/ from schema/, all or nothing.

In order: meta-validate schema/ (tools/check_schema.py), refuse keywords the compiled validators would not
enforce (tools/generate_validators.py `unsupported`), then render every generated file in memory (GENERATORS):
models and method table, compiled validators, handler base classes and client wrappers, and the reference docs
under docs/ (`make docs` alone also deletes pages of a revision removed).
Any problem is printed one line each, `FILE: POINTER: MESSAGE`, and nothing is written; only when every file
rendered is each written, through a temporary file renamed over it, and only if its text changed. `--check`
compares instead of writing: a unified diff and exit status 1 when a file is stale.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

import generate_models
import generate_stubs
import generate_validators
from check_schema import SchemaProblems, schema_errors

from microtvm_project_api.protocol.registry import SchemaRegistry

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
COMMAND = "make generate"

Generator = Callable[[Path], dict[Path, str]]
"""Renders some files of generated/ from a schema folder, in memory: their text by path. It raises SchemaProblems
(one `FILE: POINTER: MESSAGE` line each) for a schema it cannot derive its files from, and writes nothing itself."""



def render_docs(schema_dir: Path) -> dict[Path, str]:
    """docs/reference/vN.md and docs/openrpc/vN.json (spec_tools/docs_files.py), which `make check` holds to the schema."""
    from microtvm_project_api.spec_tools.docs_files import expected_files

    return {ROOT / "docs" / relative: text for relative, text in expected_files(SchemaRegistry.from_directory(schema_dir)).items()}


GENERATORS: tuple[Generator, ...] = (
    generate_models.render_all,
    generate_validators.render_all,
    generate_stubs.outputs,
    render_docs,
)


def render(schema_dir: Path = SCHEMA_DIR) -> dict[Path, str]:
    """Every generated file's text by path; SchemaProblems for the first step that finds any (nothing rendered after)."""
    problems = schema_errors(schema_dir)
    if problems:
        raise SchemaProblems(problems)
    problems = generate_validators.unsupported(schema_dir)
    if problems:
        raise SchemaProblems(problems)
    outputs: dict[Path, str] = {}
    for generator in GENERATORS:
        outputs.update(generator(schema_dir))
    return outputs


def write(outputs: dict[Path, str]) -> list[Path]:
    """Write each file whose text changed, each replaced whole (a reader never sees half a file); the files written."""
    written = []
    for path, text in outputs.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        written.append(path)
    return written


def stale(outputs: dict[Path, str]) -> list[Path]:
    """The files whose committed text differs from `outputs`, each shown as a unified diff on stdout."""
    found = []
    for path, text in outputs.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            name = path.relative_to(ROOT).as_posix()
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True), f"{name} (committed)", f"{name} (from schema/)"))
            found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if any generated file is stale; write nothing")
    args = parser.parse_args()
    try:
        outputs = render()
    except SchemaProblems as exc:
        print(exc, file=sys.stderr)
        print(f"\n{COMMAND}: {len(exc.lines)} problem{'s' if len(exc.lines) != 1 else ''} in schema/; nothing was written.", file=sys.stderr)
        return 1
    if args.check:
        found = stale(outputs)
        for path in found:
            print(f"{path.relative_to(ROOT).as_posix()} is stale: run `{COMMAND}` and commit the result.", file=sys.stderr)
        return 1 if found else 0
    for path in write(outputs):
        print(f"wrote {path.relative_to(ROOT).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
