"""Options checked against the declared ProjectOptions over real pipes: each refusal names the option; defaults
are filled in before the handler sees them; options declared for other methods are accepted and dropped."""

from __future__ import annotations

import json

import pytest


def seen(fixture_dir):
    return json.loads((fixture_dir / "seen_options.json").read_text())


@pytest.mark.parametrize("revision", [1, 2])
@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "build: /options/board: option 'board' is required by build"),
        ({"board": "c"}, "build: /options/board: 'c' is not one of the choices ['a', 'b']"),
        ({"board": 1}, "build: /options/board: expected a str value, got 1"),
        ({"board": "a", "jobs": 2.5}, "build: /options/jobs: expected a int value, got 2.5"),
        ({"board": "a", "jobs": True}, "build: /options/jobs: expected a int value, got True"),
        ({"board": "a", "scale": "big"}, "build: /options/scale: expected a float value, got 'big'"),
        ({"board": "a", "verbose": 0}, "build: /options/verbose: expected a bool value, got 0"),
    ],
)
def test_bad_option_values_are_refused_naming_the_option(start, fixture_dir, revision, options, message):
    server = start(fixture_dir, revision)
    assert server.error("build", {"options": options}) == {"code": -32602, "message": message}
    assert not (fixture_dir / "seen_options.json").exists()
    server.result("build", {"options": {"board": "a"}})


def test_unknown_option_is_refused_in_revision_2(start, fixture_dir):
    server = start(fixture_dir)
    assert server.error("build", {"options": {"board": "a", "bord": "b"}}) == {
        "code": -32602, "message": "build: /options/bord: unknown option 'bord'; valid options: board, forever, jobs, scale, serial, verbose"}


def test_unknown_option_is_dropped_in_revision_1(start, fixture_dir):
    server = start(fixture_dir, 1)
    assert server.result("build", {"options": {"board": "a", "bord": "b"}}) is None
    assert seen(fixture_dir) == {"board": "a", "jobs": 2, "scale": None, "verbose": False}


@pytest.mark.parametrize("revision", [1, 2])
def test_defaults_filled_and_other_methods_options_dropped(start, fixture_dir, revision):
    server = start(fixture_dir, revision)
    assert server.result("build", {"options": {"board": "b", "serial": "1234", "scale": 2}}) is None
    assert seen(fixture_dir) == {"board": "b", "jobs": 2, "scale": 2, "verbose": False}
    assert server.result("build", {"options": {"board": "a", "jobs": 8, "scale": 0.5, "verbose": True}}) is None
    assert seen(fixture_dir) == {"board": "a", "jobs": 8, "scale": 0.5, "verbose": True}


def test_declared_options_reported_per_revision(start, fixture_dir):
    v1 = start(fixture_dir, 1).info()["project_options"][1]
    v2 = start(fixture_dir, 2).info()["project_options"][1]
    assert v1 == {"name": "jobs", "type": "int", "required": None, "optional": ["build"], "default": 2, "choices": None,
                  "help": "Parallel jobs."}
    assert v2 == {"name": "jobs", "type": "int", "optional": ["build"], "default": 2, "help": "Parallel jobs."}


def tvm_options(**given):
    """Options as TVM's shipped client sends them to every method: every declared option, null unless given."""
    return {name: None for name in ("board", "jobs", "scale", "verbose", "serial", "forever")} | given


def test_revision_1_reads_null_as_not_set_and_accepts_every_declared_option(start, fixture_dir):
    server = start(fixture_dir, 1)
    assert server.result("build", {"options": tvm_options(board="b", serial="1234")}) is None
    assert seen(fixture_dir) == {"board": "b", "jobs": 2, "scale": None, "verbose": False}
    assert server.result("build", {"options": tvm_options(board="a", jobs=4, verbose=True)}) is None
    assert seen(fixture_dir) == {"board": "a", "jobs": 4, "scale": None, "verbose": True}


def test_revision_1_refuses_a_required_option_sent_as_null_naming_it(start, fixture_dir):
    server = start(fixture_dir, 1)
    assert server.error("build", {"options": tvm_options()}) == {
        "code": -32602, "message": "build: /options/board: option 'board' is required by build and was sent as null (not set)"}
    assert not (fixture_dir / "seen_options.json").exists()


def test_revision_2_refuses_a_null_option_value(start, fixture_dir):
    server = start(fixture_dir, 2)
    error = server.error("build", {"options": {"board": "a", "jobs": None}})
    assert (error["code"], error["message"].split(":")[:2]) == (-32602, ["build", " /options/jobs"])
    assert not (fixture_dir / "seen_options.json").exists()


UNDECLARED_READS = '''
import sys
from microtvm_project_api.server_sdk import ProjectApiHandler, ProjectOption, main


class Handler(ProjectApiHandler):
    platform_name = "reads"
    project_options = (ProjectOption("board", "str", "The board.", optional=("flash",)),
                       ProjectOption("jobs", "int", "Jobs.", optional=("build",), default=2))

    def build(self, options):
        return options[options["jobs"] == 1 and "nothing" or "board"]

    def flash(self, options):
        try:
            options["jobs"]
        except KeyError:  # what a handler catching a missing option's KeyError relies on
            self.project_dir.joinpath("caught").write_text("KeyError")


sys.exit(main(Handler))
'''


@pytest.mark.parametrize("revision", [1, 2])
def test_reading_an_option_not_declared_for_the_method_names_it_and_the_declaration_to_fix(start, tmp_path, revision):
    (tmp_path / "microtvm_api_server.py").write_text(UNDECLARED_READS)
    server = start(tmp_path, revision)
    error = server.error("build", {"options": {"board": "a"} if revision == 1 else {}})
    assert (error["code"], error["message"]) == (-32000, "build read option 'board', which is not declared for build (only "
                                                         "for flash): add 'build' to the required or optional list of ProjectOption 'board'")
    assert "return options[options" in error["data"]["traceback"]
    error = server.error("build", {"options": {"jobs": 1}})
    assert error["message"] == ("build read option 'nothing', which is not declared for build: no ProjectOption 'nothing' is "
                                "declared; declare it with 'build' in its required or optional list")
    assert server.result("flash", {"options": {}}) is None
    assert (tmp_path / "caught").read_text() == "KeyError"
