"""The request envelope of schema/jsonrpc.json#/$defs/Request, as a server checks it: one rule set, its constants
generated from the schema (generated/methods.py), with the words the SDK answers -32600 in.

`plain_request` is the one-line test a well-formed request passes on the hot path; `request_parts` says what is
wrong with any other message. Both read the same rules, so a request that passes one passes the other.
"""

from __future__ import annotations

import re
from typing import Any

from microtvm_project_api.generated.methods import JSONRPC_VERSION, METHOD_NAME_PATTERN, REQUEST_MEMBERS
from microtvm_project_api.protocol.errors import InvalidRequestError

METHOD_SYNTAX = re.compile(METHOD_NAME_PATTERN)
RequestId = int | float | str


def request_id(message: Any) -> RequestId | None:
    """The request's id when it is a valid one, else None: a string or an integer, not a boolean; an integer written
    with a fraction or exponent (1.0, 1e3) is one too, as jsonrpc.json#/$defs/RequestId says, echoed as it was read."""
    if isinstance(message, dict):
        found = message.get("id")
        if isinstance(found, str) or (isinstance(found, int) and not isinstance(found, bool)):
            return found
        if isinstance(found, float) and found.is_integer():
            return found
    return None


def plain_request(message: Any) -> bool:
    """Whether `message`, whose id is valid (request_id), is a well-formed request: every member and no other, jsonrpc
    "2.0", params an object. The method's syntax is the dispatcher's to check (a known name has it)."""
    return (type(message) is dict and message.keys() == REQUEST_MEMBERS
            and type(message["method"]) is str and message["jsonrpc"] == JSONRPC_VERSION and type(message["params"]) is dict)


def request_parts(message: Any) -> tuple[RequestId, str, dict[str, Any]]:
    """The request's id, method and params; InvalidRequestError saying which rule `message` breaks otherwise."""
    if isinstance(message, list):
        raise InvalidRequestError("Invalid request: batches are not supported")
    if not isinstance(message, dict):
        raise InvalidRequestError("Invalid request: a request is a JSON object")
    if message.get("jsonrpc") != JSONRPC_VERSION:
        raise InvalidRequestError(f'Invalid request: jsonrpc must be "{JSONRPC_VERSION}"')
    if "id" not in message:
        raise InvalidRequestError("Invalid request: id is missing (notifications are not supported)")
    found_id = request_id(message)
    if found_id is None:
        raise InvalidRequestError("Invalid request: id must be a string or an integer")
    method = message.get("method")
    if not isinstance(method, str) or not METHOD_SYNTAX.fullmatch(method):
        raise InvalidRequestError(f"Invalid request: method must be a string matching {METHOD_NAME_PATTERN}")
    if not isinstance(message.get("params"), dict):
        raise InvalidRequestError("Invalid request: params must be an object")
    extra = sorted(set(message) - REQUEST_MEMBERS)
    if extra:
        raise InvalidRequestError(f"Invalid request: unexpected members {', '.join(extra)}")
    return found_id, method, message["params"]
