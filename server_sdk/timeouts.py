"""TransportTimeouts as a handler returns it from open_transport: a plain frozen dataclass, so a server starts
without importing pydantic. Same name, fields and keywords as the generated model (the client's typed result)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class TransportTimeouts:
    """The session timeouts open_transport reports, in seconds (0 disables one); the SDK validates them against
    schema/types.json#/$defs/TransportTimeouts when the handler returns them."""

    session_start_retry_timeout_sec: float
    session_start_timeout_sec: float
    session_established_timeout_sec: float

    def to_json(self) -> dict[str, Any]:
        """The `timeouts` member of open_transport's result."""
        return asdict(self)
