"""protocol/options.py and option_rules.py: option checks against declared ProjectOptions, conversion of command-line
strings by declared type, and the declaration rules read from the schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from microtvm_project_api.client.errors import OptionsError
from microtvm_project_api.generated.models import ProjectOptionV2
from microtvm_project_api.protocol.option_rules import project_options_problems, rules_from
from microtvm_project_api.protocol.options import check_options, convert_option_strings, parse_option_string

ROOT = Path(__file__).resolve().parents[2]

DECLARED = [
    ProjectOptionV2(name="board", type="str", required=["flash"], optional=["open_transport"],
                    choices=["qemu_x86", "nrf5340dk"], help="the board"),
    ProjectOptionV2(name="verbose", type="bool", optional=["build", "flash"], help="say more"),
    ProjectOptionV2(name="jobs", type="int", optional=["build"], help="parallel jobs"),
    ProjectOptionV2(name="speed", type="float", optional=["open_transport"], help="baud"),
    ProjectOptionV2(name="mode", type="int", optional=["build"], choices=[1, 2], help="mode"),
]


def problems(method: str, options: dict) -> list[str]:
    with pytest.raises(OptionsError) as raised:
        check_options(DECLARED, method, options)
    return raised.value.problems


def test_valid_options_pass() -> None:
    check_options(DECLARED, "flash", {"board": "qemu_x86", "verbose": True})
    check_options(DECLARED, "open_transport", {"speed": 9600, "board": "nrf5340dk"})


def test_option_declared_for_another_method_is_accepted() -> None:
    check_options(DECLARED, "build", {"speed": 1.5})


def test_unknown_option_lists_the_valid_names() -> None:
    assert problems("build", {"jbos": 4}) == ["build: unknown option 'jbos'; valid options: board, jobs, mode, speed, verbose"]


def test_missing_required_option() -> None:
    assert problems("flash", {}) == ["flash: flash requires option 'board' (the board)"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"jobs": True}, "build: option 'jobs' takes a int value, not True"),
        ({"jobs": 1.5}, "build: option 'jobs' takes a int value, not 1.5"),
        ({"verbose": "yes"}, "build: option 'verbose' takes a bool value, not 'yes'"),
        ({"speed": False}, "build: option 'speed' takes a float value, not False"),
        ({"mode": 3}, "build: option 'mode': 3 is not one of its choices: 1, 2"),
    ],
)
def test_wrong_type_or_choice(options: dict, expected: str) -> None:
    assert problems("build", options) == [expected]


def test_every_problem_is_reported_at_once() -> None:
    assert len(problems("flash", {"x": 1, "verbose": "y"})) == 3


@pytest.mark.parametrize(
    ("strings", "expected"),
    [
        ({"verbose": "true"}, {"verbose": True}),
        ({"verbose": "NO"}, {"verbose": False}),
        ({"verbose": "1"}, {"verbose": True}),
        ({"verbose": "0"}, {"verbose": False}),
        ({"jobs": "8"}, {"jobs": 8}),
        ({"speed": "115200"}, {"speed": 115200.0}),
        ({"speed": "1e3"}, {"speed": 1000.0}),
        ({"board": "qemu_x86"}, {"board": "qemu_x86"}),
        ({"mode": "2"}, {"mode": 2}),
    ],
)
def test_strings_convert_by_declared_type(strings: dict, expected: dict) -> None:
    converted = convert_option_strings(DECLARED, strings)
    assert converted == expected
    assert [type(v) for v in converted.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize(
    ("strings", "expected"),
    [
        ({"verbose": "maybe"}, "option 'verbose': 'maybe' is not a bool (true/false, 1/0, yes/no)"),
        ({"jobs": "1.5"}, "option 'jobs': '1.5' is not an int"),
        ({"speed": "fast"}, "option 'speed': 'fast' is not a float"),
        ({"speed": "nan"}, "option 'speed': 'nan' is not a finite float"),
        ({"board": "esp32"}, "option 'board': 'esp32' is not one of its choices: qemu_x86, nrf5340dk"),
        ({"mode": "3"}, "option 'mode': '3' is not one of its choices: 1, 2"),
        ({"bord": "x"}, "unknown option 'bord'; valid options: board, jobs, mode, speed, verbose"),
    ],
)
def test_bad_strings_name_the_option(strings: dict, expected: str) -> None:
    with pytest.raises(OptionsError) as raised:
        convert_option_strings(DECLARED, strings)
    assert raised.value.problems == [expected]


def test_no_declared_options_says_so() -> None:
    with pytest.raises(OptionsError, match=r"valid options: \(none: this server declares no options\)"):
        convert_option_strings([], {"a": "1"})


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("int", "0x10", "'0x10' is not an int"),
        ("bool", "on", "'on' is not a bool (true/false, 1/0, yes/no)"),
        ("float", "nan", "'nan' is not a finite float"),
        ("int", "010", 10),
    ],
)
def test_build_and_conform_convert_option_strings_by_one_rule(kind: str, text: str, expected: object) -> None:
    """`microtvm-project build --option` (convert_option_strings) and `conform --option` (typed_options) agree."""
    from microtvm_project_api.conformance.context import UsageError, typed_options

    declared = ProjectOptionV2(name="x", type=kind, optional=["build"], help="x")
    if isinstance(expected, str):
        with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
            parse_option_string(kind, text)
        with pytest.raises(OptionsError, match=re.escape(f"option 'x': {expected}")):
            convert_option_strings([declared], {"x": text})
        with pytest.raises(UsageError, match=f"--option x={text}: not a {kind} value"):
            typed_options([declared.model_dump(mode="json", exclude_none=True)], {"x": text})
    else:
        assert convert_option_strings([declared], {"x": text}) == {"x": expected}
        assert typed_options([declared.model_dump(mode="json", exclude_none=True)], {"x": text}) == {"x": expected}


def schema_definitions() -> dict:
    return copy.deepcopy(json.loads((ROOT / "schema" / "types.json").read_text())["$defs"])


def test_declaration_rules_are_read_from_the_schema() -> None:
    """The methods, the value types and the rules' sentences are the schema's: a change there changes the rules."""
    definitions = schema_definitions()
    known = rules_from(definitions)
    assert known.methods == ("generate_project", "build", "flash", "open_transport")
    assert known.value_types == {"bool": ("boolean",), "str": ("string",), "int": ("integer",), "float": ("number",)}
    float_clause = next(c for c in definitions["ProjectOptionRules"]["allOf"] if c.get("if", {}).get("properties", {})
                        .get("type", {}).get("const") == "float")
    float_clause["then"]["properties"]["default"]["type"] = ["integer", "null"]
    definitions["OptionMethod"]["enum"].append("deploy")
    changed = rules_from(definitions)
    assert not changed.is_value("float", 1.5) and changed.is_value("float", 2)
    assert "deploy" in changed.methods


def test_a_rule_of_an_unknown_shape_stops_loading_naming_it() -> None:
    definitions = schema_definitions()
    definitions["ProjectOptionRules"]["allOf"].append({"oneOf": [{"required": ["help"]}], "x-rule": "new"})
    index = len(definitions["ProjectOptionRules"]["allOf"]) - 1
    with pytest.raises(ValueError, match=f"types.json#/\\$defs/ProjectOptionRules/allOf/{index}: a clause"):
        rules_from(definitions)


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ({"name": "a", "type": "int", "optional": ["build"], "default": 0.5},
         [("/project_options/0/default", "default 0.5 is not a int value")]),
        ({"name": "a", "type": "int", "optional": ["build"], "default": True},
         [("/project_options/0/default", "default True is not a int value")]),
        ({"name": "a", "type": "float", "optional": ["build"], "default": 2, "choices": [1, 2.5]}, []),
        ({"name": "a", "type": "str", "optional": ["biuld"]},
         [("/project_options/0/optional/0", "'biuld' in required/optional is not a method that takes options "
                                            "(generate_project, build, flash, open_transport)")]),
        ({"name": "a", "type": "str", "required": [], "optional": None},
         [("/project_options/0", "at least one of required and optional is a non-empty list of methods")]),
        ({"name": "a", "type": "str", "required": ["build", "flash"], "optional": ["flash", "build"]},
         [("/project_options/0", "a method is never both required and optional: build"),
          ("/project_options/0", "a method is never both required and optional: flash")]),
        ({"name": "a", "type": "bool", "optional": ["build"], "choices": [True, 1]},
         [("/project_options/0/choices/1", "choice 1 is not a bool value")]),
        ({"name": "a", "type": "string", "optional": ["build"], "default": "x"},
         [("/project_options/0/type", "type 'string' is not one of bool, str, int, float")]),
        ({"name": "a", "type": "str", "required": "build"},
         [("/project_options/0", "at least one of required and optional is a non-empty list of methods")]),
        ("board", [("/project_options/0", "'board' is not an option declaration (an object)")]),
    ],
)
def test_each_declaration_problem_is_named_at_its_pointer(option: object, expected: list) -> None:
    assert [(v.pointer, v.message) for v in project_options_problems([option])] == expected


def test_option_names_are_unique_and_a_list_is_expected() -> None:
    options = [{"name": "a", "type": "str", "optional": ["build"]}] * 2
    assert [(v.pointer, v.message) for v in project_options_problems(options)] == [
        ("/project_options/1/name", "option name 'a' is declared twice")]
    assert project_options_problems({"a": 1}) == []
