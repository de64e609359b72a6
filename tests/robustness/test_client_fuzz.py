"""Fuzzing the typed client: a scripted server answers with mutated replies. The client returns only what
the spec allows, raises an error reply as its typed RemoteError and anything else as a ClientError, within
its deadline, and leaves no process or descriptor behind."""

from __future__ import annotations

import base64
import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from fuzz_settings import FUZZ
from hypothesis import given, settings
from hypothesis import strategies as st
from leak_check import child_pids, leaks, open_fds
from wire_oracle import JSONRPC

from microtvm_project_api.client.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import CallTimeoutError, ClientError, MalformedReplyError, ServerExitedError, SessionOverError
from microtvm_project_api.protocol.errors import ProjectApiError, RemoteError
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.wire import MAX_LINE_VALUES

SCRIPTED_SERVER = Path(__file__).with_name("scripted_server.py")
DEADLINE = 2.0
SLACK = 10.0
MAX_LINE = 1 << 20
METHODS = ("server_info_query", "generate_project", "build", "flash", "open_transport", "close_transport", "read_transport", "write_transport")
INFO = {
    "protocol_version": 2, "platform_name": "scripted", "is_template": False, "model_library_format_path": "model.tar",
    "project_options": [{"name": "verbose", "type": "bool", "optional": ["build", "open_transport"], "default": False, "help": "Talk more."}],
    "supported_methods": list(METHODS),
}
TIMEOUTS = {"session_start_retry_timeout_sec": 1.0, "session_start_timeout_sec": 5.0, "session_established_timeout_sec": 10.0}
READ_N = 3
CALLS: dict[str, tuple[Callable[[ProjectApiClient], Any], Any]] = {
    "server_info_query": (lambda c: c.server_info_query(), INFO),
    "open_transport": (lambda c: c.open_transport({"verbose": True}), {"timeouts": TIMEOUTS}),
    "close_transport": (lambda c: c.close_transport(), None),
    "read_transport": (lambda c: c.read_transport(READ_N, 0.0), {"data": "AAEC"}),
    "write_transport": (lambda c: c.write_transport(b"abc", 0.0), None),
    "build": (lambda c: c.build({"verbose": False}), None),
}
JSON_VALUES = (None, True, 0, -1, 2, 1.5, "", "x", "IoTimeoutError", [], [1], {}, {"a": 1})
ERRORS = (
    {"code": -32000, "message": "IoTimeoutError", "data": {"detail": "slow"}},
    {"code": -32000, "message": "TransportClosedError"},
    {"code": -32000, "message": "the board caught fire", "data": {"traceback": "..."}},
    {"code": -32602, "message": "build: /options/verbose: not a bool"},
    {"code": -32601, "message": "Method not found"},
    {"code": -32099, "message": "a code outside the catalogue"},
    {"code": "-32000", "message": "IoTimeoutError"},
    {"code": -32000},
    {"code": -32000, "message": None},
    {"code": -32000, "message": "x", "data": [1]},
    {"code": -32000, "message": "x", "extra": 1},
    "IoTimeoutError",
)
RAW_LINES = (b"", b"nope", b"NaN", b"[]", b"null", b"\xff\xfe", b'{"jsonrpc":"2.0","id":"__ID__","result":NaN}',
             b"[" * 50_000 + b"]" * 50_000, b'{"jsonrpc":"2.0","id":"__ID__","result":null,"result":null}')


