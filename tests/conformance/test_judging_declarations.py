"""The kit's pure judging of what a server declares (conformance/checks/server_info.py, params.py), without a server."""

from __future__ import annotations

import pytest

from microtvm_project_api.conformance.checks.server_info import _option_problems, _supported_problems
from microtvm_project_api.conformance.params import wrong_type_value

GOOD = {"name": "board", "type": "str", "optional": ["build"], "default": "qemu", "choices": ["qemu", "nucleo"], "help": "Board."}


@pytest.mark.parametrize("change, problems", [
    ({}, []),
    ({"optional": ["biuld"]}, ["'biuld' in required/optional is not a method that takes options (generate_project, build, flash, open_transport)"]),
    ({"optional": None}, ["neither required nor optional lists a method"]),
    ({"required": ["build"]}, ["build is both required and optional"]),
    ({"default": 2}, ["default 2 is not a str value"]),
    ({"choices": ["qemu", 3]}, ["choice 3 is not a str value"]),
    ({"type": "integer"}, ["type 'integer' is not one of bool, str, int, float"]),
    ({"type": "int", "default": True, "choices": [1, 2.5]}, ["default True is not a int value", "choice 2.5 is not a int value"]),
])
def test_option_metadata_problems_are_listed_all_at_once(change, problems) -> None:
    assert _option_problems({**GOOD, **change}) == problems


@pytest.mark.parametrize("info, problems", [
    ({"supported_methods": ["server_info_query", "generate_project"], "is_template": True}, []),
    ({"supported_methods": ["generate_project"], "is_template": True}, ["server_info_query is missing"]),
    ({"supported_methods": ["server_info_query", "open_transport", "close_transport"], "is_template": False},
     ["only some transport methods are listed: ['close_transport', 'open_transport']"]),
    ({"supported_methods": ["server_info_query", "generate_project"], "is_template": False}, ["a generated project lists generate_project"]),
])
def test_supported_methods_problems(info, problems) -> None:
    assert [p.split(": ", 1)[1] for p in _supported_problems(info)] == problems


@pytest.mark.parametrize("allowed, value", [("string", 7), ("integer", "1"), ("number", "1"), (["string", "null"], 7),
                                            (["string", "integer", "array"], None), (None, "1")])
def test_a_wrong_typed_value_is_the_first_candidate_the_schema_does_not_allow(allowed, value) -> None:
    assert wrong_type_value(allowed) == value
