"""Every error path of the SDK's JSON-RPC loop, over real pipes: exact code and message, then the next request
is still served."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from microtvm_project_api.client.errors import ServerExitedError
from microtvm_project_api.protocol.wire import MAX_LINE_BYTES

INFO = ("server_info_query", {"tvm_version": "0.18.0"})


def still_serving(server) -> None:
    """server_info_query still answers, in the session's revision."""
    assert server.info()["platform_name"] == "fixture"


def error_of(reply, code, message, request_id=None):
    assert reply == {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


@pytest.mark.parametrize("revision", [1, 2])
@pytest.mark.parametrize(
    "line, message",
    [
        (b"not json", "Parse error: not JSON: Expecting value at line 1 column 1"),
        (b'{"jsonrpc": "2.0", "id": 1', "Parse error: not JSON: Expecting ',' delimiter at line 1 column 27"),
        (b"\xff\xfe{}", "Parse error: not UTF-8 at byte 0"),
        (b'{"a": NaN}', "Parse error: NaN is not JSON"),
    ],
)
def test_parse_errors_are_answered_with_null_id_in_both_revisions(start, fixture_dir, revision, line, message):
    server = start(fixture_dir, revision)
    error_of(server.send(line), -32700, message)
    still_serving(server)


REQUEST = {"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": "0.18.0"}, "id": 7}


@pytest.mark.parametrize(
    "message, reply_id, text",
    [
        ([REQUEST], None, "Invalid request: batches are not supported"),
        ([], None, "Invalid request: batches are not supported"),
        ("server_info_query", None, "Invalid request: a request is a JSON object"),
        (3, None, "Invalid request: a request is a JSON object"),
        ({**REQUEST, "jsonrpc": "1.0"}, 7, 'Invalid request: jsonrpc must be "2.0"'),
        ({k: v for k, v in REQUEST.items() if k != "jsonrpc"}, 7, 'Invalid request: jsonrpc must be "2.0"'),
        ({k: v for k, v in REQUEST.items() if k != "id"}, None, "Invalid request: id is missing (notifications are not supported)"),
        ({**REQUEST, "id": None}, None, "Invalid request: id must be a string or an integer"),
        ({**REQUEST, "id": True}, None, "Invalid request: id must be a string or an integer"),
        ({**REQUEST, "id": 1.5}, None, "Invalid request: id must be a string or an integer"),
        ({**REQUEST, "id": [1]}, None, "Invalid request: id must be a string or an integer"),
        ({**REQUEST, "method": "server info"}, 7, "Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$"),
        ({**REQUEST, "method": 5}, 7, "Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$"),
        ({k: v for k, v in REQUEST.items() if k != "method"}, 7, "Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$"),
        ({**REQUEST, "params": ["0.18.0"]}, 7, "Invalid request: params must be an object"),
        ({k: v for k, v in REQUEST.items() if k != "params"}, 7, "Invalid request: params must be an object"),
        ({**REQUEST, "extra": 1}, 7, "Invalid request: unexpected members extra"),
    ],
)
def test_invalid_requests(start, fixture_dir, message, reply_id, text):
    server = start(fixture_dir)
    error_of(server.send(json.dumps(message).encode()), -32600, text, reply_id)
    still_serving(server)


def test_ids_come_back_unchanged(start, loopback_dir):
    server = start(loopback_dir)
    server.result("open_transport", {"options": {}})
    # 1.0 and 1e3 are integers to JSON Schema, so valid ids (schema/jsonrpc.json#/$defs/RequestId).
    for request_id in ("\ud800 lone surrogate", "é", 2**70, -1, "", 1.0, 1e3):
        assert server.call("write_transport", {"data": "AAAA", "timeout_sec": 0}, request_id)["id"] == request_id
        assert server.call("read_transport", {"n": 3, "timeout_sec": 0}, request_id) == {
            "jsonrpc": "2.0", "id": request_id, "result": {"data": "AAAA"}}