def project(directory: Path, steps: list[dict[str, Any]]) -> Path:
    """A project directory whose server plays `steps`."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SCRIPTED_SERVER, directory / "microtvm_api_server.py")
    (directory / "script.json").write_text(json.dumps(steps))
    (directory / "sent.txt").unlink(missing_ok=True)
    return directory


def reply_step(line: bytes) -> dict[str, str]:
    """The script step that sends `line` as one reply line."""
    return {"reply": base64.b64encode(line + b"\n").decode()}


def launch(directory: Path) -> ProjectApiClient:
    """The typed client on `directory`, with short deadlines and a 1 MiB bound on reply lines."""
    return ProjectApiClient.launch(directory, timeouts=CallTimeouts(default=DEADLINE, long_running=DEADLINE, transport_margin=DEADLINE),
                                   max_line_bytes=MAX_LINE)


def judge(method: str, line: bytes, request_id: int) -> str | int:
    """What the spec makes of a reply line: "result", an error code, or "invalid" (with jsonschema, not the client's models)."""
    registry = default_registry()
    try:
        reply = json.loads(line.rstrip(b"\n").decode("utf-8"), parse_constant=lambda name: float("nan") / 0)
    except (ValueError, RecursionError, ZeroDivisionError):
        return "invalid"
    if len(line) - 1 > MAX_LINE or registry.validate(reply, f"{JSONRPC}#/$defs/Reply"):
        return "invalid"
    if "error" in reply:
        return reply["error"]["code"] if reply["id"] in (None, request_id) else "invalid"
    if reply["id"] != request_id:
        return "invalid"
    result = reply["result"]
    revision = result.get("protocol_version") if method == "server_info_query" and isinstance(result, dict) else 2
    if revision not in (1, 2) or isinstance(revision, bool) or registry.validate_result(revision, method, result):
        return "invalid"
    if method == "server_info_query" and check_server_info(result, revision):
        return "invalid"
    if method == "read_transport":
        try:
            data = base64.b64decode(result["data"], validate=True)
        except ValueError:
            return "invalid"
        return "result" if 1 <= len(data) <= READ_N else "invalid"
    return "result"


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item path inside `value`, the value itself included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def mutated_replies(draw: st.DrawFn, result: Any) -> bytes:
    """A valid reply carrying `result`, then broken (or not) in one way; "__ID__" stands for the request's id."""
    reply: dict[str, Any] = {"jsonrpc": "2.0", "id": "__ID__", "result": json.loads(json.dumps(result))}
    kind = draw(st.sampled_from(("none", "drop", "id", "result", "extra", "both", "error", "raw", "truncate", "invalid_utf8", "long")))
    if kind == "drop":
        del reply[draw(st.sampled_from(sorted(reply)))]
    elif kind == "id":
        reply["id"] = draw(st.sampled_from((None, True, 1000, "1", "2", 1.5, [], {})))
    elif kind == "result":
        path = draw(st.sampled_from(paths(reply["result"])))
        value = draw(st.sampled_from(JSON_VALUES))
        if path:
            holder = reply["result"]
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = value
        else:
            reply["result"] = value
    elif kind == "extra":
        target = reply["result"] if isinstance(reply["result"], dict) and draw(st.booleans()) else reply
        target["extra"] = draw(st.sampled_from(JSON_VALUES))
    elif kind == "both":
        reply["error"] = {"code": -32000, "message": "x"}
    elif kind == "error":
        del reply["result"]
        reply["error"] = draw(st.sampled_from(ERRORS))
        reply["id"] = draw(st.sampled_from(("__ID__", "__ID__", None)))
    elif kind == "raw":
        return draw(st.sampled_from(RAW_LINES))
    line = json.dumps(reply, separators=(",", ":")).encode()
    if kind == "truncate":
        return line[: draw(st.integers(0, len(line) - 1))]
    if kind == "invalid_utf8":
        at = draw(st.integers(0, len(line)))
        return line[:at] + b"\xc3\x28" + line[at:]
    if kind == "long":
        return line[:-1] + b',"pad":"' + b"A" * (MAX_LINE + draw(st.integers(0, 1000))) + b'"}'
    return line


def check_outcome(method: str, call: Callable[[], Any], sent_file: Path, request_id: int) -> None:
    """Run `call`; what it returns or raises must match what the spec makes of the line the server sent."""
    started = time.monotonic()
    try:
        call()
        outcome: BaseException | None = None
    except ProjectApiError as exc:
        outcome = exc
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + SLACK, f"{method} took {elapsed:.1f} s"
    sent = base64.b64decode(sent_file.read_bytes().splitlines()[-1])
    verdict = judge(method, sent, request_id)
    if verdict == "result":
        assert outcome is None, f"{method}: a valid reply raised {outcome!r}: {sent[:300]!r}"
    elif verdict == "invalid":
        assert isinstance(outcome, ClientError), f"{method}: an invalid reply gave {outcome!r}: {sent[:300]!r}"
    else:
        assert isinstance(outcome, RemoteError) and outcome.code == verdict, f"{method}: error {verdict} gave {outcome!r}: {sent[:300]!r}"


def no_leaks(test: Callable[[], None]) -> None:
    """Run `test`; afterwards no child process and no descriptor is left over from it."""
    fds, children = open_fds(), child_pids()
    test()
    assert leaks(fds, children) == []


@pytest.mark.parametrize("method", sorted(CALLS))
def test_a_mutated_reply_is_returned_only_when_valid_and_raised_typed_otherwise(method: str, tmp_path: Path) -> None:
    call, result = CALLS[method]

    @settings(FUZZ, max_examples=15)
    @given(mutated_replies(result))
    def check(line: bytes) -> None:
        directory = project(tmp_path / "p", [reply_step(json.dumps({"jsonrpc": "2.0", "id": "__ID__", "result": INFO}).encode()), reply_step(line)])

        def session() -> None:
            with launch(directory) as client:
                check_outcome(method, lambda: call(client), directory / "sent.txt", 2)

        no_leaks(session)

    check()


def test_a_mutated_first_reply_fails_the_launch_typed(tmp_path: Path) -> None:
    @FUZZ
    @given(mutated_replies(INFO))
    def check(line: bytes) -> None:
        directory = project(tmp_path / "p", [reply_step(line)])

        def session() -> None:
            clients: list[ProjectApiClient] = []
            check_outcome("server_info_query", lambda: clients.append(launch(directory)), directory / "sent.txt", 1)
            for client in clients:
                client.close()

        no_leaks(session)

    check()


UNHOLDABLE_REPLIES = {
    "5000-digit result": (b'{"jsonrpc":"2.0","id":"__ID__","result":' + b"1" * 5000 + b"}", "not JSON this implementation can hold"),
    "5000-digit id": (b'{"jsonrpc":"2.0","id":' + b"2" * 5000 + b',"result":null}', "not JSON this implementation can hold"),
    "a million values and one": (b'{"jsonrpc":"2.0","id":"__ID__","result":[' + b"[]," * (MAX_LINE_VALUES // 2) + b"[]]}",
                                 f"may hold more than {MAX_LINE_VALUES} JSON values"),
}


@pytest.mark.parametrize("name", sorted(UNHOLDABLE_REPLIES))
def test_a_reply_the_parser_cannot_hold_is_a_malformed_reply_that_ends_the_session(name: str, tmp_path: Path) -> None:
    line, reason = UNHOLDABLE_REPLIES[name]
    directory = project(tmp_path / "p", [reply_step(json.dumps({"jsonrpc": "2.0", "id": "__ID__", "result": INFO}).encode()),
                                         reply_step(line)])

    def session() -> None:
        with ProjectApiClient.launch(directory, timeouts=CallTimeouts(default=DEADLINE, long_running=DEADLINE)) as client:
            with pytest.raises(MalformedReplyError, match=f"^build: the reply is {reason}") as caught:
                client.build()
            assert caught.value.raw_line == line.replace(b'"__ID__"', b"2")
            with pytest.raises(SessionOverError):
                client.build()

    no_leaks(session)


@pytest.mark.parametrize(
    ("step", "error"),
    [({"hang": True}, CallTimeoutError), ({"exit": 3}, ServerExitedError), ({"close": True}, ServerExitedError)],
)
def test_a_server_that_hangs_exits_or_closes_is_a_typed_error_within_the_deadline(step: dict[str, Any], error: type, tmp_path: Path) -> None:
    directory = project(tmp_path / "p", [reply_step(json.dumps({"jsonrpc": "2.0", "id": "__ID__", "result": INFO}).encode()), step])

    def session() -> None:
        with launch(directory) as client:
            started = time.monotonic()
            with pytest.raises(error):
                client.build()
            assert time.monotonic() - started < DEADLINE + SLACK

    no_leaks(session)


def test_a_hung_server_s_own_children_are_stopped_with_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    directory = project(tmp_path / "p", [reply_step(json.dumps({"jsonrpc": "2.0", "id": "__ID__", "result": INFO}).encode()), {"spawn": str(pid_file)}])

    def session() -> None:
        with launch(directory) as client, pytest.raises(CallTimeoutError):
            client.build()

    no_leaks(session)
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + SLACK
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild), f"the server's child {grandchild} outlived the session"


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie (a dead process its new parent has not reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except FileNotFoundError:
        return False
