"""Byte transports with the protocol's deadline semantics: file descriptors, a child process, a serial port.

    from microtvm_project_api.server_sdk.transports import FdTransport, SerialTransport, SubprocessTransport

Each name is imported from its module on first use (PEP 562), so a server that uses the file-descriptor
transport does not load pyserial, and one that uses the serial transport loads the RFC 2217 port (sockets,
a thread) only for an `rfc2217://` URL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from microtvm_project_api.server_sdk.transports.base import Deadline, Transport
    from microtvm_project_api.server_sdk.transports.fd import FdTransport
    from microtvm_project_api.server_sdk.transports.rfc2217 import Rfc2217Port, open_rfc2217
    from microtvm_project_api.server_sdk.transports.serial import SerialTransport
    from microtvm_project_api.server_sdk.transports.subprocess import SubprocessTransport

_MODULE_OF = {
    "Deadline": "base",
    "Transport": "base",
    "FdTransport": "fd",
    "SubprocessTransport": "subprocess",
    "SerialTransport": "serial",
    "Rfc2217Port": "rfc2217",
    "open_rfc2217": "rfc2217",
}

__all__ = ["Deadline", "FdTransport", "Rfc2217Port", "SerialTransport", "SubprocessTransport", "Transport", "open_rfc2217"]


def __getattr__(name: str) -> Any:
    """The exported name `name`, imported from its module the first time it is asked for."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names with the exported ones not imported yet (what tab completion offers)."""
    return sorted({*globals(), *__all__})
