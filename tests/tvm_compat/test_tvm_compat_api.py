"""tvm_compat's names as platforms use them: ProjectOption's checks and replace, default_project_options, the
namedtuples, the errors, the timeout helpers over real pipes, the star import, and what a handler that stubs or
leaves out methods claims."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from tvm_shaped_client import ServerError, TvmShapedClient

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol import errors
from microtvm_project_api.server_sdk import tvm_compat as server

# -- ProjectOption and default_project_options -------------------------------------------------------------------


def test_project_option_fills_unset_fields_with_none_and_replace_keeps_the_rest() -> None:
    option = server.ProjectOption("board", type="str", required=["flash"], help="The board.")
    assert option == ("board", "str", ["flash"], None, None, None, "The board.")
    assert (option.name, option.optional, option.default, option.choices) == ("board", None, None, None)
    changed = option.replace({"choices": ["a", "b"], "optional": ["build"]})
    assert (changed.choices, changed.optional, changed.required) == (["a", "b"], ["build"], ["flash"])
    assert option.choices is None, "replace returns a copy"


@pytest.mark.parametrize("fields, error, message", [
    ({"required": ["build"], "help": "h"}, ValueError, "ProjectOption 'x': give its type \\(bool, str, int or float\\)"),
    ({"type": "int", "help": "h"}, ValueError, "give the methods that take it, in required=\\[...\\] or optional=\\[...\\]"),
    ({"type": "int", "optional": ["build"]}, ValueError, "help \\(a string saying what the option does\\) is required"),
    ({"type": "int", "optional": ["build"], "help": "h", "dflt": 1}, TypeError, "unknown fields dflt"),
])
def test_project_option_refuses_what_tvms_refused(fields, error, message) -> None:
    with pytest.raises(error, match=message):
        server.ProjectOption("x", **fields)


@pytest.mark.parametrize("fields", [
    {"type": "string", "required": ["build"], "help": "h"},
    {"type": "int", "optional": [], "help": "h"},
    {"type": "int", "optional": ["biuld"], "help": "h", "default": 0.5, "choices": []},
    {"type": "str", "required": None, "help": None},
])
def test_project_option_accepts_what_tvms_accepted_and_leaves_judging_to_the_start(fields) -> None:
    """TVM's module accepted these; the server names their problems when it starts (test_declaration_problems.py)."""
    option = server.ProjectOption("x", **fields)
    assert option._asdict() == {"name": "x", "required": None, "optional": None, "default": None, "choices": None, **fields}
    assert option.replace({"help": "fixed"}).help == "fixed"


def test_default_project_options_and_their_overrides() -> None:
    options = server.default_project_options()
    assert [o.name for o in options] == ["verbose", "project_type", "board", "cmsis_path", "compile_definitions",
                                         "extra_files_tar", "warning_as_error"]
    assert all(isinstance(o, server.ProjectOption) and o.help for o in options)
    board = server.default_project_options(board={"choices": ["nrf5340dk"], "optional": ["flash"]})[2]
    assert (board.name, board.choices, board.optional, board.required) == ("board", ["nrf5340dk"], ["flash"], ["generate_project"])
    with pytest.raises(ValueError, match="default_project_options: no option 'bord'; the options are verbose, project_type"):
        server.default_project_options(bord={"choices": []})


def test_namedtuples_and_errors_behave_as_platforms_use_them() -> None:
    timeouts = server.TransportTimeouts(session_start_retry_timeout_sec=1, session_start_timeout_sec=2, session_established_timeout_sec=3)
    assert timeouts._asdict() == {"session_start_retry_timeout_sec": 1, "session_start_timeout_sec": 2, "session_established_timeout_sec": 3}
    info = server.ServerInfo(platform_name="p", is_template=True, model_library_format_path="", project_options=[])
    assert info._replace(is_template=False).is_template is False
    for named in (server.IoTimeoutError, server.TransportClosedError, server.UnsupportedTVMVersionError):
        raised = named()  # platforms raise them without arguments
        assert isinstance(raised, server.ServerError) and raised.message == named.__name__
    assert server.ServerError(message="flash failed").message == "flash failed"


def test_star_import_gives_exactly_the_module_names() -> None:
    namespace: dict = {}
    exec("from microtvm_project_api.server_sdk.tvm_compat import *", namespace)
    names = {name for name in namespace if name != "__builtins__"}
    assert names == set(server.__all__) == {
        "ProjectOption", "ServerInfo", "TransportTimeouts", "ProjectAPIHandler", "main", "IoTimeoutError",
        "TransportClosedError", "UnsupportedTVMVersionError", "ServerError", "read_with_timeout", "write_with_timeout",
        "default_project_options"}


# -- read_with_timeout and write_with_timeout over real pipes ----------------------------------------------------


@pytest.fixture
def pipe():
    read_fd, write_fd = os.pipe()
    ends = {"read": read_fd, "write": write_fd}
    yield ends
    for fd in ends.values():
        if fd is not None:
            os.close(fd)


def close(ends: dict, which: str) -> None:
    os.close(ends[which])
    ends[which] = None


