"""Every JSON Schema keyword the spec may use, added to a copy of schema/ and compiled there: the generated validator
refuses what breaks it and accepts what keeps it, as JSON Schema itself (the jsonschema library) judges both.

Each bound is put on `probe`, a member added to ErrorData (the one open object of the spec, reached from every error
reply), so each case changes the schema in one place and is judged through the generated REPLIES table."""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from schema_copies import ROOT, compiled, copy_schema, put, tool

PROBE = "/data/probe"

CASES = [  # keyword, the probe's schema, values that keep it, values that break it, the rule a break is reported as
    ("minimum", {"type": "number", "minimum": 1}, [1, 1.5, 10**30], [0.99, -1], "greater_than_equal"),
    ("maximum", {"type": "integer", "maximum": 65536}, [65536, -5], [65537, 10**30], "less_than_equal"),
    ("exclusiveMinimum", {"type": "number", "exclusiveMinimum": 0}, [0.001, 1], [0, -0.0, -1], "greater_than"),
    ("exclusiveMaximum", {"type": "number", "exclusiveMaximum": 10}, [9.99, -10], [10, 10.0, 11], "less_than"),
    ("multipleOf", {"type": "number", "multipleOf": 0.1}, [0.5, 3, 0, -2.5, 1e300], [0.35, 1e-9], "multiple_of"),
    ("multipleOf", {"type": "integer", "multipleOf": 3}, [9, 0, -3, 3 * 10**40], [10, 3 * 10**40 + 1], "multiple_of"),
    ("minLength", {"type": "string", "minLength": 2}, ["ab", "éé", "💡💡"], ["a", ""], "string_too_short"),
    ("maxLength", {"type": "string", "maxLength": 3}, ["abc", "ééé", "💡💡💡"], ["abcd"], "string_too_long"),
    ("minItems", {"type": "array", "minItems": 2}, [[1, 2]], [[1], []], "too_short"),
    ("maxItems", {"type": "array", "maxItems": 2}, [[1, 2], []], [[1, 2, 3]], "too_long"),
    ("uniqueItems", {"type": "array", "uniqueItems": True},
     [[1, True], [0, False], [1, "1"], [None, False, 0, ""], [{"a": 1}, {"a": 2}], [[1], [True]], [1.5, 2.5], [2**61 - 1, 0], [1e300, 10**300],
      [{"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}]],
     [[1, 1.0], [True, True], [None, None], ["x", "x"], [0, -0.0], [{"a": 1, "b": 2}, {"b": 2, "a": 1.0}], [[1, [2]], [1, [2.0]]],
      [2**61 - 1 + 5, 2**61 - 1 + 5], [1e300, int(1e300)]], "uniqueItems"),
    ("pattern", {"type": "string", "pattern": "^[a-z]+(-[a-z]+)*$"}, ["ab", "a-b"], ["A", "a-", "a b"], "string_pattern_mismatch"),
    ("enum", {"enum": [1, "a", None, [1], {"k": 1}]}, [1, 1.0, "a", None, [1.0], {"k": 1.0}],
     [True, "1", 0, [True], {"k": True}, [1, 1], False], "enum"),
    ("enum", {"type": "string", "enum": ["x", "y"]}, ["x", "y"], ["z", 1], "enum"),
    ("const", {"const": 1}, [1, 1.0], [True, "1", 2], "literal_error"),
    ("const", {"const": True}, [True], [1, "true"], "literal_error"),
    ("const", {"const": [1, {"a": None}]}, [[1, {"a": None}], [1.0, {"a": None}]], [[True, {"a": None}], [1, {}]], "literal_error"),
    ("anyOf", {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 10}]}, ["ab", 10], ["abc", 9, None, True], "anyOf"),
    ("oneOf", {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 5}]}, [1, 5.5], [6, "x", True], "oneOf"),
    ("enum", {"type": ["string", "null"], "enum": ["a", None]}, ["a", None], ["b", 1], "enum"),
    ("enum", {"type": ["string", "null"], "enum": ["a"]}, ["a"], [None, "b"], "enum"),
    ("type", {"type": "integer"}, [0, -3, 10**40], [True, 1.5, "1", None], "int_type"),
    ("type", {"type": "number"}, [0, 1.5], [True, False, "1"], "float_type"),
]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A function compiling a probe schema into a copy of schema/ (ErrorData's `probe` member): the generated module."""
    cache: dict[str, ModuleType] = {}

    def compile_probe(schema: dict[str, Any]) -> ModuleType:
        key = repr(schema)
        if key not in cache:
            folder = copy_schema(tmp_path_factory.mktemp("schema"))
            put(folder, "jsonrpc.json", "/$defs/ErrorData/properties/probe", schema)
            assert tool("check_schema").schema_errors(folder) == []
            assert tool("generate_validators").unsupported(folder) == []
            cache[key] = compiled(folder)
        return cache[key]

    return compile_probe


def _found(validators: ModuleType, value: Any) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    validators.REPLIES["ErrorObject"]({"code": -32000, "message": "m", "data": {"probe": value}}, "", found)
    return found


@pytest.mark.parametrize("keyword, schema, keeps, breaks, rule", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_keyword_added_to_the_schema_is_enforced_as_json_schema_says(probe: Any, keyword: str, schema: dict, keeps: list,
                                                                       breaks: list, rule: str) -> None:
    validators = probe(schema)
    reference = Draft202012Validator(schema)
    for value in keeps:
        assert reference.is_valid(value), value  # the case itself is right
        assert _found(validators, value) == [], value
    for value in breaks:
        assert not reference.is_valid(value), value
        found = _found(validators, value)
        assert [(pointer, found_rule) for pointer, _, found_rule in found] == [(PROBE, rule)], (value, found)


def test_messages_name_the_bound_as_the_models_do(probe: Any) -> None:
    assert _found(probe({"type": "integer", "maximum": 65536}), 65537) == [(PROBE, "Input should be less than or equal to 65536", "less_than_equal")]
    assert _found(probe({"type": "string", "maxLength": 3}), "abcd") == [(PROBE, "String should have at most 3 characters", "string_too_long")]
    assert _found(probe({"type": "array", "maxItems": 2}), [1, 2, 3]) == [
        (PROBE, "List should have at most 2 items after validation, not 3", "too_long")]
    assert _found(probe({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 5}]}), 6) == [
        (PROBE, "Input should match exactly one of: integer, {\"type\":\"number\",\"minimum\":5}; it matches 2", "oneOf")]


