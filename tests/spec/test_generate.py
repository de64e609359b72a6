"""`make generate` (tools/generate.py): schema/ is meta-validated and every keyword checked before anything is derived
from it; every file is rendered in memory, and a failure anywhere names the file and the JSON pointer and leaves
generated/ byte for byte as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from schema_copies import copy_package, copy_schema, files, put, tool

READ = "methods/read_transport.json"
N = "/$defs/ReadTransportParams/properties/n"


def _generate(package: Path) -> subprocess.CompletedProcess[str]:
    """The copy's `make generate`, importing the copy."""
    env = {**os.environ, "PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, str(package / "tools" / "generate.py")], env=env, capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("pointer, value, expected", [
    (N + "/type", "integr", f"schema/{READ}: {N}/type: 'integr' is not valid under any of the given schemas"),
    (N + "/maxProperties", 2, f"schema/{READ}: {N}/maxProperties: keyword 'maxProperties' is not supported by the validator generator"),
    (N + "/pattern", "[0-9]+", f"schema/{READ}: {N}/pattern: pattern '[0-9]+' is not anchored at both ends"),
], ids=["typo", "unsupported-keyword", "unanchored-pattern"])
def test_a_broken_schema_fails_generate_with_file_and_pointer_and_writes_nothing(tmp_path: Path, pointer: str, value: object,
                                                                                  expected: str) -> None:
    package = copy_package(tmp_path)
    put(package / "schema", READ, pointer, value)
    before = files(package / "generated")
    done = _generate(package)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines()[0].startswith(expected), done.stderr
    assert "nothing was written" in done.stderr
    assert done.stdout == ""
    assert files(package / "generated") == before


def test_nothing_is_written_when_a_later_generator_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are written only once every generator has rendered its own: an earlier one's output is held in memory."""
    generate = tool("generate")
    problems = tool("check_schema").SchemaProblems
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("old\n")

    def failing(schema_dir: Path) -> dict[Path, str]:
        raise problems([f"schema/x.json: /$defs/X: cannot render {second.name}"])

    monkeypatch.setattr(generate, "GENERATORS", (lambda schema_dir: {first: "new\n"}, failing))
    monkeypatch.setattr(sys, "argv", ["generate.py"])
    assert generate.main() == 1
    assert first.read_text() == "old\n" and not second.exists()
    assert list(tmp_path.iterdir()) == [first]  # no temporary file left either


def test_generate_writes_only_what_changed_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    generate = tool("generate")
    same, changed, new = tmp_path / "same.py", tmp_path / "changed.py", tmp_path / "new.py"
    same.write_text("x\n")
    changed.write_text("x\n")
    same_time = same.stat().st_mtime_ns
    assert generate.write({same: "x\n", changed: "y\n", new: "z\n"}) == [changed, new]
    assert (same.read_text(), changed.read_text(), new.read_text()) == ("x\n", "y\n", "z\n")
    assert same.stat().st_mtime_ns == same_time
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.py", "new.py", "same.py"]


@pytest.mark.parametrize("file, pointer, value, expected", [
    ("types.json", "/$defs/Probe", {"type": "string", "pattern": "^(?<name>x)$"},
     "schema/types.json: /$defs/Probe/pattern: pattern '^(?<name>x)$' is not a regular expression Python reads"),
    ("types.json", "/$defs/Probe", {"type": "string", "contentEncoding": "base32"},
     "schema/types.json: /$defs/Probe/contentEncoding: 'base32' has no payload codec (known: base64, base85)"),
    ("types.json", "/$defs/Probe", {"type": "string", "contentEncoding": "base64", "pattern": "^[A-Za-z0-9+/=]*$"},
     "schema/types.json: /$defs/Probe/pattern: a base64 payload's pattern is the encoding's alphabet"),
    ("types.json", "/$defs/Probe", {"type": "object", "properties": {"a": False}},
     "schema/types.json: /$defs/Probe/properties/a: the false schema is supported only as additionalProperties"),
    ("types.json", "/$defs/Probe", {"type": "object", "patternProperties": {"^a$": {"type": "string"}}},
     "schema/types.json: /$defs/Probe/patternProperties: keyword 'patternProperties' is not supported"),
    ("jsonrpc.json", "/$defs/Reply/oneOf/0/minProperties", 1,
     "schema/jsonrpc.json: /$defs/Reply/oneOf/0/minProperties: keyword 'minProperties' is not supported"),
], ids=["regex", "encoding", "two-alphabets", "false-schema", "patternProperties", "in-a-branch"])
def test_what_the_validators_would_not_enforce_is_refused_with_file_and_pointer(tmp_path: Path, file: str, pointer: str,
                                                                               value: object, expected: str) -> None:
    """Every definition is scanned, whether a method reaches it or not."""
    schema = copy_schema(tmp_path)
    put(schema, file, pointer, value)
    [line] = tool("generate_validators").unsupported(schema)
    assert line.startswith(expected), line


def test_the_spec_uses_only_supported_keywords() -> None:
    assert tool("generate_validators").unsupported() == []


def test_the_validator_generator_alone_names_an_unknown_type_by_file_and_pointer(tmp_path: Path) -> None:
    """Run without the meta-validation before it (tools/generate_validators.py by itself), it still names the node."""
    schema = copy_schema(tmp_path)
    put(schema, READ, N + "/type", "integr")
    generator = tool("generate_validators")
    with pytest.raises(tool("check_schema").SchemaProblems) as raised:
        generator.render(schema)
    assert raised.value.lines == [f"schema/{READ}: {N}/type: unknown type 'integr'"]