@pytest.mark.parametrize("blocking", [True, False])
def test_read_with_timeout(pipe, blocking) -> None:
    os.set_blocking(pipe["read"], blocking)
    started = time.monotonic()
    with pytest.raises(server.IoTimeoutError):
        server.read_with_timeout(pipe["read"], 10, 0.2)
    assert time.monotonic() - started >= 0.2
    with pytest.raises(server.IoTimeoutError):
        server.read_with_timeout(pipe["read"], 10, 0)
    os.write(pipe["write"], b"hello world")
    assert server.read_with_timeout(pipe["read"], 5, 0) == b"hello"
    assert server.read_with_timeout(pipe["read"], 100, None) == b" world"
    threading.Timer(0.1, os.write, (pipe["write"], b"late")).start()
    assert server.read_with_timeout(pipe["read"], 100, None) == b"late"
    close(pipe, "write")
    with pytest.raises(server.TransportClosedError, match="end of file"):
        server.read_with_timeout(pipe["read"], 10, 1.0)


@pytest.mark.parametrize("blocking", [True, False])
def test_write_with_timeout(pipe, blocking) -> None:
    os.set_blocking(pipe["write"], blocking)
    data = os.urandom(1 << 20)  # far more than a pipe holds: written as the reader drains it
    received = bytearray()

    def drain() -> None:
        while len(received) < len(data):
            received.extend(os.read(pipe["read"], 65536))

    reader = threading.Thread(target=drain)
    reader.start()
    assert server.write_with_timeout(pipe["write"], data, 10.0) == len(data)
    reader.join()
    assert received == data
    started = time.monotonic()
    with pytest.raises(server.IoTimeoutError, match="bytes not written within 0.2 s"):
        server.write_with_timeout(pipe["write"], data, 0.2)  # nobody reads: the pipe fills
    assert time.monotonic() - started < 5
    close(pipe, "read")
    with pytest.raises(server.TransportClosedError, match="write failed"):
        server.write_with_timeout(pipe["write"], b"x", 1.0)


# -- what a handler claims ---------------------------------------------------------------------------------------

STUBBING = '''from microtvm_project_api.server_sdk import tvm_compat as server


class Handler(server.ProjectAPIHandler):
    """Builds, stubs flash (as TVM's abstract class forced platforms to), leaves the transport methods out."""

    def server_info_query(self, tvm_version):
        return server.ServerInfo(platform_name="stubs", is_template=False, model_library_format_path="model.tar",
                                 project_options=[server.ProjectOption("x", type="int", optional=["build"], help="x")])

    def build(self, options):
        open("built", "w").write(repr(options))

    def flash(self, options):
        """Not available on this platform."""
        raise NotImplementedError(f"flash is not available with {options}")

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        raise NotImplementedError


server.main(Handler)
'''


@pytest.fixture
def stubbing(tmp_path: Path) -> Path:
    (tmp_path / "microtvm_api_server.py").write_text(STUBBING)
    (tmp_path / "model.tar").write_bytes(b"")
    return tmp_path


def test_stubbed_and_left_out_methods_are_not_claimed(stubbing: Path) -> None:
    with ProjectApiClient.launch(stubbing) as client:
        assert client.supported_methods == ["server_info_query", "build"]
        client.build({"x": 3})
        with pytest.raises(errors.MethodNotSupportedError) as refused:
            client.flash()
        assert refused.value.detail == "flash is not supported by this server"
        with pytest.raises(errors.MethodNotSupportedError):
            client.open_transport()
    assert (stubbing / "built").read_text() == "{'x': 3}"
    with TvmShapedClient(stubbing) as tvm_client:
        with pytest.raises(ServerError) as refused_v1:
            tvm_client.flash()
    assert (refused_v1.value.code, refused_v1.value.message) == (-32000, "flash is not supported by this server")


@pytest.mark.parametrize("source, stub", [
    ("def f(self):\n    raise NotImplementedError\n", True),
    ("def f(self):\n    '''Doc.'''\n    raise NotImplementedError()\n", True),
    ("def f(self, n):\n    raise NotImplementedError(f'no {n}')\n", True),
    ("def f(self):\n    pass\n", False),
    ("def f(self):\n    raise RuntimeError('no')\n", False),
    ("def f(self):\n    if self.x:\n        raise NotImplementedError\n    return 1\n", False),
])
def test_only_a_body_that_raises_not_implemented_error_is_a_stub(source, stub) -> None:
    namespace: dict = {}
    exec(source, namespace)
    assert server.only_raises_not_implemented(namespace["f"]) is stub


CHANGING = '''from microtvm_project_api.server_sdk import tvm_compat as server


class Handler(server.ProjectAPIHandler):
    def server_info_query(self, tvm_version):
        return server.ServerInfo(platform_name="v" + tvm_version.replace(".", ""), is_template=True,
                                 model_library_format_path=None, project_options=[])


server.main(Handler())
'''


def test_declarations_that_change_with_the_version_are_an_internal_error(tmp_path: Path) -> None:
    (tmp_path / "microtvm_api_server.py").write_text(CHANGING)
    with TvmShapedClient(tmp_path, tvm_version="0.18.0") as same:
        assert same.info["platform_name"] == "v0180"
    with pytest.raises(ServerError) as changed:
        TvmShapedClient(tmp_path, tvm_version="0.17.0")
    assert changed.value.code == -32603
    assert changed.value.message == ("server_info_query('0.17.0') declares something else than at start-up (asked with "
                                     "'0.18.0'); the server serves fixed declarations")
