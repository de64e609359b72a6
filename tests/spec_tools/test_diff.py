"""spec diff: every change class, in params (clients write) and in results (servers write), both ways round."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from microtvm_project_api.protocol.registry import SchemaRegistry, default_registry
from microtvm_project_api.spec_tools.diff import CLIENTS, SERVERS, diff_revisions, diff_specs
from microtvm_project_api.spec_tools.sources import SourceError, load_source

ROOT = Path(__file__).resolve().parents[2]
C, S, BOTH, NONE = frozenset({CLIENTS}), frozenset({SERVERS}), frozenset({CLIENTS, SERVERS}), frozenset()
NULL = {"type": "null"}


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), closed: bool = True, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": list(required), "properties": properties, **extra}
    if closed:
        schema["additionalProperties"] = False
    return schema


INT, STR = {"type": "integer"}, {"type": "string"}

# (id, old schema, new schema, whom it breaks when the schema is params, where the change is reported)
CASES = [
    ("optional member removed", obj({"a": INT, "b": STR}, ("a",)), obj({"a": INT}, ("a",)), C, "/b"),
    ("required member removed", obj({"a": INT, "b": STR}, ("a", "b")), obj({"a": INT}, ("a",)), BOTH, "/b"),
    ("required member added to a closed object", obj({"a": INT}, ("a",)), obj({"a": INT, "b": STR}, ("a", "b")), BOTH, "/b"),
    ("required member added to an open object", obj({"a": INT}, ("a",), closed=False),
     obj({"a": INT, "b": STR}, ("a", "b"), closed=False), C, "/b"),
    ("optional member added to a closed object", obj({"a": INT}, ("a",)), obj({"a": INT, "b": STR}, ("a",)), S, "/b"),
    ("optional member added to an open object", obj({"a": INT}, closed=False), obj({"a": INT, "b": STR}, closed=False), NONE, "/b"),
    ("member became optional", obj({"a": INT}, ("a",)), obj({"a": INT}), S, "/a"),
    ("member became required", obj({"a": INT}), obj({"a": INT}, ("a",)), C, "/a"),
    ("type narrowed", obj({"a": {"type": ["integer", "null"]}}), obj({"a": INT}), C, "/a"),
    ("type widened", obj({"a": INT}), obj({"a": {"type": ["integer", "string"]}}), S, "/a"),
    ("integer widened to number", obj({"a": INT}), obj({"a": {"type": "number"}}), S, "/a"),
    ("range narrowed", obj({"a": {"type": "integer", "minimum": 1}}), obj({"a": {"type": "integer", "minimum": 2}}), C, "/a"),
    ("upper bound removed", obj({"a": {"type": "integer", "maximum": 9}}), obj({"a": INT}), S, "/a"),
    ("length bound added", obj({"a": STR}), obj({"a": {"type": "string", "maxLength": 8}}), C, "/a"),
    ("enum value removed", obj({"a": {"enum": ["x", "y"]}}), obj({"a": {"enum": ["x"]}}), C, "/a"),
    ("enum value added", obj({"a": {"enum": ["x"]}}), obj({"a": {"enum": ["x", "y"]}}), S, "/a"),
    ("const changed", obj({"a": {"const": 1}}), obj({"a": {"const": 2}}), BOTH, "/a"),
    ("pattern changed", obj({"a": {"type": "string", "pattern": "^a$"}}), obj({"a": {"type": "string", "pattern": "^b$"}}), BOTH, "/a"),
    ("items unique", obj({"a": {"type": "array", "items": INT}}),
     obj({"a": {"type": "array", "items": INT, "uniqueItems": True}}), C, "/a"),
    ("item type narrowed", obj({"a": {"type": "array", "items": {"type": "number"}}}),
     obj({"a": {"type": "array", "items": INT}}), C, "/a/*"),
    ("other members allowed", obj({"a": INT}), obj({"a": INT}, closed=False), S, ""),
    ("cross-field rule added", obj({"a": INT}), obj({"a": INT}, **{"x-rule": "a is even", "not": {"required": ["b"]}}), C, ""),
    ("description changed", obj({"a": {**INT, "description": "old"}}), obj({"a": {**INT, "description": "new"}}), NONE, "/a"),
]
IDS = [case[0] for case in CASES]


def mirror(breaks: frozenset[str]) -> frozenset[str]:
    return frozenset({CLIENTS: SERVERS, SERVERS: CLIENTS}[b] for b in breaks)


def changes(tree: Callable[..., Path], old: dict[str, Any], new: dict[str, Any], part: str) -> list[tuple[str, frozenset[str]]]:
    """(where, breaks) of every change in revision 1 when `part` of ping goes from `old` to `new`."""
    kwargs = {"params": old, "result": NULL} if part == "params" else {"params": obj({}), "result": old}
    new_kwargs = {**kwargs, part: new}
    report = diff_specs(SchemaRegistry.from_directory(tree("old", **kwargs)), SchemaRegistry.from_directory(tree("new", **new_kwargs)))
    return [(c.where, c.breaks) for c in report.changes]


@pytest.mark.parametrize("name,old,new,params_breaks,where", CASES, ids=IDS)
def test_change_in_params_breaks_the_writers_or_readers(tree, name, old, new, params_breaks, where) -> None:
    assert changes(tree, old, new, "params") == [(f"ping params{where}", params_breaks)]


@pytest.mark.parametrize("name,old,new,params_breaks,where", CASES, ids=IDS)
def test_same_change_in_a_result_breaks_the_other_side(tree, name, old, new, params_breaks, where) -> None:
    assert changes(tree, old, new, "result") == [(f"ping result{where}", mirror(params_breaks))]


@pytest.mark.parametrize("name,old,new,params_breaks,where", CASES, ids=IDS)
def test_undoing_a_change_in_params_is_classified_like_the_change_in_a_result(tree, name, old, new, params_breaks, where) -> None:
    backwards = changes(tree, new, old, "params")
    assert [breaks for _, breaks in backwards] == [mirror(params_breaks)]


def test_method_removed_breaks_clients_and_added_is_compatible(tree) -> None:
    both = SchemaRegistry.from_directory(tree("both", obj({}), NULL, methods=("ping", "pong")))
    one = SchemaRegistry.from_directory(tree("one", obj({}), NULL, methods=("ping",)))
    removed = diff_specs(both, one).changes
    assert [(c.where, c.what, c.classification) for c in removed] == [
        ("pong", "method removed: existing clients that call it fail", "breaks clients"),
        ("methods/pong.json", "schema file removed", "compatible")]
    added = diff_specs(one, both).changes
    assert [(c.where, c.classification) for c in added] == [("pong", "compatible"), ("methods/pong.json", "compatible")]


def test_protocol_wide_keyword_and_file_description(tree) -> None:
    old_root = tree("old", obj({}), NULL)
    new_root = tree("new", obj({}), NULL)
    for root, description, limit in ((old_root, "Old.", None), (new_root, "New.", 1024)):
        document = {"$id": "https://microtvm.example/project-api/schema/jsonrpc.json", "description": description, "$defs": {}}
        if limit is not None:
            document["x-max-line-bytes"] = limit
        (root / "jsonrpc.json").write_text(json.dumps(document))
    report = diff_specs(SchemaRegistry.from_directory(old_root), SchemaRegistry.from_directory(new_root))
    assert [(c.where, c.what, c.classification) for c in report.changes] == [
        ("jsonrpc.json", "file description changed", "compatible"),
        ("jsonrpc.json", "x-max-line-bytes null → 1024 (a protocol-wide rule)", "breaks clients and servers")]
    assert report.exit_code == 1


def test_deployed_behaviour_documentation_is_a_compatible_change(tree) -> None:
    old, new = tree("old", obj({}), NULL), tree("new", obj({}), NULL)
    document = {"$id": "https://microtvm.example/project-api/schema/notes.json", "description": "Notes.", "$defs": {}}
    (old / "notes.json").write_text(json.dumps(document))
    (new / "notes.json").write_text(json.dumps({**document, "x-server-module": {"stops": {"deployed": "It stops."}}}))
    report = diff_specs(SchemaRegistry.from_directory(old), SchemaRegistry.from_directory(new))
    assert [(c.where, c.what, c.classification) for c in report.changes] == [
        ("notes.json", "x-server-module changed (documentation of deployed behaviour)", "compatible")]
    assert report.exit_code == 0


def test_payload_encoding_change_breaks_both(tree) -> None:
    old = SchemaRegistry.from_directory(tree("old", obj({}), NULL, encoding="base85"))
    new = SchemaRegistry.from_directory(tree("new", obj({}), NULL, encoding="base64"))
    assert [(c.what, c.classification) for c in diff_specs(old, new).changes] == [
        ("transport payload encoding base85 → base64", "breaks clients and servers")]


def test_breaking_change_fails_unless_the_revision_number_was_bumped(tree) -> None:
    old = SchemaRegistry.from_directory(tree("old", obj({"a": INT}), NULL))
    same_number = SchemaRegistry.from_directory(tree("same", obj({"a": STR}), NULL))
    assert diff_specs(old, same_number).exit_code == 1
    renumbered = SchemaRegistry.from_directory(tree("renumbered", obj({"a": STR}), NULL, revisions=(2,)))
    report = diff_specs(old, renumbered)
    assert report.exit_code == 0
    assert any(c.where == "ping params/a" and c.breaks == BOTH for c in report.changes)
    assert "the revision number was bumped" in report.markdown()
    compatible = SchemaRegistry.from_directory(tree("compatible", obj({"a": {**INT, "description": "x"}}), NULL))
    assert diff_specs(old, compatible).exit_code == 0


def test_an_older_revision_changed_alongside_a_new_one_still_fails(tree) -> None:
    old = SchemaRegistry.from_directory(tree("old", obj({"a": INT}), NULL))
    both = SchemaRegistry.from_directory(tree("both", obj({"a": STR}), NULL, revisions=(1, 2)))
    report = diff_specs(old, both)
    assert report.exit_code == 1
    assert [s.title for s in report.sections if s.blocking] == ["Revision 1"]


def test_between_revisions_lists_exactly_the_deliberate_differences() -> None:
    report = diff_revisions(default_registry(), 1, 2)
    breaking = sorted((c.where, c.what.split(" ")[0], c.classification) for c in report.changes if c.breaks)
    assert breaking == [
        ("build params/options/*", "type", "breaks clients"),
        ("flash params/options/*", "type", "breaks clients"),
        ("generate_project params/options/*", "type", "breaks clients"),
        ("open_transport params/options/*", "type", "breaks clients"),
        ("read_transport result/data", "contentEncoding", "breaks clients and servers"),
        ("read_transport result/data", "minLength", "breaks servers"),
        ("read_transport result/data", "pattern", "breaks clients and servers"),
        ("revision", "transport", "breaks clients and servers"),
        ("server_info_query params/protocol_versions", "optional", "breaks servers"),
        ("server_info_query result", "rule", "breaks servers"),
        ("server_info_query result/project_options/*/choices", "required", "breaks clients"),
        ("server_info_query result/project_options/*/default", "required", "breaks clients"),
        ("server_info_query result/project_options/*/optional", "required", "breaks clients"),
        ("server_info_query result/project_options/*/required", "required", "breaks clients"),
        ("server_info_query result/protocol_version", "values", "breaks clients and servers"),
        ("server_info_query result/supported_methods", "required", "breaks clients and servers"),
        ("write_transport params/data", "contentEncoding", "breaks clients and servers"),
        ("write_transport params/data", "pattern", "breaks clients and servers"),
    ]
    compatible = {c.where for c in report.changes if not c.breaks}
    options = {f"{method} params{tail}" for method in ("generate_project", "build", "flash", "open_transport")
               for tail in ("", "/options", "/options/*")}
    assert compatible == options | {"revision", "server_info_query params", "server_info_query result",
                          "server_info_query result/model_library_format_path",
                          "server_info_query result/project_options/*", "read_transport result", "read_transport result/data",
                          "write_transport params", "write_transport params/data"}
    revision_level = sorted(c.what for c in report.changes if c.where == "revision")
    assert revision_level == [
        "a line that is not JSON now gets a -32700 reply (id null) and the server keeps serving",
        "error every method may raise MethodNotSupportedError added",
        "error every method may raise PARSE_ERROR added",
        "revision description changed",
        "transport payload encoding base85 → base64",
    ]
    assert report.exit_code == 0


def test_a_spec_against_itself_has_no_change() -> None:
    report = diff_specs(default_registry(), SchemaRegistry.from_directory(ROOT / "schema"))
    assert report.changes == [] and report.exit_code == 0
    assert "No change." in report.markdown()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "spec", "diff", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True)


def test_cli_reads_git_revisions_of_schema_and_fails_on_a_breaking_change(tree, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tree("repo/schema", obj({"a": INT}, ("a",)), NULL)
    git(repo, "init", "-q")
    git(repo, "add", "schema")
    git(repo, "commit", "-q", "-m", "one")
    tree("repo/schema", obj({"a": INT}), NULL)
    git(repo, "commit", "-q", "-am", "two")
    done = run_cli("HEAD~1", "HEAD", "--format", "markdown", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert ("| `ping params/a` | required member became optional | breaks servers "
            "| new clients may omit a: existing servers answer -32602 (invalid params) |") in done.stdout
    assert "**Breaking changes without a new revision number." in done.stdout
    same = run_cli("HEAD", cwd=repo)  # NEW defaults to the working tree's schema/
    assert same.returncode == 0 and "No change." in same.stdout


def test_cli_rejects_what_is_neither_a_directory_nor_a_revision(tmp_path: Path) -> None:
    done = run_cli("no-such-rev", str(ROOT / "schema"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("spec diff: not a schema directory, and git rev-parse --show-toplevel failed")
    with pytest.raises(SourceError, match="not a schema directory"):
        load_source(str(tmp_path))


def test_cli_between_revisions() -> None:
    done = run_cli("--revisions", "1", "2", "--format", "markdown", cwd=ROOT)
    assert done.returncode == 0
    assert ("| `revision` | transport payload encoding base85 → base64 | breaks clients and servers "
            "| transport data written in base85 by one side is decoded as base64 by the other |") in done.stdout
    unknown = run_cli("--revisions", "1", "7", cwd=ROOT)
    assert unknown.returncode == 2 and "protocol revision 7 is not defined" in unknown.stderr
