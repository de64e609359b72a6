"""Servers that crash, hang or break the protocol each give the right typed error in time, and leave no process behind."""

from __future__ import annotations

import logging
import sys
import time

import pytest

from microtvm_project_api.client.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import (
    CallTimeoutError,
    MalformedReplyError,
    MismatchedIdError,
    ServerExitedError,
    SessionOverError,
    UnsupportedProtocolVersionError,
)
from microtvm_project_api.protocol.errors import (
    InvalidParamsError,
    IoTimeoutError,
    MethodNotFoundError,
    ParseError,
    ServerError,
    TransportClosedError,
)


@pytest.fixture
def launch(make_project, defect_env):
    """Launch broken_server.py with one defect; the client is closed at the end of the test."""
    clients = []

    def start(defect: str, **kwargs) -> ProjectApiClient:
        client = ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env(defect), **kwargs)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()


def test_crash_at_start_reports_exit_code_and_stderr(make_project, defect_env) -> None:
    with pytest.raises(ServerExitedError) as exited:
        ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("crash_at_start"))
    assert exited.value.exit_code == 3
    assert exited.value.stderr_tail == ["cannot import the vendor SDK"]
    server = exited.value.command[-1]
    assert exited.value.command == [sys.executable, server] and server.endswith("microtvm_api_server.py")
    assert str(exited.value) == (
        f"server_info_query: the server closed its reply pipe (exit code 3); started as {sys.executable} {server}; "
        "last lines of its stderr:\n    cannot import the vendor SDK")


def test_server_silent_at_start_times_out_on_launch(make_project, defect_env) -> None:
    project = make_project("broken_server.py")
    started = time.monotonic()
    with pytest.raises(CallTimeoutError, match=r"^server_info_query: no reply within 1 s; the server was stopped$"):
        ProjectApiClient.launch(project, env=defect_env("hang_at_start"), timeouts=CallTimeouts(default=1.0))
    assert time.monotonic() - started < 10


def test_crash_mid_call_reports_exit_code_and_ends_the_session(launch, group_alive) -> None:
    client = launch("crash_mid_call")
    with pytest.raises(ServerExitedError) as exited:
        client.build()
    assert exited.value.exit_code == 7
    assert exited.value.stderr_tail[-1] == "fatal: the build tool segfaulted"
    assert client.over and not group_alive(client.server.pid)
    with pytest.raises(SessionOverError, match=r"flash: the session is over: build: the server closed its reply pipe \(exit code 7\)"):
        client.flash()


def test_hang_times_out_and_kills_the_whole_group(launch, group_alive) -> None:
    client = launch("hang", timeouts=CallTimeouts(long_running=1.0))
    started = time.monotonic()
    with pytest.raises(CallTimeoutError, match=r"^build: no reply within 1 s; the server was stopped$"):
        client.build()
    assert time.monotonic() - started < 10
    assert not group_alive(client.server.pid), "the server and its grandchild must be gone"
    with pytest.raises(SessionOverError):
        client.build()


def test_per_call_timeout_overrides_the_default(launch) -> None:
    client = launch("hang")
    with pytest.raises(CallTimeoutError, match="no reply within 0.5 s"):
        client.build(timeout=0.5)


def test_wrong_id_is_mismatched_id_with_the_raw_line(launch, group_alive) -> None:
    client = launch("wrong_id")
    with pytest.raises(MismatchedIdError) as mismatched:
        client.build()
    assert mismatched.value.method == "build"
    assert mismatched.value.raw_line == b'{"jsonrpc": "2.0", "id": 102, "result": null}'
    assert "the reply answers id 102, the request in flight is 2" in str(mismatched.value)
    assert client.over and not group_alive(client.server.pid)


def test_error_with_null_id_answers_the_request_in_flight(launch) -> None:
    client = launch("null_id_error")
    with pytest.raises(ParseError, match="parse error"):
        client.build()
    assert not client.over


@pytest.mark.parametrize(
    ("defect", "message", "pointers"),
    [
        ("result_and_error", "build: a reply is a JSON object with exactly one of result and error", []),
        ("old_jsonrpc", "build: the reply breaks the JSON-RPC envelope", [("/jsonrpc", "literal_error")]),
        ("null_id_result", "build: the reply breaks the JSON-RPC envelope", [("/id", "string_type")]),
    ],
)
def test_broken_envelope_is_malformed_and_ends_the_session(launch, defect, message, pointers) -> None:
    client = launch(defect)
    with pytest.raises(MalformedReplyError) as malformed:
        client.build()
    assert str(malformed.value).startswith(message)
    assert [(v.pointer, v.rule) for v in malformed.value.violations] == pointers
    assert client.over