def test_unknown_method(start, fixture_dir):
    server = start(fixture_dir)
    error_of(server.send(json.dumps({**REQUEST, "method": "reboot"}).encode()), -32601, "Method not found: reboot", 7)
    still_serving(server)


@pytest.mark.parametrize(
    "code, method, params, message",
    [
        (-32602, "server_info_query", {}, "server_info_query: /tvm_version: Field required"),
        (-32602, "server_info_query", {"tvm_version": 18}, "server_info_query: /tvm_version: Input should be a valid string"),
        (-32602, "server_info_query", {"tvm_version": "0.18", "x": 1}, "server_info_query: /x: Extra inputs are not permitted"),
        (-32602, "read_transport", {"n": 0, "timeout_sec": None}, "read_transport: /n: Input should be greater than or equal to 1"),
        (-32602, "read_transport", {"n": 1, "timeout_sec": -1}, "read_transport: /timeout_sec: Input should be greater than or equal to 0"),
        (-32602, "read_transport", {"n": True, "timeout_sec": "soon"},
         "read_transport: /n: Input should be a valid integer; /timeout_sec: Input should be a valid number"),
        # the payload string is judged by the strict decoder alone (issue 14), not by the schema's pattern as well
        (-32602, "write_transport", {"data": "not base64!", "timeout_sec": None},
         "write_transport: /data: not canonical base64: 11 characters, not a multiple of 4"),
        (-32602, "write_transport", {"data": "!!!!AAAA", "timeout_sec": None},
         "write_transport: /data: not canonical base64: a character outside the alphabet, or padding before the end"),
        (-32602, "build", {}, "build: /options: Field required"),
        (-32602, "build", {"options": {"bad name": 1}}, "build: /options/bad name: String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'"),
        (-32602, "close_transport", {"now": True}, "close_transport: /now: Extra inputs are not permitted"),
        (-32603, "open_transport", {"options": {}},
         "open_transport returned an invalid result: /timeouts/session_start_retry_timeout_sec: "
         "Input should be greater than or equal to 0"),
        (-32603, "read_transport", {"n": 1, "timeout_sec": 0}, "read_transport returned an invalid result: /data: 0 bytes, expected 1 to 1"),
        (-32603, "read_transport", {"n": 4, "timeout_sec": 0}, "read_transport returned an invalid result: /data: 5 bytes, expected 1 to 4"),
    ],
)
def test_invalid_params_and_invalid_results_name_method_and_pointer(start, fixture_dir, code, method, params, message):
    """-32602 for what the client sent wrong, -32603 for what the handler returned wrong."""
    server = start(fixture_dir)
    assert server.error(method, params) == {"code": code, "message": message}
    still_serving(server)


def test_result_that_is_not_json_is_an_internal_error_naming_the_method(start, fixture_dir):
    """Our prefix is pinned; the reason after it is the stdlib's text, which changes between Python versions."""
    server = start(fixture_dir)
    error = server.error("open_transport", {"options": {"forever": True}})
    assert error["code"] == -32603
    prefix = "open_transport returned a result that is not JSON: "
    assert error["message"].startswith(prefix) and len(error["message"]) > len(prefix)
    still_serving(server)


def test_named_server_error_carries_its_name_and_detail(start, fixture_dir):
    server = start(fixture_dir)
    assert server.error("write_transport", {"data": "AAAA", "timeout_sec": 0}) == {
        "code": -32000, "message": "IoTimeoutError", "data": {"detail": "3 bytes not written"}}
    assert server.error("server_info_query", {"tvm_version": "0.1"}) == {
        "code": -32000, "message": "UnsupportedTVMVersionError", "data": {"detail": "tvm 0.1 is too old"}}
    still_serving(server)