def test_where_the_python_reference_departs_from_json_schema_the_spec_is_followed(probe: Any) -> None:
    """multipleOf compares the numbers as written (0.3 is 3 times 0.1; float division says 2.9999999999999996), and a
    pattern's `$` ends the string (Python's re.search also lets it match before a final newline; ECMA 262 does not)."""
    multiple = probe({"type": "number", "multipleOf": 0.1})
    assert _found(multiple, 0.3) == _found(multiple, -0.7) == []
    assert Draft202012Validator({"multipleOf": 0.1}).is_valid(0.3) is False
    anchored = probe({"type": "string", "pattern": "^[a-z]+$"})
    assert [r for _, _, r in _found(anchored, "ab\n")] == ["string_pattern_mismatch"]
    assert Draft202012Validator({"pattern": "^[a-z]+$"}).is_valid("ab\n") is True


def test_a_bound_and_a_type_break_at_once_are_both_reported(probe: Any) -> None:
    """A type error stops that value's other checks (as in the models), but every member is judged."""
    validators = probe({"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}, "s": {"type": "string", "maxLength": 1}}})
    assert [(p, r) for p, _, r in _found(validators, {"n": 4, "s": "ab"})] == [(PROBE + "/n", "less_than_equal"), (PROBE + "/s", "string_too_long")]
    assert [(p, r) for p, _, r in _found(validators, {"n": "4"})] == [(PROBE + "/n", "int_type")]


def test_maximum_on_read_transport_n_refuses_the_next_integer(tmp_path: Path) -> None:
    folder = copy_schema(tmp_path)
    put(folder, "methods/read_transport.json", "/$defs/ReadTransportParams/properties/n/maximum", 65536)
    validators = compiled(folder)
    for revision in (1, 2):
        found: list = []
        validators.PARAMS[revision]["read_transport"]({"n": 65537, "timeout_sec": None}, "", found)
        assert found == [("/n", "Input should be less than or equal to 65536", "less_than_equal")]
        found = []
        validators.PARAMS[revision]["read_transport"]({"n": 65536, "timeout_sec": None}, "", found)
        assert found == []


def test_uniqueness_of_40000_protocol_versions_is_linear() -> None:
    """Issue 23: a server_info_query whose protocol_versions holds 40,000 integers (a 269 KB line) took 14.4 s when
    uniqueness was checked against a list; a set of keys takes milliseconds, and a duplicate at the end is found."""
    from microtvm_project_api.protocol import checks

    versions = list(range(2, 40_002))
    started = time.perf_counter()
    assert checks.params_violations(2, "server_info_query", {"tvm_version": "0.18.0", "protocol_versions": versions}) == []
    versions.append(float(versions[-1]))  # equal to the last as JSON compares: also a float, not an integer
    found = checks.params_violations(2, "server_info_query", {"tvm_version": "0.18.0", "protocol_versions": versions})
    elapsed = time.perf_counter() - started
    assert [(v.pointer, v.rule) for v in found] == [("/protocol_versions", "uniqueItems"), ("/protocol_versions/40000", "int_type")]
    assert elapsed < 0.5, elapsed


@pytest.mark.parametrize("items", [
    [10**18 * (2**61 - 1) + i * (2**61 - 1) for i in range(20_000)],  # one hash for all, were integers their own keys
    [i + 0.5 for i in range(20_000)],  # fractions, keyed by their text
    [[i] for i in range(20_000)],
])
def test_uniqueness_stays_linear_for_values_chosen_to_collide(items: list) -> None:
    validators = compiled(ROOT / "schema")
    started = time.perf_counter()
    assert validators._unique(items)
    assert not validators._unique(items + items[:1])
    assert time.perf_counter() - started < 1.0


def test_uniqueness_of_deeply_nested_items_does_not_overflow_the_stack() -> None:
    validators = compiled(ROOT / "schema")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert validators._unique([deep, 1])
    assert not validators._unique([deep, deep])


def test_object_keywords_judge_members_and_names(probe: Any) -> None:
    """`required` names a member the object does not declare; `propertyNames` holds any string keyword, or a schema."""
    assert [(p, r) for p, _, r in _found(probe({"type": "object", "required": ["a"]}), {})] == [(PROBE + "/a", "missing")]
    short_names = probe({"type": "object", "propertyNames": {"maxLength": 2}})
    assert _found(short_names, {"ab": 1}) == []
    assert [(p, r) for p, _, r in _found(short_names, {"abc": 1})] == [(PROBE + "/abc", "string_too_long")]
    listed_names = probe({"type": "object", "propertyNames": {"enum": ["a"]}, "additionalProperties": {"type": "integer", "maximum": 1}})
    assert [(p, r) for p, _, r in _found(listed_names, {"a": 1, "b": 2})] == [(PROBE + "/b", "enum"), (PROBE + "/b", "less_than_equal")]


def test_a_reference_and_the_keywords_beside_it_both_apply(probe: Any) -> None:
    validators = probe({"$ref": "#/$defs/MethodNameSyntax", "maxLength": 3})
    assert _found(validators, "abc") == []
    assert [r for _, _, r in _found(validators, "abcd")] == ["string_too_long"]
    assert [r for _, _, r in _found(validators, "a-")] == ["string_pattern_mismatch"]
