"""Fuzzing `spec diff` with generated schema directories: definitions that reference each other (cycles included),
references to URLs and to nothing, keywords of the wrong type, files that are not JSON or have no `$id`.

Every run ends in bounded time with exit 0 or 1 (a report) or 2 (one line on stderr), never a traceback.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from fuzz_settings import FUZZ
from hypothesis import example, given
from hypothesis import strategies as st

from microtvm_project_api.cli.main import main

BASE = "https://microtvm.example/project-api/schema/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
PING = "methods/ping.json"
NAMES = ("A", "B", "C")
SECONDS_PER_RUN = 5.0

LOCAL_REFS = st.sampled_from([*(f"#/$defs/{n}" for n in NAMES), "#/$defs/Params", "#/$defs/Result", "#"])
BAD_REFS = st.sampled_from(["#/$defs/Nope", "#/$defs/A/properties/a", "#/$defs/A/anyOf/0", "https://example.com/x.json",
                            "https://example.com/x.json#/$defs/X", "http://[::1", "nope.json", "../revisions/v1.json"])
LEAVES = st.one_of(
    st.sampled_from([{"type": "integer"}, {"type": "string"}, {"type": ["integer", "null"]}, {"enum": [1, 2]}, {"const": 1},
                     {"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^a$"}, {"description": "d"}, {}, True, False]),
    LOCAL_REFS.map(lambda ref: {"$ref": ref}),
)
WRONG = st.sampled_from([5, None, "x", [], {"type": None}, {"properties": []}, {"required": "a"}, {"enum": 3}, {"anyOf": {}},
                         {"$ref": 7}, {"minimum": "1"}, {"items": 3}, {"x-rule": []}])
HOSTILE = st.one_of(st.none(), st.none(), st.none(), WRONG, BAD_REFS.map(lambda ref: {"$ref": ref}))
"""At most one hostile schema per spec (definition C), so that most specs are readable and get compared."""


def _object(properties: dict[str, Any], required: list[str], closed: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": [r for r in required if r in properties]}
    if closed:
        schema["additionalProperties"] = False
    return schema


def _with_ref(schema: Any, ref: str) -> Any:
    return {**schema, "$ref": ref} if isinstance(schema, dict) else {"$ref": ref}


SCHEMAS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(_object, st.dictionaries(st.sampled_from("abc"), inner, max_size=3), st.lists(st.sampled_from("abc")), st.booleans()),
        inner.map(lambda items: {"type": "array", "items": items}),
        st.lists(inner, min_size=1, max_size=3).map(lambda branches: {"anyOf": branches}),
        st.builds(_with_ref, inner, LOCAL_REFS),
    ),
    max_leaves=10,
)
@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec of one method, ping: its params, result and definitions A, B, C, of which C may be hostile."""
    defs = {name: draw(SCHEMAS) for name in NAMES}
    hostile = draw(HOSTILE)
    if hostile is not None:
        defs["C"] = hostile
    params = draw(SCHEMAS)
    if draw(st.booleans()):
        params = _object({"c": {"$ref": "#/$defs/C"}, "a": draw(SCHEMAS)}, ["c"], draw(st.booleans()))
    return {"params": params, "result": draw(SCHEMAS), "defs": defs, "revisions": draw(st.sampled_from([(1,), (1, 2)]))}


SPECS = specs()
BROKEN_FILES = st.sampled_from([*[None] * 12, "not json", "truncated", "no $id", "array", "binary", "empty", "huge integer",
                                "deep", "no x-methods", "link loop", "fifo", "duplicate $id", "no revision"])


def write_spec(root: Path, spec: dict[str, Any]) -> None:
    """A schema directory: revisions/vN.json naming one method, ping, defined in methods/ping.json."""
    method = {"$schema": DIALECT, "$id": BASE + PING, "title": "ping", "description": "The ping method.", "x-errors": [],
              "$defs": {**spec["defs"], "Params": spec["params"], "Result": spec["result"]}}
    _dump(root / PING, method)
    for version in spec["revisions"]:
        _dump(root / "revisions" / f"v{version}.json", {
            "$schema": DIALECT, "$id": f"{BASE}revisions/v{version}.json", "description": f"Revision {version}.",
            "x-protocol-version": version, "x-payload-encoding": "base64", "x-parse-error-reply": True,
            "x-common-errors": ["INVALID_PARAMS"], "x-common-server-errors": [],
            "x-methods": {"ping": {"params": {"$ref": "../methods/ping.json#/$defs/Params"},
                                   "result": {"$ref": "../methods/ping.json#/$defs/Result"}}},
        })


def break_file(root: Path, how: str | None) -> None:
    """Damage one file of the schema directory at `root` in the way `how` names."""
    path = root / PING
    revision = root / "revisions" / "v1.json"
    if how == "not json":
        path.write_text("{ not json")
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    elif how == "no $id":
        _edit(path, lambda d: d.pop("$id"))
    elif how == "array":
        path.write_text("[1, 2]")
    elif how == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    elif how == "empty":
        path.write_text("")
    elif how == "huge integer":
        path.write_text('{"$id": ' + "7" * 5000 + "}")
    elif how == "deep":
        path.write_text("[" * 50_000 + "]" * 50_000)
    elif how == "no x-methods":
        _edit(revision, lambda d: d.pop("x-methods"))
    elif how == "link loop":
        os.symlink("..", root / "methods" / "loop")
    elif how == "fifo":
        os.mkfifo(root / "methods" / "pipe.json")
    elif how == "duplicate $id":
        (root / "methods" / "copy.json").write_bytes(path.read_bytes())
    elif how == "no revision":
        _edit(revision, lambda d: d.pop("x-protocol-version"))


def _dump(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def _edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def run_spec_diff(old: Path, new: Path) -> tuple[int, str, float]:
    """`microtvm-project spec diff OLD NEW` in this process: exit status, stderr, seconds taken."""
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["spec", "diff", str(old), str(new)])
    return status, err.getvalue(), time.monotonic() - started


CYCLE = {"params": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}}, "result": True,
         "defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}, "revisions": (1,)}
FINE = {"params": {"type": "object", "properties": {"a": {"type": "integer"}}}, "result": True, "defs": {}, "revisions": (1,)}


@FUZZ
@given(old=SPECS, new=SPECS, broken=BROKEN_FILES, same=st.booleans())
@example(old=FINE, new=CYCLE, broken=None, same=False)
@example(old=FINE, new={**FINE, "defs": {"A": {"$ref": "https://example.com/x.json"}},
                        "params": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}}}, broken=None, same=False)
@example(old=FINE, new=FINE, broken="not json", same=False)
@example(old=FINE, new=FINE, broken="no $id", same=False)
def test_spec_diff_ends_with_a_verdict_or_one_line(old: dict[str, Any], new: dict[str, Any], broken: str | None, same: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="spec-diff-fuzz-") as tmp:
        old_dir, new_dir = Path(tmp) / "old", Path(tmp) / "new"
        write_spec(old_dir, old)
        write_spec(new_dir, old if same else new)
        break_file(new_dir, broken)
        status, err, seconds = run_spec_diff(old_dir, new_dir)
    assert seconds < SECONDS_PER_RUN, f"spec diff took {seconds:.1f} s"
    assert status in (0, 1, 2)
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("spec diff: "), err
    else:
        assert err == ""
