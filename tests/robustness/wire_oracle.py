"""What the spec says a server must answer to one request line, judged with jsonschema (not the SDK's models),
and a real loopback server to send lines to."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.generated.models import ServerErrorName
from microtvm_project_api.protocol.agreement import PROTOCOL_VERSIONS, answer_revision, query_params
from microtvm_project_api.protocol.launch import ServerProcess
from microtvm_project_api.protocol.registry import SchemaRegistry, default_registry
from microtvm_project_api.protocol.wire import WireDecodeError, decode_message, encode_message, request

LOOPBACK = Path(__file__).resolve().parents[2] / "examples" / "loopback" / "microtvm_api_server.py"
JSONRPC = "https://microtvm.example/project-api/schema/jsonrpc.json"
REPLY_DEADLINE = 30.0
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602


@contextmanager
def loopback_server(directory: Path, revision: int) -> Iterator[ServerProcess]:
    """The loopback example, copied into `directory` (so generate_project and build write there), its session in
    `revision`, chosen by a first server_info_query (the server offers both)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy2(LOOPBACK, directory / LOOPBACK.name)
    with ServerProcess(directory) as server:
        server.send_line(encode_message(request("server_info_query", info_params(revision), "agree")), REPLY_DEADLINE)
        assert json.loads(server.read_line(REPLY_DEADLINE))["result"]["protocol_version"] == revision
        yield server


def info_params(revision: int) -> dict[str, Any]:
    """server_info_query params that choose (or keep) `revision` on a server offering both: revision 1 as TVM asks."""
    return query_params("0.18.0", None if revision == 1 else [revision])


def reply_revision(revision: int, method: str, params: Any) -> int:
    """The revision a reply is in: the session's, except for server_info_query, which chooses its own (agreement)."""
    if method != "server_info_query" or not isinstance(params, dict):
        return revision
    asked = params.get(PROTOCOL_VERSIONS)
    return answer_revision(REVISIONS, asked if isinstance(asked, list) else None)


def expected_code(revision: int, line: bytes, registry: SchemaRegistry | None = None) -> int | None:
    """The error code the spec requires for `line`, or None when the reply depends on the handler."""
    registry = registry or default_registry()
    try:
        message = decode_message(line)
    except WireDecodeError:
        return PARSE_ERROR
    if registry.validate(message, f"{JSONRPC}#/$defs/Request"):
        return INVALID_REQUEST
    methods = registry.revision(revision).methods
    if message["method"] not in methods:
        return METHOD_NOT_FOUND
    # server_info_query is read in the latest revision whatever the session's: it may offer protocol_versions
    params_revision = max(REVISIONS) if message["method"] == "server_info_query" else revision
    if registry.validate_params(params_revision, message["method"], message["params"]):
        return INVALID_PARAMS
    return None


def request_id(line: bytes) -> Any:
    """The id of a request line that is a JSON object with a valid id, else None."""
    try:
        message = decode_message(line)
    except WireDecodeError:
        return None
    if isinstance(message, dict):
        found = message.get("id")
        if isinstance(found, str) or (isinstance(found, int) and not isinstance(found, bool)):
            return found
    return None


def check_reply(revision: int, line: bytes, reply_line: bytes, registry: SchemaRegistry | None = None) -> dict[str, Any]:
    """Assert that `reply_line` is a reply the spec allows to `line`; the decoded reply."""
    registry = registry or default_registry()
    reply = json.loads(reply_line)
    assert not registry.validate(reply, f"{JSONRPC}#/$defs/Reply"), f"not a JSON-RPC reply: {reply_line[:300]!r}"
    sent_id = request_id(line)
    assert reply["id"] in (None, sent_id), f"reply id {reply['id']!r} for request id {sent_id!r}"
    expected = expected_code(revision, line, registry)
    if "result" in reply:
        assert expected is None, f"expected error {expected}, got a result: {reply_line[:300]!r} for {line[:300]!r}"
        message = decode_message(line)
        method = message["method"]
        answered_in = reply_revision(revision, method, message["params"])
        assert not registry.validate_result(answered_in, method, reply["result"]), f"{method} result breaks the spec: {reply_line[:300]!r}"
        return reply
    code = reply["error"]["code"]
    if expected is not None:
        assert code == expected, f"expected {expected}, got {reply['error']} for {line[:300]!r}"
    else:
        method = decode_message(line)["method"]
        spec = registry.revision(revision)
        allowed_names = {*spec.methods[method].errors, *spec.common_server_errors}
        assert code in (INVALID_PARAMS, -32000), f"{method}: unexpected {reply['error']} for {line[:300]!r}"
        if code == -32000 and reply["error"]["message"] in {name.value for name in ServerErrorName}:
            assert reply["error"]["message"] in allowed_names, f"{method} may not raise {reply['error']['message']}"
    if code == PARSE_ERROR:
        assert reply["id"] is None
    return reply
