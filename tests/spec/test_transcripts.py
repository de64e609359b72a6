"""Transcripts against schema/transcript.json: every transcript the project commits, and what the typed client and
`microtvm-project record` write, are valid, line by line, and pass `spec check-transcript`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.spec_tools.transcript_check import check_transcript

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted(ROOT / path for path in subprocess.run(["git", "ls-files", "*.jsonl"], cwd=ROOT, capture_output=True, text=True,
                                                          check=True).stdout.split())


def schema_violations(path: Path) -> list[str]:
    registry = default_registry()
    header, entry = registry.definition_uri("TranscriptHeader"), registry.definition_uri("TranscriptEntry")
    found = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        found += [f"line {number}{v.pointer}: {v.message}" for v in registry.validate(json.loads(text), header if number == 1 else entry)]
    return found


def test_the_project_commits_transcripts() -> None:
    assert any("golden" in path.parts for path in COMMITTED)


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_committed_transcript_is_valid_and_conforms(path: Path) -> None:
    assert schema_violations(path) == []
    with path.open(encoding="utf-8") as stream:
        assert check_transcript(stream, default_registry()).violations == []


def test_what_the_typed_client_writes_is_valid(tmp_path: Path) -> None:
    transcript = tmp_path / "client.jsonl"
    with ProjectApiClient.launch(ROOT / "examples" / "loopback", transcript=transcript) as client:
        client.server_info_query()
    assert schema_violations(transcript) == []


def test_what_record_writes_is_valid(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "sessions"))
    from golden_sessions import record_session

    transcript = tmp_path / "recorded.jsonl"
    record_session("loopback", transcript, tmp_path, "--payload-digest")
    assert schema_violations(transcript) == []
