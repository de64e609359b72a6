"""TVM-era platforms whose declarations TVM's module accepted and the spec does not (an empty `choices`, an int
option with a float default, a misspelt method name) lose no user once moved: driven by TVM's shaped client in
revision 1 as before, each problem named once on stderr at start, and revision 2 not offered (the typed client
gets revision 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tvm_era import DECLARATION_PROBLEMS
from tvm_shaped_client import TvmShapedClient

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.client.errors import MalformedReplyError
from microtvm_project_api.protocol import errors
from microtvm_project_api.protocol.agreement import query_params
from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.wire import decode_message, encode_message, request

USER_OPTIONS = {"empty_choices_server.py": {"board": "any"}, "float_default_server.py": {}, "misspelt_method_server.py": {"board": "b1"}}
AS_DECLARED = {
    "empty_choices_server.py": {"name": "board", "type": "str", "required": None, "optional": ["build", "flash"],
                                "default": None, "choices": [], "help": "The board."},
    "float_default_server.py": {"name": "jobs", "type": "int", "required": None, "optional": ["build", "flash"],
                                "default": 1.5, "choices": None, "help": "Parallel jobs."},
    "misspelt_method_server.py": {"name": "board", "type": "str", "required": None, "optional": ["biuld", "flash"],
                                  "default": None, "choices": None, "help": "The board."},
}
HANDED = {  # what build and flash get: what TVM's client sent, the broken option's value unchecked
    "empty_choices_server.py": {"board": "any", "verbose": False},
    "float_default_server.py": {"jobs": 1.5, "verbose": False},
    "misspelt_method_server.py": {"board": "b1", "verbose": False},
}


@pytest.mark.parametrize("platform", sorted(DECLARATION_PROBLEMS))
def test_tvms_client_is_served_as_before_and_each_problem_is_named_once(platform, template, mlf, tmp_path) -> None:
    option, where, what = DECLARATION_PROBLEMS[platform]
    stderr = tmp_path / "stderr.txt"
    project = tmp_path / "generated"
    with stderr.open("w") as log, TvmShapedClient(template(platform), USER_OPTIONS[platform], stderr=log) as client:
        assert client.info["protocol_version"] == 1
        assert client.info["project_options"][0] == AS_DECLARED[platform]
        client.generate_project(mlf, tmp_path / "crt", project)
    lines = stderr.read_text().splitlines()
    assert lines == [f"Handler: declaration problem: option {option!r}: {where}: {what}",
                     "Handler: revision 2 is not offered until the 1 declaration problem(s) above are fixed; revision 1 "
                     "serves the declarations as TVM's module did (values of the options concerned pass unchecked)"]
    with TvmShapedClient(project, USER_OPTIONS[platform], stderr=tmp_path.joinpath("ignored").open("w")) as client:
        client.build()
        client.flash()
    assert json.loads((project / "build.json").read_text()) == HANDED[platform]
    assert json.loads((project / "flash.json").read_text()) == HANDED[platform]
    assert client.process.returncode == 0


@pytest.mark.parametrize("platform", sorted(DECLARATION_PROBLEMS))
def test_revision_2_is_not_offered_and_the_typed_client_names_the_problem(platform, template) -> None:
    option, where, what = DECLARATION_PROBLEMS[platform]
    directory = template(platform)
    process = ServerProcess(directory)
    try:
        process.send_line(encode_message(request("server_info_query", query_params("0.18.0", [2, 1]), 1)), 30.0)
        refused = decode_message(process.read_line(30.0))
        process.send_line(encode_message(request("server_info_query", query_params("0.18.0", None), 2)), 30.0)
        answered = decode_message(process.read_line(30.0))
    finally:
        process.close()
    assert refused["error"]["code"] == -32602 and "protocol_versions" in refused["error"]["message"]
    assert answered["result"]["protocol_version"] == 1
    with pytest.raises(MalformedReplyError) as malformed:  # the typed client trusts declarations only when they are valid
        ProjectApiClient.launch(directory)
    assert f"/result{where}" in str(malformed.value)


def test_the_same_declarations_in_an_sdk_server_still_refuse_to_start(tmp_path: Path) -> None:
    """Only tvm_compat serves them: an SDK server is new code, and its author fixes the declaration."""
    (tmp_path / "microtvm_api_server.py").write_text(
        "from microtvm_project_api.server_sdk import ProjectApiHandler, ProjectOption, main\n"
        "class H(ProjectApiHandler):\n"
        "    platform_name = 'p'\n"
        "    project_options = (ProjectOption('board', 'str', 'b', optional=('build',), choices=()),)\n"
        "    def build(self, options):\n        pass\n"
        "main(H)\n")
    started = subprocess.run([sys.executable, "microtvm_api_server.py", "--read-fd", "0", "--write-fd", "1"], cwd=tmp_path,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert started.returncode == 1 and started.stdout == ""
    assert started.stderr.splitlines()[-2:] == ["microtvm_project_api.server_sdk.loop.DeclarationError: H declares what the "
                                                "spec forbids:", "  /project_options/0/choices: List should have at least 1 "
                                                "item after validation, not 0 (too_short)"]


def test_an_option_read_where_not_declared_is_handed_in_revision_1_and_named_in_revision_2(template, mlf, tmp_path) -> None:
    project = tmp_path / "generated"
    with TvmShapedClient(template("undeclared_read_server.py"), {"serial_number": "S1"}) as client:
        client.generate_project(mlf, tmp_path / "crt", project)
    with TvmShapedClient(project, {"serial_number": "S1"}) as client:
        client.build()
    assert json.loads((project / "build.json").read_text()) == {"for": "S1", "verbose": False}
    with ProjectApiClient.launch(project) as client:
        assert client.revision == 2
        with pytest.raises(errors.ServerError) as failed:
            client.build({})
    assert failed.value.message == ("build read option 'serial_number', which is not declared for build (only for flash): "
                                    "add 'build' to the required or optional list of ProjectOption 'serial_number'")
    assert 'options["serial_number"]' in failed.value.server_traceback


MANY_PROBLEMS = '''from microtvm_project_api.server_sdk import tvm_compat as server

OPTIONS = [
    server.ProjectOption("board", type="string", optional=["build"], help="b"),
    server.ProjectOption("jobs", type="int", required=None, help=None),
    server.ProjectOption("jobs", type="int", required=["build"], optional=["build"], default="2", help="j"),
]


class Handler(server.ProjectAPIHandler):
    def server_info_query(self, tvm_version):
        return server.ServerInfo(platform_name="My Board", is_template=True, model_library_format_path=None,
                                 project_options=OPTIONS)

    def build(self, options):
        open("built.txt", "w").write(repr(sorted(options.items())))


server.main(Handler())
'''


def test_every_problem_at_once_is_named_and_tvms_client_still_served(tmp_path: Path) -> None:
    (tmp_path / "microtvm_api_server.py").write_text(MANY_PROBLEMS)
    with open(tmp_path / "stderr.txt", "w") as log, TvmShapedClient(tmp_path, {"board": 7, "jobs": "many"}, stderr=log) as client:
        assert client.info["platform_name"] == "My Board"
        client.build()
    assert (tmp_path / "built.txt").read_text() == "[('board', 7), ('jobs', 'many')]"
    named = (tmp_path / "stderr.txt").read_text().splitlines()
    assert named == [
        "Handler: declaration problem: option 'board': /project_options/0/type: type 'string' is not one of bool, str, int, float",
        "Handler: declaration problem: option 'jobs': /project_options/1: at least one of required and optional is a "
        "non-empty list of methods",
        "Handler: declaration problem: option 'jobs': /project_options/2: a method is never both required and optional: build",
        "Handler: declaration problem: option 'jobs': /project_options/2/default: default '2' is not a int value",
        "Handler: declaration problem: option 'jobs': /project_options/2/name: option name 'jobs' is declared twice",
        *named[5:-1],
        "Handler: revision 2 is not offered until the %d declaration problem(s) above are fixed; revision 1 serves the "
        "declarations as TVM's module did (values of the options concerned pass unchecked)" % (len(named) - 1),
    ]
    assert [line.split(": ")[-2] for line in named[5:-1]] == ["/platform_name", "/project_options/1/help"]
