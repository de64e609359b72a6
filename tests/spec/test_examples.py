"""schema/examples/: every valid example passes and every invalid one fails exactly where annotated,
through the jsonschema registry and through the generated models, in each revision it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from microtvm_project_api.generated.methods import REVISIONS, SERVER_INFO_QUERY
from microtvm_project_api.protocol.agreement import check_query_params
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.violations import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "schema" / "examples"


def _cases(kind: str) -> list[Any]:
    return list(_iter_cases(kind))


def _iter_cases(kind: str) -> Iterator[Any]:
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text())
        for part in ("params", "result"):
            for example in document[part][kind]:
                for revision in example["revisions"]:
                    yield pytest.param(document["method"], part, revision, example,
                                       id=f"v{revision}-{document['method']}-{part}-{example['title']}")


def _validate(method: str, part: str, revision: int, value: Any) -> list:
    registry = default_registry()
    return registry.validate_params(revision, method, value) if part == "params" else registry.validate_result(revision, method, value)


def _parse(method: str, part: str, revision: int, value: Any) -> tuple:
    """The model path, as the SDK and the client take it: the table's model, and the metadata rules for server info."""
    entry = REVISIONS[revision].methods[method]
    parsed, violations = parse(entry.params_model if part == "params" else entry.result_model, value)
    if parsed is not None and part == "result" and method == SERVER_INFO_QUERY:
        violations = check_server_info(value, revision)
        return (None, violations) if violations else (parsed, [])
    if parsed is not None and part == "params" and method == SERVER_INFO_QUERY:
        violations = check_query_params(value)
        return (None, violations) if violations else (parsed, [])
    return parsed, violations


def _under(pointer: str, prefixes: list[str]) -> bool:
    return any(pointer == p or pointer.startswith(p + "/") for p in prefixes)


def test_every_method_has_examples() -> None:
    covered = {json.loads(p.read_text())["method"] for p in EXAMPLES.glob("*.json")}
    assert covered == set(default_registry().revision(2).methods)


@pytest.mark.parametrize("method,part,revision,example", _cases("valid"))
def test_valid_example_passes_schema_and_models(method: str, part: str, revision: int, example: dict) -> None:
    assert _validate(method, part, revision, example["value"]) == []
    parsed, violations = _parse(method, part, revision, example["value"])
    assert violations == []
    # Round trip: what the model dumps (unset members left out) validates against the schema.
    dumped = parsed.model_dump(mode="json", exclude_unset=True)
    assert _validate(method, part, revision, dumped) == []


@pytest.mark.parametrize("method,part,revision,example", _cases("invalid"))
def test_invalid_example_fails_exactly_where_annotated(method: str, part: str, revision: int, example: dict) -> None:
    found = {v.pointer for v in _validate(method, part, revision, example["value"])}
    assert found == set(example["pointers"])
    parsed, violations = _parse(method, part, revision, example["value"])
    assert parsed is None and violations
    assert all(_under(v.pointer, example["pointers"]) for v in violations), violations
