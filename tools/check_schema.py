"""Meta-validate schema/ before anything is derived from it: one line per error, with file, JSON pointer and message.

`make check` runs this first, so a typo in a schema file is reported as itself, not as stale
generated code or docs. It checks that every file is JSON, that every schema file is a valid
draft 2020-12 schema with its `$schema` and `$id`, and that every `$ref` names something that exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class SchemaProblems(Exception):
    """What keeps a generator from deriving its file from schema/: one line per problem, `FILE: POINTER: MESSAGE`.
    `make generate` (tools/generate.py) prints them and writes nothing."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def pointer(parts: Any) -> str:
    """The JSON pointer (RFC 6901) of a path; "" for the document itself."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def schema_errors(folder: Path) -> list[str]:
    """Every error of the spec in `folder`, one line each: `FILE: POINTER: MESSAGE` (`FILE:LINE:COLUMN:` for JSON syntax)."""
    lines: list[str] = []
    documents: dict[str, Any] = {}
    ids: dict[str, str] = {}
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for path in sorted(folder.rglob("*.json")):
        relative = path.relative_to(folder.parent).as_posix()
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "1:1"
            lines.append(f"{relative}:{where}: not JSON: {getattr(exc, 'msg', exc)}")
            documents[relative] = None  # references into it are not reported again
            continue
        if "examples" in path.relative_to(folder).parts:
            continue  # instances, not schemas: tests/spec/test_examples.py judges them
        errors = sorted(meta.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        lines += [f"{relative}: {pointer(e.absolute_path) or '/'}: {e.message}" for e in errors]
        if not isinstance(document, dict):
            continue
        if document.get("$schema") != DIALECT:
            lines.append(f"{relative}: /$schema: must be {DIALECT!r}")
        schema_id = document.get("$id")
        if not isinstance(schema_id, str) or not schema_id.endswith("/" + relative):
            lines.append(f"{relative}: /$id: must end with /{relative}")
        else:
            ids[schema_id] = relative
        documents[relative] = document
    for relative, document in documents.items():  # a reference is resolved by file, so a wrong $id is reported once
        if document is None:
            continue
        for parts, ref in _refs(document, ()):
            uri, _, fragment = ref.partition("#")
            target = ids.get(uri, urljoin(relative, uri)) if uri else relative
            problem = _unresolved(target, fragment, documents)
            if problem:
                lines.append(f"{relative}: {pointer(parts)}: $ref {ref!r} {problem}")
    return lines


def _refs(node: Any, parts: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield parts + (key,), value
            else:
                yield from _refs(value, parts + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, parts + (index,))


def _unresolved(target: str, fragment: str, documents: dict[str, Any]) -> str:
    """Why the pointer `fragment` into the file `target` names nothing, or "" when it resolves."""
    if target not in documents:
        return "names no schema file"
    node = documents[target]
    if node is None:
        return ""  # the file is not JSON, reported already
    for part in filter(None, fragment.split("/")):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return f"names nothing: no {part!r} in {target}"
    return ""


def main() -> int:
    errors = schema_errors(SCHEMA_DIR)
    for line in errors:
        print(line)
    if errors:
        print(f"\nschema/ has {len(errors)} error{'s' if len(errors) != 1 else ''}: fix them before anything else (generated code and docs derive from it).",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
