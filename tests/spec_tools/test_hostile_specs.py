"""spec diff on hostile spec directories: `$ref` cycles, references out of the spec, recursive and widely shared
definitions, files that are not JSON or not schemas. Each ends at once: exit 2 and one line naming the file and the
JSON pointer (or the change report of a spec that is fine), never a traceback, never a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from test_diff import INT, NULL, STR, obj

from microtvm_project_api.cli.main import main
from microtvm_project_api.protocol.registry import SchemaReferenceError, SchemaRegistry
from microtvm_project_api.spec_tools import sources

PING = "methods/ping.json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def spec_diff(capsys: pytest.CaptureFixture[str], old: Path, new: Path) -> tuple[int, str]:
    """Exit status and stderr of `microtvm-project spec diff OLD NEW`, run in this process."""
    status = main(["spec", "diff", str(old), str(new)])
    return status, capsys.readouterr().err


def edit(root: Path, name: str, change: Callable[[dict[str, Any]], Any]) -> None:
    """Apply `change` to the JSON document root/name."""
    path = root / name
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def test_a_ref_cycle_ends_at_once_in_one_line(tree) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": ref("A")}), NULL, defs={"A": ref("B"), "B": ref("A")})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "diff", str(old), str(new)],
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (2, f"spec diff: {new}: {PING} /$defs/Params/properties/a: "
                                                 "$ref cycle through #/$defs/A -> #/$defs/B -> #/$defs/A\n")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("params, defs, line", [
    (obj({"a": ref("A")}), {"A": ref("A")}, "/$defs/Params/properties/a: $ref cycle through #/$defs/A -> #/$defs/A"),
    (obj({"a": ref("A")}), {"A": ref("B"), "B": {"$ref": "#/$defs/C"}, "C": ref("B")},
     "/$defs/Params/properties/a: $ref cycle through #/$defs/B -> #/$defs/C -> #/$defs/B"),
    (obj({"a": {"type": "array", "items": ref("A")}}), {"A": ref("B"), "B": ref("A")},  # met by the diff, not the method table
     "/$defs/Params/properties/a/items: $ref cycle through #/$defs/A -> #/$defs/B -> #/$defs/A"),
    (obj({"a": {"$ref": "https://example.com/x.json#/$defs/X"}}), {},
     "/$defs/Params/properties/a: $ref to https://example.com/x.json not fetched: only local references are resolved"),
    (obj({"a": {"anyOf": [INT, {"$ref": "http://localhost:1/schema.json"}]}}), {},
     "/$defs/Params/properties/a/anyOf/1: $ref to http://localhost:1/schema.json not fetched: only local references are resolved"),
    (obj({"a": {"$ref": "nope.json"}}), {}, "/$defs/Params/properties/a: $ref to methods/nope.json: no such schema file"),
    (obj({"a": ref("Nope")}), {}, f"/$defs/Params/properties/a: $ref to {PING}#/$defs/Nope names nothing"),
    (obj({"a": {"$ref": "http://[::1/x.json"}}), {}, "/$defs/Params/properties/a: $ref 'http://[::1/x.json' is not a URI reference"),
], ids=["self", "three", "inside-items", "remote", "remote-in-anyOf", "missing-file", "names-nothing", "not-a-uri"])
def test_a_ref_that_cannot_be_followed_is_one_line_with_its_place(tree, capsys, params, defs, line) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", params, NULL, defs=defs)
    assert spec_diff(capsys, old, new) == (2, f"spec diff: {new}: {PING} {line}\n")


def test_the_registry_tells_a_cycle_from_a_remote_reference(tree) -> None:
    cycle = SchemaRegistry.__new__(SchemaRegistry)  # documents only: the method table would refuse the cycle itself
    cycle.documents = {"https://x/schema/a.json": {"$defs": {"A": ref("B"), "B": ref("A"), "R": {"$ref": "https://y/r.json"}}}}
    with pytest.raises(SchemaReferenceError) as caught:
        cycle.follow("https://x/schema/a.json", ref("A"), "a.json /here")
    assert (caught.value.site, caught.value.problem) == ("a.json /here", "$ref cycle through #/$defs/A -> #/$defs/B -> #/$defs/A")
    with pytest.raises(SchemaReferenceError, match=r"^a.json /there: \$ref to https://y/r.json not fetched: only local references"):
        cycle.follow("https://x/schema/a.json", ref("R"), "a.json /there")


def test_a_recursive_definition_is_compared_once_per_path(tree, capsys) -> None:
    tree_of = {"type": "object", "properties": {"left": ref("Tree"), "right": ref("Tree"), "v": INT}}
    old = tree("old", obj({"t": ref("Tree")}), NULL, defs={"Tree": tree_of})
    new = tree("new", obj({"t": ref("Tree")}), NULL, defs={"Tree": {**tree_of, "properties": {**tree_of["properties"], "v": STR}}})
    assert main(["spec", "diff", str(old), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [c["where"] for s in report["sections"] for c in s["changes"]] == ["ping params/t/v"]


def test_definitions_shared_down_two_to_the_thirty_paths_are_refused(tree, capsys) -> None:
    chain = {f"D{i}": {"type": "object", "properties": {"x": ref(f"D{i + 1}"), "y": ref(f"D{i + 1}")}} for i in range(30)}
    old = tree("old", obj({"t": ref("D0")}), NULL, defs={**chain, "D30": INT})
    new = tree("new", obj({"t": ref("D0")}), NULL, defs={**chain, "D30": STR})
    started = time.monotonic()
    status, err = spec_diff(capsys, old, new)
    assert time.monotonic() - started < 10
    assert status == 2 and err.count("\n") == 1
    assert err.startswith("spec diff: ping params/t/") and err.endswith(": more than 20000 subschema comparisons "
                                                                       "(definitions shared down too many paths); not compared\n")


def test_a_recursive_alternative_is_typed_once(tree, capsys) -> None:
    old = tree("old", obj({"a": ref("A")}), NULL, defs={"A": {"anyOf": [INT, {"type": "array", "items": ref("A")}, ref("A")]}})
    new = tree("new", obj({"a": ref("A")}), NULL, defs={"A": {"anyOf": [STR, {"type": "array", "items": ref("A")}, ref("A")]}})
    assert main(["spec", "diff", str(old), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(c["where"], c["what"]) for s in report["sections"] for c in s["changes"]] == [
        ("ping params/a", "type array | integer → array | string"),
        ("ping params/a (alternative 1)", "type integer → string"),
    ]


def test_alternatives_shared_down_two_to_the_thirty_paths_are_typed_in_linear_time(tree, capsys) -> None:
    chain = {f"D{i}": {"anyOf": [ref(f"D{i + 1}"), ref(f"D{i + 1}")]} for i in range(30)}
    old = tree("old", obj({"t": ref("D0")}), NULL, defs={**chain, "D30": INT})
    new = tree("new", obj({"t": ref("D0")}), NULL, defs={**chain, "D0": {"anyOf": [ref("D1")] * 3}, "D30": STR})
    started = time.monotonic()
    assert main(["spec", "diff", str(old), str(new), "--format", "json"]) == 1
    assert time.monotonic() - started < 10
    report = json.loads(capsys.readouterr().out)
    assert ("ping params/t", "type integer → string") in [(c["where"], c["what"]) for s in report["sections"] for c in s["changes"]]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _fifo(root: Path) -> None:
    os.mkfifo(root / "methods" / "pipe.json")


def _link_loop(root: Path) -> None:
    os.symlink("..", root / "methods" / "loop")


# (what is written into the new tree, the line after "spec diff: <new>")
BAD_FILES: list[tuple[str, Callable[[Path], Any], str]] = [
    ("not-json", lambda r: (r / PING).write_text("{ not json"), f"{PING}: not JSON (line 1, column 3): Expecting property name enclosed in double quotes"),
    ("not-utf8", lambda r: (r / PING).write_bytes(b'{"a": "\xff"}'), f"{PING}: not UTF-8 text (byte 7)"),
    ("huge-integer", lambda r: (r / PING).write_text('{"a": ' + "9" * 5000 + "}"), f"{PING}: not JSON this tool reads: Exceeds the limit"),
    ("too-deep", lambda r: (r / PING).write_text(_deep(100_000)), f"{PING}: nested too deeply to read"),
    ("array", lambda r: (r / PING).write_text("[]"), f"{PING}: a schema file holds a JSON object"),
    ("no-id", lambda r: edit(r, PING, lambda d: d.pop("$id")), f"{PING}: no usable $id"),
    ("relative-id", lambda r: edit(r, PING, lambda d: d.update({"$id": "ping.json"})), f"{PING}: no usable $id"),
    ("fifo", _fifo, "methods/pipe.json: not a regular file"),
]


@pytest.mark.parametrize("name, write, line", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_file_that_is_not_a_schema_is_one_line_and_exit_2(tree, capsys, name, write, line) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": INT}), NULL)
    write(new)
    status, err = spec_diff(capsys, old, new)
    assert status == 2 and err.count("\n") == 1
    assert err.startswith(f"spec diff: {new}/{line}")


BAD_SHAPES: list[tuple[str, str, Callable[[dict[str, Any]], Any], str]] = [
    ("properties-array", PING, lambda d: d["$defs"]["Params"].update(properties=[]), f"{PING} /$defs/Params/properties: properties is an object, not an array"),
    ("required-string", PING, lambda d: d["$defs"]["Params"].update(required="a"), f"{PING} /$defs/Params/required: required is an array of strings"),
    ("schema-number", PING, lambda d: d["$defs"]["Params"]["properties"].update(a=5), f"{PING} /$defs/Params/properties/a: a schema is an object or a boolean, not a number"),
    ("type-null", PING, lambda d: d["$defs"]["Params"]["properties"].update(a={"type": None}), f"{PING} /$defs/Params/properties/a/type: type is a string or an array of strings"),
    ("ref-number", PING, lambda d: d["$defs"]["Params"]["properties"].update(a={"$ref": 7}), f"{PING} /$defs/Params/properties/a/$ref: $ref is a string, not a number"),
    ("no-methods", "revisions/v1.json", lambda d: d.pop("x-methods"), "revisions/v1.json /x-methods: x-methods is an object: method name to its params and result"),
    ("remote-method", "revisions/v1.json", lambda d: d["x-methods"]["ping"]["params"].update({"$ref": "https://example.com/p.json"}),
     "revisions/v1.json /x-methods/ping/params/$ref: $ref to https://example.com/p.json: no such schema file in this spec (only local references are resolved)"),
    ("encoding", "revisions/v1.json", lambda d: d.update({"x-payload-encoding": "rot13"}), "revisions/v1.json /x-payload-encoding: x-payload-encoding is one of base64, base85"),
    ("no-revision", "revisions/v1.json", lambda d: d.pop("x-protocol-version"), "no revision file (a schema file with x-protocol-version)"),
]


@pytest.mark.parametrize("name, file, change, line", BAD_SHAPES, ids=[case[0] for case in BAD_SHAPES])
def test_a_spec_the_tools_cannot_read_is_one_line_and_exit_2(tree, capsys, name, file, change, line) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": INT}), NULL)
    edit(new, file, change)
    assert spec_diff(capsys, old, new) == (2, f"spec diff: {new}: {line}\n")


def test_a_link_to_its_own_folder_is_not_followed(tree, capsys) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": INT}), NULL)
    _link_loop(new)
    assert spec_diff(capsys, old, new) == (0, "")


def test_a_long_message_is_cut_to_one_short_line(tree, capsys) -> None:
    url = "https://example.com/" + "x" * 1_000_000 + ".json"
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": {"$ref": url}}), NULL)
    status, err = spec_diff(capsys, old, new)
    assert status == 2 and err.count("\n") == 1 and len(err) < 600
    assert err.startswith(f"spec diff: {new}: {PING} /$defs/Params/properties/a: $ref to https://example.com/xxx")
    whole = f"spec diff: {new}: {PING} /$defs/Params/properties/a: $ref to {url} not fetched: only local references are resolved"
    assert err.endswith(f"... ({len(whole) - 500} more characters)\n")


def test_a_spec_docs_or_transcript_schema_that_is_not_json_is_one_line(tree, capsys, tmp_path) -> None:
    bad = tree("bad", obj({"a": INT}), NULL)
    (bad / PING).write_text("nope")
    assert main(["spec", "docs", "--check", "--docs-dir", str(tmp_path), "--schema", str(bad)]) == 2
    assert capsys.readouterr().err == f"spec docs: {bad}/{PING}: not JSON (line 1, column 1): Expecting value\n"


def test_a_file_given_for_a_spec_is_named_as_such(tree, capsys, tmp_path) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    given = tmp_path / "spec.json"
    given.write_text("not json")
    assert spec_diff(capsys, old, given) == (2, f"spec diff: {given}: a file, not a schema directory (the folder holding revisions/) "
                                                "or a git revision\n")


def test_spec_docs_from_a_spec_without_an_error_catalogue_is_one_line(tree, capsys, tmp_path) -> None:
    schema = tree("schema", obj({"a": INT}), NULL)
    assert main(["spec", "docs", "--docs-dir", str(tmp_path / "docs"), "--schema", str(schema)]) == 2
    assert capsys.readouterr().err == f"spec docs: {schema}: cannot write the reference pages: no schema file defines 'ErrorCode'\n"
    assert not (tmp_path / "docs").exists()


def test_spec_docs_into_a_folder_it_cannot_write_is_one_line(capsys, tmp_path) -> None:
    (tmp_path / "docs").write_text("a file, not a folder")
    assert main(["spec", "docs", "--docs-dir", str(tmp_path / "docs")]) == 2
    assert capsys.readouterr().err.startswith(f"spec docs: {tmp_path / 'docs'}")


def test_schema_files_too_large_in_all_are_refused_before_they_are_parsed(tree, capsys) -> None:
    old = tree("old", obj({"a": INT}), NULL)
    new = tree("new", obj({"a": INT}), NULL)
    padding = " " * (3 * 1024 * 1024)
    for index in range(6):
        (new / "methods" / f"pad{index}.json").write_text(padding + "{}")
    assert spec_diff(capsys, old, new) == (2, f"spec diff: {new}: schema files larger than {16 * 1024 * 1024} bytes in all\n")


def committed(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding schema/ in one commit, made the current directory."""
    repo = tmp_path / "repo"
    tree("repo/schema", obj({"a": INT}), NULL)
    for args in (["init", "-q"], ["add", "schema"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True)
    monkeypatch.chdir(repo)
    return repo


def test_a_git_revision_that_is_not_a_spec_is_named_by_the_revision(tree, capsys, tmp_path, monkeypatch) -> None:
    repo = committed(tree, tmp_path, monkeypatch)
    (repo / "schema" / PING).write_text("{ not json")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two"], cwd=repo, check=True)
    assert main(["spec", "diff", "HEAD", "HEAD"]) == 2
    assert capsys.readouterr().err == f"spec diff: HEAD:schema/{PING}: not JSON (line 1, column 3): Expecting property name enclosed in double quotes\n"


def test_git_output_is_read_up_to_a_bound(tree, capsys, tmp_path, monkeypatch) -> None:
    committed(tree, tmp_path, monkeypatch)
    monkeypatch.setattr(sources, "MAX_ARCHIVE_BYTES", 4096)
    assert main(["spec", "diff", "HEAD", "HEAD"]) == 2
    assert capsys.readouterr().err == ("spec diff: git archive --format=tar HEAD -- schema: more than 4096 bytes of output "
                                       "(schema/ that large is not a spec)\n")
