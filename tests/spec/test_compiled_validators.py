"""generated/validators.py: compiled from schema/, it finds every violation of the examples exactly where they are
annotated (payload strings through the codec's strict decoder), and says so in the generated models' words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from microtvm_project_api.generated import models
from microtvm_project_api.protocol import checks
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.payload import PayloadDecodeError
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.violations import from_pydantic

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "schema" / "examples"
GENERATOR = ROOT / "tools" / "generate_validators.py"
PAYLOAD_METHODS = {("params", "write_transport"), ("result", "read_transport")}


def _cases() -> list[Any]:
    cases = []
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text())
        for part in ("params", "result"):
            for kind in ("valid", "invalid"):
                for example in document[part][kind]:
                    for revision in example["revisions"]:
                        cases.append(pytest.param(document["method"], part, revision, example,
                                                  id=f"v{revision}-{document['method']}-{part}-{kind}-{example['title']}"))
    return cases


def _compiled(method: str, part: str, revision: int, value: Any) -> list:
    found = (checks.params_violations if part == "params" else checks.result_violations)(revision, method, value)
    if not found and (part, method) in PAYLOAD_METHODS:
        try:
            default_registry().revision(revision).codec.decode(value["data"])
        except PayloadDecodeError:
            return ["/data"]
    return [v.pointer for v in found]


def _pydantic(method: str, part: str, revision: int, value: Any) -> list[tuple[str, str]]:
    spec = default_registry().revision(revision).methods[method]
    model = getattr(models, (spec.params_ref if part == "params" else spec.result_ref).rsplit("/", 1)[1])
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return [(v.pointer, v.message) for v in from_pydantic(exc)]
    if part == "result" and method == "server_info_query":
        return [(v.pointer, v.message) for v in check_server_info(value, revision)]
    return []


@pytest.mark.parametrize("method,part,revision,example", _cases())
def test_compiled_validators_find_each_example_violation_where_annotated(method: str, part: str, revision: int, example: dict) -> None:
    """Valid: nothing found. Invalid: something found, and only at or below the annotated pointers (a missing member
    is reported at its own pointer, as the models do, where JSON Schema reports its parent)."""
    found = _compiled(method, part, revision, example["value"])
    annotated = example.get("pointers", [])
    assert bool(found) == bool(annotated)
    assert all(any(p == a or p.startswith(a + "/") for a in annotated) for p in found), found


@pytest.mark.parametrize("method,part,revision,example", _cases())
def test_compiled_validators_word_violations_as_the_generated_models(method: str, part: str, revision: int, example: dict) -> None:
    value = example["value"]
    found = (checks.params_violations if part == "params" else checks.result_violations)(revision, method, value)
    expected = _pydantic(method, part, revision, value)
    if (part, method) in PAYLOAD_METHODS:  # the models match the payload pattern; the codec judges it instead
        expected = [(pointer, message) for pointer, message in expected if not message.startswith("String should match pattern")]
    if not expected and found:  # where the models are laxer than the schema (uniqueItems, null for an optional member)
        assert {v.rule for v in found} <= {"uniqueItems", "list_type"}, found
        return
    assert [(v.pointer, v.message) for v in found] == expected


@pytest.mark.parametrize("value, expected", [
    ({"n": True, "timeout_sec": "soon", "x": 1}, [("/n", "Input should be a valid integer"), ("/timeout_sec", "Input should be a valid number"),
                                                  ("/x", "Extra inputs are not permitted")]),
    ({"timeout_sec": -0.5}, [("/n", "Field required"), ("/timeout_sec", "Input should be greater than or equal to 0")]),
    ([], [("", "Input should be a valid dictionary or instance of ReadTransportParams")]),
])
def test_several_violations_are_all_reported_in_field_order(value: Any, expected: list) -> None:
    assert [(v.pointer, v.message) for v in checks.params_violations(2, "read_transport", value)] == expected
    assert _pydantic("read_transport", "params", 2, value) == expected


@pytest.mark.parametrize("options", [{"bad name": 1}, {"a/b~c": True}, {"ok": [1]}, {"ok": None}, {"ok": {"x": 1}}, {"": 1}], ids=repr)
def test_option_maps_are_judged_and_worded_as_the_models_do(options: dict) -> None:
    found = [(v.pointer, v.message) for v in checks.params_violations(2, "build", {"options": options})]
    assert found and found == _pydantic("build", "params", 2, {"options": options})


def test_generated_validators_match_the_schema() -> None:
    """`make generate` reproduces generated/validators.py byte for byte."""
    check = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
