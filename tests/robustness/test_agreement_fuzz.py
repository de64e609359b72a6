"""Fuzzing revision agreement on a real SDK server (the loopback example, offering revisions 1 and 2): sequences of
server_info_query params, valid and not, each followed by a probe of the revision the connection is served in.

Each query is answered as schema/methods/server_info_query.json says, whatever came before it: params the spec
refuses get -32602 and leave the revision as it was; others are answered in the highest revision both sides speak
(revision 1 without protocol_versions), which then serves the connection. The judge is jsonschema, not the SDK's
validators, and it reads JSON numbers as the SDK does: one written with a fraction or an exponent (`2.0`, `1e0`)
is not an integer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fuzz_settings import FUZZ
from hypothesis import example, given
from hypothesis import strategies as st
from wire_oracle import INVALID_PARAMS, REPLY_DEADLINE, loopback_server

from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.protocol.agreement import PROTOCOL_VERSIONS, answer_revision
from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.wire import encode_message, request

QUERY = "server_info_query"
SERVER_ERROR = -32000
AGREEABLE = ([2, 1], [1, 2], [1], [2], [3, 1], [3])
TWINS = {1: (1.0, True, "1"), 2: (2.0, "2", 2**64), 3: (3.0, 0)}
"""Values Python holds == (or near) the revisions, which the spec tells apart from them."""
ITEMS = st.sampled_from([1, 2, 3, 0, -1, 1.0, 2.0, 2.5, True, False, "2", None, 2**64, [], {}])
PROBE = b'{"jsonrpc":"2.0","method":"write_transport","params":{"data":"AA/A","timeout_sec":0},"id":"probe"}'
"""Base64 that is not base85: revision 1 refuses the payload (-32602); revision 2 decodes it, and the closed
loopback transport refuses the write (-32000 TransportClosedError)."""


@st.composite
def twin_of(draw: st.DrawFn, versions: list[int]) -> list[Any]:
    """`versions` with one item replaced by a value Python calls equal, or nearly."""
    index = draw(st.integers(0, len(versions) - 1))
    return [*versions[:index], draw(st.sampled_from(TWINS[versions[index]])), *versions[index + 1:]]


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    """server_info_query params: agreeable ones, their near twins, anything."""
    params: dict[str, Any] = {"tvm_version": draw(st.sampled_from(["0.18.0", "0.18.0", "0.18.0", "", 18, None]))}
    if draw(st.integers(0, 9)) == 0:
        del params["tvm_version"]
    kind = draw(st.sampled_from(["absent", "agreeable", "agreeable", "twin", "twin", "any list", "not a list"]))
    versions = list(draw(st.sampled_from(AGREEABLE)))
    if kind == "agreeable":
        params[PROTOCOL_VERSIONS] = versions
    elif kind == "twin":
        params[PROTOCOL_VERSIONS] = draw(twin_of(versions))
    elif kind == "any list":
        params[PROTOCOL_VERSIONS] = draw(st.lists(ITEMS, max_size=4))
    elif kind == "not a list":
        params[PROTOCOL_VERSIONS] = draw(st.sampled_from([None, 2, "2", {}, True]))
    if draw(st.integers(0, 9)) == 0:
        params["extra"] = 1
    return params


def spec_answer(params: dict[str, Any]) -> int | None:
    """The revision the spec answers `params` in, or None when it refuses them (-32602)."""
    if default_registry().validate_params(max(REVISIONS), QUERY, params):
        return None
    asked = params.get(PROTOCOL_VERSIONS)
    if asked is not None and any(type(item) is not int for item in asked):
        return None  # a number with a fraction or an exponent: 2.0 is not the integer 2
    return answer_revision(REVISIONS, asked)


def served_revision(server: ServerProcess) -> int:
    """The revision the connection is served in now, told by the probe's reply."""
    server.send_line(PROBE + b"\n", REPLY_DEADLINE)
    reply = json.loads(server.read_line(REPLY_DEADLINE))
    codes = {INVALID_PARAMS: 1, SERVER_ERROR: 2}
    assert reply["id"] == "probe" and reply["error"]["code"] in codes, reply
    return codes[reply["error"]["code"]]


def fuzz_agreement(tmp_path: Path, sequences: st.SearchStrategy[list[dict[str, Any]]]) -> None:
    """Send every drawn sequence to one loopback server, judging each reply and the revision served after it."""
    registry = default_registry()
    with loopback_server(tmp_path / "server", 1) as server:
        state = {"revision": 1, "id": 0}

        @FUZZ
        @given(sequences)
        @example([{"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [2, 1]}, {"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [2.0, 1]}])
        @example([{"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [1, 2]}, {"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [True, 2]}])
        @example([{"tvm_version": "0.18.0"}, {"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [2]}, {"tvm_version": "0.18.0", PROTOCOL_VERSIONS: [2.0]}])
        def check(sequence: list[dict[str, Any]]) -> None:
            for params in sequence:
                state["id"] += 1
                server.send_line(encode_message(request(QUERY, params, state["id"])), REPLY_DEADLINE)
                reply = json.loads(server.read_line(REPLY_DEADLINE))
                assert reply["id"] == state["id"], reply
                answered = spec_answer(params)
                if answered is None:
                    assert reply.get("error", {}).get("code") == INVALID_PARAMS, f"{params} after {sequence}: {reply}"
                else:
                    assert reply.get("result", {}).get("protocol_version") == answered, f"{params} after {sequence}: {reply}"
                    assert not registry.validate_result(answered, QUERY, reply["result"])
                    state["revision"] = answered
                assert served_revision(server) == state["revision"], f"after {params} in {sequence}"

        check()


def test_every_query_in_any_sequence_is_answered_as_the_spec_says(tmp_path: Path) -> None:
    fuzz_agreement(tmp_path, st.lists(queries(), min_size=1, max_size=8))
