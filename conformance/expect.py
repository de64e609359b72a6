"""Assertions on one reply that fail a check with what was sent, what came back, what was expected and the server's cause."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from microtvm_project_api.conformance.check import CheckFailed, inherited_ref
from microtvm_project_api.conformance.session import Reply, ServerStopped, Session
from microtvm_project_api.generated.models import ErrorCode

if TYPE_CHECKING:
    from microtvm_project_api.conformance.context import Context

SERVER_ERROR = int(ErrorCode.SERVER_ERROR)
INVALID_PARAMS = int(ErrorCode.INVALID_PARAMS)


def result(reply: Reply, why: str) -> Any:
    """The reply's result; CheckFailed when it is an error."""
    if reply.error is not None:
        raise reply.failed(f"expected a result: {why}")
    return reply.result


def error(reply: Reply, codes: Iterable[int], why: str) -> dict[str, Any]:
    """The reply's error object; CheckFailed when it is a result or carries another code."""
    codes = tuple(codes)
    if reply.error is None or reply.error["code"] not in codes:
        wanted = " or ".join(map(str, codes))
        raise reply.failed(f"expected an error with code {wanted}: {why}")
    return reply.error


def named(reply: Reply, names: Iterable[str], why: str) -> dict[str, Any]:
    """The reply's error when it is a -32000 error whose message is exactly one of `names`."""
    names = tuple(names)
    obj = error(reply, (SERVER_ERROR,), why)
    if obj["message"] not in names:
        raise reply.failed(f"expected message {' or '.join(names)}: {why}")
    return obj


def mentions(reply: Reply, word: str, why: str) -> None:
    """The error reply names `word` in its message or data."""
    if word not in json.dumps(reply.error, ensure_ascii=False):
        raise reply.failed(f"the error does not name {word!r}: {why}")


def still_serving(session: Session, after: str) -> None:
    """server_info_query still gets a result: the server survived what was sent before (its shape is server_info.schema's job)."""
    reply = session.call("server_info_query", session.hello, validate=False)
    if reply.error is not None:
        raise reply.failed(f"after {after}, server_info_query fails", "MUST: the server keeps serving after a bad request")


def keeps_serving(ctx: "Context", session: Session, after: str, inherited: str) -> None:
    """still_serving; in revision 1 a server that exited does what TVM's server module does: reported as `inherited`."""
    try:
        still_serving(session, after)
    except ServerStopped as exc:
        stopped_as_deployed(ctx, exc, inherited)
        ctx.inherit(inherited, f"stopped serving after {after}")


def stopped_as_deployed(ctx: "Context", stopped: ServerStopped, key: str) -> None:
    """Re-raise `stopped` unless it is how TVM's server module stops (revision 1, an exit with a status): a signal is the server's own crash."""
    if ctx.revision != 1:
        raise stopped
    if stopped.signal is not None:
        raise CheckFailed(f"killed by {stopped.signal}: the server crashed; TVM's server module exits with a status there, never"
                          " by a signal, so this is not inherited", sent=stopped.sent, got=stopped.got, rule=inherited_ref(key),
                          cause=stopped.cause) from None
