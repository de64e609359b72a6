"""protocol/options.py: option checks against declared ProjectOptions and conversion of command-line strings by declared type."""

from __future__ import annotations

import re

import pytest

from microtvm_project_api.client.errors import OptionsError
from microtvm_project_api.generated.models import ProjectOptionV2
from microtvm_project_api.protocol.options import check_options, convert_option_strings, parse_option_string

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