def test_non_json_reply_is_malformed_and_ends_the_session(launch) -> None:
    client = launch("non_json")
    with pytest.raises(MalformedReplyError) as malformed:
        client.build()
    assert malformed.value.raw_line == b"build finished OK"
    assert str(malformed.value).startswith("build: the reply is not JSON: Expecting value at line 1 column 1")
    assert client.over


def test_schema_violation_names_method_pointer_and_rule(launch) -> None:
    client = launch("schema_violation")
    with pytest.raises(MalformedReplyError) as malformed:
        client.open_transport()
    violations = {(v.pointer, v.rule) for v in malformed.value.violations}
    assert violations == {
        ("/result/timeouts/session_start_timeout_sec", "float_type"),
        ("/result/timeouts/session_established_timeout_sec", "missing"),
    }
    assert str(malformed.value).startswith("open_transport: the result breaks the revision 2 schema")
    assert b'"session_start_timeout_sec": "soon"' in malformed.value.raw_line
    assert not client.over, "a result that breaks its schema leaves the stream in step"
    client.close_transport()


def test_too_many_bytes_from_read_transport_is_malformed(launch) -> None:
    client = launch("")
    with pytest.raises(MalformedReplyError, match="the server returned 3 bytes for n=1"):
        client.read_transport(1, 0)
    assert client.read_transport(3, 0) == b"\0\0\0"


def test_a_long_read_reply_is_decoded(launch) -> None:
    """Long payload replies written as the SDK writes them take the split parse (wire.parse_split_payload)."""
    assert launch("long_read").read_transport(12_000, 0) == bytes(range(256)) * 46 + bytes(range(224))


def test_one_bad_character_in_a_long_read_reply_is_malformed_as_in_a_whole_parse(launch) -> None:
    client = launch("long_read_bad")
    with pytest.raises(MalformedReplyError, match="read_transport: the data is not valid") as malformed:
        client.read_transport(12_000, 0)
    assert [(v.pointer, v.rule) for v in malformed.value.violations] == [("/result/data", "contentEncoding")]


def test_invalid_server_info_fails_launch(make_project, defect_env, group_alive) -> None:
    with pytest.raises(MalformedReplyError) as malformed:
        ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("bad_info"))
    assert [(v.pointer, v.rule) for v in malformed.value.violations] == [("/result/platform_name", "missing")]
    assert malformed.value.method == "server_info_query"


def test_unknown_protocol_version_is_refused(make_project, defect_env) -> None:
    with pytest.raises(UnsupportedProtocolVersionError, match="the server speaks protocol revision 3; this client knows 1, 2"):
        ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("protocol_3"))


def test_overlong_reply_line_is_malformed(make_project, defect_env) -> None:
    with ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("long_line"), max_line_bytes=100_000) as client:
        with pytest.raises(MalformedReplyError, match="build: the reply is a line longer than 100000 bytes"):
            client.build()
        assert client.over


def test_a_reply_that_never_ends_is_named_overlong_at_the_bound_even_without_a_deadline(make_project, defect_env, group_alive) -> None:
    client = ProjectApiClient.launch(make_project("broken_server.py"), env=defect_env("endless_line"), max_line_bytes=1_000_000,
                                     timeouts=CallTimeouts(long_running=30.0))  # before: "no reply within 30 s"
    with pytest.raises(MalformedReplyError, match="build: the reply is a line longer than 1000000 bytes"):
        client.build()
    assert client.over
    client.close()
    assert not group_alive(client.server.pid)


def test_flooding_stderr_does_not_deadlock(launch, caplog) -> None:
    caplog.set_level(logging.CRITICAL)
    client = launch("flood_stderr", timeouts=CallTimeouts(long_running=60.0))
    client.build()
    client.build()
    assert client.server.stderr_tail[-1].startswith("log line of a very chatty build tool")


@pytest.mark.parametrize(
    ("reply", "error_class", "code", "text"),
    [
        ("invalid_params", InvalidParamsError, -32602, "invalid params: option 'x' is unknown"),
        ("server_error", ServerError, -32000, "compiler exploded"),
        ("io_timeout", IoTimeoutError, -32000, "IoTimeoutError: no byte in 1 s"),
        ("transport_closed", TransportClosedError, -32000, "TransportClosedError"),
        ("unknown_code", ServerError, -31999, "vendor specific"),
        ("method_not_found", MethodNotFoundError, -32601, "method not found"),
    ],
)
def test_error_replies_raise_their_typed_class(launch, reply, error_class, code, text) -> None:
    client = launch("")
    with pytest.raises(error_class) as raised:
        client.build({"reply": reply})
    assert type(raised.value) is error_class
    assert raised.value.code == code
    assert str(raised.value) == text
    assert not client.over


def test_server_traceback_is_kept(launch) -> None:
    client = launch("")
    with pytest.raises(ServerError) as raised:
        client.build({"reply": "server_error"})
    assert raised.value.server_traceback == "Traceback: line 1 in build"
