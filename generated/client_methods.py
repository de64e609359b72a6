# GENERATED FILE, DO NOT EDIT.
# Source: schema/methods/*.json, through the method table (protocol/registry.py).
# Command: `make generate` (tools/generate_stubs.py). CI regenerates it and fails on any difference.
"""The typed client's methods: one per protocol method, each handing its arguments to the client's `_invoke`
(client/client.py), which converts, sends, checks and decodes by the method table's facts."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping

from microtvm_project_api.generated import methods

if TYPE_CHECKING:
    from microtvm_project_api.generated import models


class ClientMethods:
    """One typed method per protocol method; `timeout` is the call's deadline in seconds (None: the method's class
    in the client's CallTimeouts)."""

    def _invoke(self, method: str, arguments: dict[str, Any], timeout: float | None) -> Any:
        """Call `method` with its arguments as given (None where left out)."""
        raise NotImplementedError

    def server_info_query(self, tvm_version: str | None = None, timeout: float | None = None) -> models.ServerInfoV1 | models.ServerInfoV2:
        """Asks the server who it is. (schema/methods/server_info_query.json) Its params default to the session's own."""
        result: models.ServerInfoV1 | models.ServerInfoV2 = self._invoke(methods.SERVER_INFO_QUERY, {'tvm_version': tvm_version}, timeout)
        return result

    def generate_project(self, model_library_format_path: str | os.PathLike[str], standalone_crt_dir: str | os.PathLike[str], project_dir: str | os.PathLike[str], options: Mapping[str, Any] | None = None, timeout: float | None = None) -> None:
        """Makes a new project from a Model Library Format archive. (schema/methods/generate_project.json)"""
        self._invoke(methods.GENERATE_PROJECT, {'model_library_format_path': model_library_format_path, 'standalone_crt_dir': standalone_crt_dir, 'project_dir': project_dir, 'options': options}, timeout)

    def build(self, options: Mapping[str, Any] | None = None, timeout: float | None = None) -> None:
        """Builds the project, so that flash can follow. (schema/methods/build.json)"""
        self._invoke(methods.BUILD, {'options': options}, timeout)

    def flash(self, options: Mapping[str, Any] | None = None, timeout: float | None = None) -> None:
        """Programs the attached device with the built image; the device is selected by options such as a serial number. (schema/methods/flash.json)"""
        self._invoke(methods.FLASH, {'options': options}, timeout)

    def open_transport(self, options: Mapping[str, Any] | None = None, timeout: float | None = None) -> models.OpenTransportResult:
        """Opens the byte channel to the on-device RPC server and returns the session timeouts the client should use. (schema/methods/open_transport.json)"""
        result: models.OpenTransportResult = self._invoke(methods.OPEN_TRANSPORT, {'options': options}, timeout)
        return result

    def close_transport(self, timeout: float | None = None) -> None:
        """Closes the byte channel. (schema/methods/close_transport.json)"""
        self._invoke(methods.CLOSE_TRANSPORT, {}, timeout)

    def read_transport(self, n: int, timeout_sec: float | None, timeout: float | None = None) -> bytes:
        """Reads from the device. (schema/methods/read_transport.json)"""
        result: bytes = self._invoke(methods.READ_TRANSPORT, {'n': n, 'timeout_sec': timeout_sec}, timeout)
        return result

    def write_transport(self, data: bytes, timeout_sec: float | None, timeout: float | None = None) -> None:
        """Writes to the device. (schema/methods/write_transport.json)"""
        self._invoke(methods.WRITE_TRANSPORT, {'data': data, 'timeout_sec': timeout_sec}, timeout)