def test_other_exception_is_server_error_with_traceback(start, fixture_dir, tmp_path):
    server = start(fixture_dir)
    params = {"model_library_format_path": "m.tar", "standalone_crt_dir": "crt", "project_dir": str(tmp_path / "p"), "options": {}}
    error = server.error("generate_project", params)
    assert (error["code"], error["message"], sorted(error["data"])) == (-32000, "boom", ["traceback"])
    assert error["data"]["traceback"].rstrip().endswith("RuntimeError: boom")
    still_serving(server)


@pytest.mark.parametrize("revision", [1, 2])
def test_exception_whose_text_cannot_be_made_is_still_answered(start, fixture_dir, revision):
    """str() of the platform's exception raises: the loop answers -32000 naming the class, and keeps serving."""
    server = start(fixture_dir, revision)
    error = server.error("build", {"options": {"board": "a", "jobs": 13}})
    assert (error["code"], error["message"]) == (-32000, "Unprintable (str() of it raised ValueError)")
    assert "Unprintable" in error["data"]["traceback"]
    still_serving(server)


def test_error_object_the_spec_forbids_becomes_internal_error(start, fixture_dir):
    server = start(fixture_dir)
    assert server.error("flash", {"options": {}}) == {
        "code": -32603, "message": "flash raised an error the spec does not allow: /data/detail: Input should be a valid string"}
    still_serving(server)


@pytest.mark.parametrize("revision", [1, 2])
def test_unsupported_method(start, fixture_dir, revision):
    server = start(fixture_dir, revision, FIXTURE_VARIANT="minimal")
    expected = ({"code": -32000, "message": "MethodNotSupportedError", "data": {"detail": "build is not supported by this server"}}
                if revision == 2 else {"code": -32000, "message": "build is not supported by this server"})
    assert server.error("build", {"options": {}}) == expected
    assert server.info().get("supported_methods", ["server_info_query"]) == ["server_info_query"]


def test_declarations_breaking_the_spec_stop_the_server_at_start(start, fixture_dir):
    server = start(fixture_dir, agree=False, FIXTURE_VARIANT="bad_declaration")
    with pytest.raises(ServerExitedError) as caught:
        server.call(*INFO)
    assert caught.value.exit_code not in (0, None)
    tail = "\n".join(caught.value.stderr_tail)
    assert "BadDeclarationHandler declares what the spec forbids" in tail
    assert "a method is never both required and optional: build" in tail
    assert "'one' is not a int value" in tail


def test_overlong_line_is_refused_without_being_held_and_serving_goes_on(start, fixture_dir):
    server = start(fixture_dir)
    line = b'{"jsonrpc": "2.0", "id": 1, "method": "build", "params": {"options": {"x": "' + b"a" * MAX_LINE_BYTES + b'"}}}'
    error_of(server.send(line), -32600, f"Invalid request: line longer than {MAX_LINE_BYTES} bytes")
    still_serving(server)


def test_end_of_file_exits_zero_even_when_close_transport_fails(start, fixture_dir):
    server = start(fixture_dir)
    still_serving(server)
    assert server.close() == 0


def test_client_closing_the_reply_fd_ends_the_session_cleanly(fixture_dir):
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    os.close(reply_read)
    process = subprocess.Popen(
        [sys.executable, str(fixture_dir / "microtvm_api_server.py"), "--read-fd", str(request_read), "--write-fd", str(reply_write)],
        cwd=fixture_dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(request_read, reply_write))
    os.close(request_read)
    os.close(reply_write)
    with os.fdopen(request_write, "wb") as requests:
        requests.write(json.dumps(REQUEST).encode() + b"\n")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    assert b"the client closed the reply fd; ending the session" in stderr


@pytest.mark.parametrize("method", [["build"], {"m": 1}, None, 7.5])
def test_a_method_that_is_not_a_string_is_an_invalid_request(start, fixture_dir, method):
    error_of(start(fixture_dir).send(json.dumps({**REQUEST, "method": method}).encode()), -32600,
             "Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$", 7)
