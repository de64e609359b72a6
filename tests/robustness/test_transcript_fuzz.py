"""Fuzzing transcripts: the reader (protocol/transcript.py) accepts exactly the entries schema/transcript.json
accepts; `spec check-transcript` on any file raises nothing but TranscriptFormatError (the CLI's one line and exit
2); replay's equivalence never raises, and every reply is equivalent to itself."""

from __future__ import annotations

import io
import json
from typing import Any

from fuzz_settings import FUZZ
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from spec_schemas import resolved

from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.transcript import TranscriptFormatError, read_transcript
from microtvm_project_api.sessions.equivalence import compare_replies
from microtvm_project_api.spec_tools.transcript_check import check_transcript

HEADER = {"kind": "header", "format": 1, "recorded_at": "2026-12-04T21:00:00Z", "platform": {"directory": "/p", "name": None},
          "client": {"name": None, "version": None}, "recorder": {"name": "fuzz", "version": None}}
REGISTRY = default_registry()
ENTRY_REF = REGISTRY.definition_uri("TranscriptEntry")
SHA256 = ("0" * 64, "a" * 63, "A" * 64, "0" * 64 + "\n", 5)
BASE64 = ("", "AA==", "AAEC", "A", "!!", "AA==\n")
BOUNDARY: dict[str, list[Any]] = {
    "kind": ["message", "launch", "exit", "limit", "header", "Message", 1],
    "launch": ["", "x" * 64, "x" * 65, 1, None],
    "time": [-1, -0.0, 0, 1e-9, 1e300, True, "1", None],
    "direction": ["request", "reply", "sideways", 1, None],
    "revision": [None, 0, 1, 2, True, 1.0, -1, "1"],
    "text": ["", "x", 1, None],
    "base64": [*BASE64, 1],
    "partial": [True, False, 1, None],
    "digests": [[], None, [{"pointer": "/params/data", "length": 1, "sha256": "0" * 64}],
                *([{"pointer": "/result/data", "length": 0, "sha256": h}] for h in SHA256),
                [{"pointer": "/data", "length": 1, "sha256": "0" * 64}], [{"pointer": "/params/data", "length": -1, "sha256": "0" * 64}],
                [{"pointer": "/params/data", "length": True, "sha256": "0" * 64}], [{"pointer": "/params/data", "length": 1}]],
    "project_dir": ["", "/p", 1, None],
    "status": [None, -9, 0, 1.5, True, "0"],
    "max_bytes": [0, 1, True, 1.0, None],
    "message": ["", None, 1],
    "extra": [1],
}
VALID = from_schema(resolved(REGISTRY, ENTRY_REF))
DELETED = object()


def _mutated(entry: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A valid entry with one member set to a boundary value, or removed."""
    changed = {k: v for k, v in entry.items() if k != key}
    return changed if value is DELETED else {**changed, key: value}


MUTATIONS = st.sampled_from(sorted(BOUNDARY)).flatmap(lambda key: st.tuples(st.just(key), st.sampled_from([*BOUNDARY[key], DELETED])))
ENTRIES = st.one_of(VALID, st.tuples(VALID, MUTATIONS).map(lambda drawn: _mutated(drawn[0], *drawn[1])))
WIRE_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(['{"jsonrpc":"2.0","method":"build","params":{"options":{}},"id":1}', '{"jsonrpc":"2.0","id":1,"result":null}',
                     '{"jsonrpc":"2.0","id":1,"result":{"protocol_version":1}}', "[" * 5000, "1" * 5000,
                     '{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"x"},"id":1}',
                     '{"jsonrpc":"2.0","id":1,"result":{"data":"AA=="}}']),
)


def schema_accepts(entry: Any) -> bool:
    return not REGISTRY.validate(entry, ENTRY_REF)


def reader_accepts(entry: Any) -> bool:
    try:
        list(read_transcript(io.StringIO(json.dumps(HEADER) + "\n" + json.dumps(entry) + "\n"))[1])
    except TranscriptFormatError:
        return False
    return True


BASES = [
    {"kind": "launch", "launch": "1", "time": 0, "project_dir": "/p"},
    {"kind": "message", "launch": "1", "direction": "request", "time": 0.5, "revision": None, "text": "{}"},
    {"kind": "message", "launch": "1", "direction": "reply", "time": 1, "revision": 2, "base64": "AA==", "partial": True,
     "digests": [{"pointer": "/result/data", "length": 3, "sha256": "0" * 64}]},
    {"kind": "exit", "launch": "1", "time": 2, "status": -9},
    {"kind": "limit", "time": 3, "max_bytes": 4096, "message": "stopped"},
]


def test_the_reader_and_the_schema_agree_on_every_boundary_mutation() -> None:
    """Every entry kind with each member set to each boundary value, or removed: accepted by both or refused by both."""
    disagreements = []
    for base in BASES:
        assert reader_accepts(base) and schema_accepts(base), base
        for key, values in BOUNDARY.items():
            for value in [*values, DELETED]:
                entry = _mutated(base, key, value)
                if (key == "digests" and isinstance(value, list) and value and value[0].get("sha256") == "0" * 64 + "\n") \
                        or (key == "base64" and value == "AA==\n"):
                    continue  # Python's `$` in jsonschema's patterns matches before a final newline; JSON Schema's does not
                if reader_accepts(entry) != schema_accepts(entry):
                    disagreements.append(f"{base['kind']} with {key}={'(removed)' if value is DELETED else repr(value)}: "
                                         f"reader {reader_accepts(entry)}, schema {schema_accepts(entry)}")
    assert disagreements == []


@FUZZ
@given(ENTRIES)
def test_the_reader_accepts_exactly_what_the_schema_accepts(entry: dict[str, Any]) -> None:
    if str(entry.get("base64")).endswith("\n") or isinstance(entry.get("digests"), list) and any(
            isinstance(d, dict) and str(d.get("sha256")).endswith("\n") for d in entry["digests"]):
        return  # Python's `$` in jsonschema's patterns matches before a final newline; JSON Schema's does not
    assert reader_accepts(entry) == schema_accepts(entry), entry


@FUZZ
@given(st.lists(st.one_of(
    st.tuples(st.sampled_from(["request", "reply"]), st.sampled_from(["1", "2"]), st.one_of(st.none(), st.integers(1, 3)), WIRE_TEXT).map(
        lambda t: json.dumps({"kind": "message", "direction": t[0], "launch": t[1], "revision": t[2], "time": 1, "text": t[3]})),
    st.text(max_size=40),
    st.just('{"kind":"message","launch":"1","direction":"reply","time":' + "9" * 5000 + ',"revision":null,"text":""}'),
), max_size=12))
def test_check_transcript_raises_only_its_format_error(lines: list[str]) -> None:
    stream = io.StringIO(json.dumps(HEADER) + "\n" + "\n".join(lines) + "\n")
    try:
        report = check_transcript(stream, REGISTRY)
    except TranscriptFormatError as exc:
        assert exc.line >= 2 and str(exc).startswith(f"line {exc.line}: ")
    else:
        assert all(v.line >= 0 for v in report.violations)


@FUZZ
@given(st.one_of(st.binary(max_size=64), WIRE_TEXT.map(str.encode)), st.one_of(st.binary(max_size=64), WIRE_TEXT.map(str.encode)),
       st.sampled_from([None, "read_transport", "build"]), st.sampled_from([None, 1, 2]))
def test_equivalence_never_raises_and_is_reflexive(a: bytes, b: bytes, method: str | None, revision: int | None) -> None:
    compare_replies(a, b, method, revision)
    assert compare_replies(a, a, method, revision) is None
