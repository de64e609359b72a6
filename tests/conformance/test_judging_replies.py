"""The kit's pure judging of one reply (conformance/expect.py, session.py, checks/jsonrpc.py), without a server: data in, verdict out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microtvm_project_api.conformance import expect
from microtvm_project_api.conformance.check import CheckFailed
from microtvm_project_api.conformance.checks.jsonrpc import BOOLEAN_ID, NOTIFICATION, NULL_ID, as_deployed
from microtvm_project_api.conformance.session import Reply, same_id, signal_name

TRACEBACK = 'Traceback (most recent call last):\n  File "server.py", line 3, in build\n    run()\nRuntimeError: no toolchain\n'


def reply(result: Any = None, error: dict[str, Any] | None = None, request_id: Any = 1) -> Reply:
    """A reply as the session hands it to a check, for the request build({"options": {}})."""
    sent = json.dumps({"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": request_id}).encode() + b"\n"
    body = {"jsonrpc": "2.0", "id": request_id, **({"error": error} if error is not None else {"result": result})}
    return Reply(sent, json.dumps(body).encode(), result, error, 0.01, None, request_id)


def failure(call: Any) -> CheckFailed:
    with pytest.raises(CheckFailed) as raised:
        call()
    return raised.value


def test_expecting_a_result_passes_a_result_and_fails_an_error_with_its_cause() -> None:
    assert expect.result(reply({"ok": 1}), "a build") == {"ok": 1}
    failed = failure(lambda: expect.result(reply(error={"code": -32000, "message": "calling method build",
                                                         "data": {"traceback": TRACEBACK}}), "a build"))
    assert failed.why == "expected a result: a build"
    assert failed.sent == '{"jsonrpc": "2.0", "method": "build", "params": {"options": {}}, "id": 1}'
    assert json.loads(failed.got)["error"]["message"] == "calling method build"
    assert failed.cause.splitlines()[1] == "  server exception: RuntimeError: no toolchain"


@pytest.mark.parametrize("got, codes, passes", [
    ({"code": -32602, "message": "invalid params"}, (-32602,), True),
    ({"code": -32600, "message": "invalid request"}, (-32600, -32602), True),
    ({"code": -32000, "message": "calling method build"}, (-32602,), False),
    (None, (-32602,), False),
])
def test_expecting_an_error_judges_its_code(got, codes, passes) -> None:
    answer = reply(error=got) if got else reply(None)
    if passes:
        assert expect.error(answer, codes, "bad params") == got
    else:
        assert failure(lambda: expect.error(answer, codes, "bad params")).why == \
            f"expected an error with code {' or '.join(map(str, codes))}: bad params"


def test_a_named_error_needs_the_exact_name_and_mentions_searches_the_whole_error() -> None:
    closed = reply(error={"code": -32000, "message": "TransportClosedError", "data": None})
    assert expect.named(closed, ("TransportClosedError",), "read before open")["message"] == "TransportClosedError"
    assert failure(lambda: expect.named(closed, ("IoTimeoutError",), "idle read")).why == "expected message IoTimeoutError: idle read"
    named_in_data = reply(error={"code": -32602, "message": "invalid options", "data": {"detail": "unknown option board"}})
    expect.mentions(named_in_data, "board", "names the option")
    assert failure(lambda: expect.mentions(named_in_data, "jobs", "names the option")).why == "the error does not name 'jobs': names the option"


@pytest.mark.parametrize("key, request_id, answer, deployed", [
    (NULL_ID, None, reply({"protocol_version": 1}, request_id=None), True),
    (NULL_ID, None, reply(error={"code": -32600, "message": "invalid request"}, request_id=None), False),
    (BOOLEAN_ID, True, reply({"protocol_version": 1}, request_id=True), True),
    (BOOLEAN_ID, True, reply({"protocol_version": 1}, request_id=1), False),
    (NOTIFICATION, "absent", reply(error={"code": -32000, "message": "calling method server_info_query"}, request_id=None), True),
    (NOTIFICATION, "absent", reply(error={"code": -32000, "message": "calling method build"}, request_id=None), False),
    (NOTIFICATION, "absent", reply({"protocol_version": 1}, request_id=None), False),
    (None, 5, reply({"protocol_version": 1}, request_id=5), False),
])
def test_what_tvms_server_module_answers_by_construction_is_told_from_anything_else(key, request_id, answer, deployed) -> None:
    request = {"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": "0.18.0"},
               **({} if request_id == "absent" else {"id": request_id})}
    assert as_deployed(key, request, answer) is deployed


@pytest.mark.parametrize("got, wanted, same", [
    (1000.0, 1000.0, True), (1000, 1000.0, True), (1.0, 1, True), (True, 1, False), (1, True, False), (True, True, True),
    (None, None, True), ("1", 1, False), (2**53 - 1, 2**53 - 1, True), (0, None, False),
])
def test_a_reply_id_is_the_same_json_value_as_the_request_id(got, wanted, same) -> None:
    assert same_id(got, wanted) is same


@pytest.mark.parametrize("exit_code, name", [(-11, "SIGSEGV"), (139, "SIGSEGV"), (-9, "SIGKILL"), (1, None), (2, None), (0, None),
                                             (None, None), (128, None)])
def test_a_signal_death_is_told_from_an_exit_status(exit_code, name) -> None:
    assert signal_name(exit_code) == name
