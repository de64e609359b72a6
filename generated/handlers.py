# GENERATED FILE, DO NOT EDIT.
# Source: schema/methods/*.json, schema/types.json, through the method table (protocol/registry.py).
# Command: `make generate` (tools/generate_stubs.py). CI regenerates it and fails on any difference.
"""The handler base classes: one method per protocol method, each unsupported until a platform overrides it.

HandlerMethods is the SDK's (server_sdk/handler.py), TvmHandlerMethods TVM's shape (server_sdk/tvm_compat.py)."""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any, NamedTuple


class TransportTimeouts(NamedTuple):
    """How long the client's session layer waits while it starts a session with the device. 0 disables a timeout. (schema/types.json#/$defs/TransportTimeouts)"""

    session_start_retry_timeout_sec: float
    """Wait this long for the device to answer a session start before sending it again."""
    session_start_timeout_sec: float
    """Give up starting a session after this long."""
    session_established_timeout_sec: float
    """Once established, wait this long for any one reply."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the result member."""
        return dict(self._asdict())


class HandlerMethods:
    """The protocol methods as the SDK calls them: params validated and converted (Paths, bytes, checked
    options). A method left as it is stays unsupported (out of supported_methods, answered
    MethodNotSupportedError)."""

    def generate_project(self, model_library_format_path: Path, standalone_crt_dir: Path, project_dir: Path, options: dict[str, Any]) -> None:
        """Makes a new project from a Model Library Format archive. (schema/methods/generate_project.json)"""
        raise NotImplementedError

    def build(self, options: dict[str, Any]) -> None:
        """Builds the project, so that flash can follow. (schema/methods/build.json)"""
        raise NotImplementedError

    def flash(self, options: dict[str, Any]) -> None:
        """Programs the attached device with the built image; the device is selected by options such as a serial number. (schema/methods/flash.json)"""
        raise NotImplementedError

    def open_transport(self, options: dict[str, Any]) -> TransportTimeouts:
        """Opens the byte channel to the on-device RPC server and returns the session timeouts the client should use. (schema/methods/open_transport.json)"""
        raise NotImplementedError

    def close_transport(self) -> None:
        """Closes the byte channel. (schema/methods/close_transport.json)"""
        raise NotImplementedError

    def read_transport(self, n: int, timeout_sec: float | None) -> bytes:
        """Reads from the device. (schema/methods/read_transport.json)"""
        raise NotImplementedError

    def write_transport(self, data: bytes, timeout_sec: float | None) -> None:
        """Writes to the device. (schema/methods/write_transport.json)"""
        raise NotImplementedError


class TvmHandlerMethods(HandlerMethods, abc.ABC):
    """The protocol methods in the shape of TVM's server module: server_info_query must be written; the others
    are unsupported until overridden."""

    @abc.abstractmethod
    def server_info_query(self, tvm_version: str) -> Any:
        """Asks the server who it is. (schema/methods/server_info_query.json)"""
