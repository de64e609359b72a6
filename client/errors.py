"""Errors the client raises on its own side of the pipe: the server could not be started, died,
hung, or said something the spec does not allow. Errors the server reported are in protocol.errors;
ClientError, OptionsError and the launch errors live in protocol (shared with the kit and the CLI) and are re-exported here."""

from __future__ import annotations

from typing import Sequence

from microtvm_project_api.protocol.errors import ClientError, OptionsError
from microtvm_project_api.protocol.launch import ServerExitedError, ServerNotFoundError
from microtvm_project_api.protocol.violations import Violation

__all__ = [
    "CallTimeoutError", "ClientError", "MalformedReplyError", "MismatchedIdError", "OptionsError", "ServerExitedError",
    "ServerNotFoundError", "SessionOverError", "UnsupportedProtocolVersionError",
]


class CallTimeoutError(ClientError):
    """No reply within the call's deadline; the server was stopped."""


class MalformedReplyError(ClientError):
    """A reply line that is not JSON, not a JSON-RPC reply, or breaks the method's result schema."""

    def __init__(self, method: str, message: str, raw_line: bytes, violations: Sequence[Violation] = ()) -> None:
        where = "".join(f"\n    {v}" for v in violations)
        super().__init__(f"{method}: {message}{where}\n  raw reply: {raw_line[:500]!r}{'...' if len(raw_line) > 500 else ''}")
        self.method = method
        self.raw_line = raw_line
        self.violations = list(violations)


class MismatchedIdError(MalformedReplyError):
    """A reply whose id is not the id of the request in flight."""


class UnsupportedProtocolVersionError(ClientError):
    """The server speaks a protocol revision this client does not know."""


class SessionOverError(ClientError):
    """A call on a session that was closed or ended by an earlier fatal error (timeout, exit, broken reply)."""
