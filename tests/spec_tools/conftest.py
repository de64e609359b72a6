"""Small schema trees on disk, for the diff tests: one method `ping` whose params and result definitions a test picks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

BASE = "https://microtvm.example/project-api/schema/"


def write_tree(root: Path, params: dict[str, Any], result: dict[str, Any], revisions: tuple[int, ...] = (1,),
               methods: tuple[str, ...] = ("ping",), encoding: str = "base64", defs: dict[str, Any] | None = None) -> Path:
    """A schema tree: revisions/vN.json with `methods`, each defined by methods/<name>.json with the given schemas
    (and the definitions `defs` beside them)."""
    for name in methods:
        document = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE}methods/{name}.json",
            "title": name,
            "description": f"The {name} method.",
            "x-errors": [],
            "$defs": {"Params": copy.deepcopy(params), "Result": copy.deepcopy(result), **copy.deepcopy(defs or {})},
        }
        _dump(root / "methods" / f"{name}.json", document)
    for version in revisions:
        _dump(root / "revisions" / f"v{version}.json", {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE}revisions/v{version}.json",
            "description": f"Revision {version}.",
            "x-protocol-version": version,
            "x-payload-encoding": encoding,
            "x-parse-error-reply": True,
            "x-common-errors": ["INVALID_PARAMS"],
            "x-common-server-errors": [],
            "x-methods": {name: {"params": {"$ref": f"../methods/{name}.json#/$defs/Params"},
                                 "result": {"$ref": f"../methods/{name}.json#/$defs/Result"}} for name in methods},
        })
    return root


def _dump(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))


@pytest.fixture
def tree(tmp_path: Path) -> Callable[..., Path]:
    """write_tree under tmp_path/<name>."""
    def make(name: str, params: dict[str, Any], result: dict[str, Any], **kwargs: Any) -> Path:
        return write_tree(tmp_path / name, params, result, **kwargs)
    return make
