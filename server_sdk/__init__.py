"""What a platform author imports to write microtvm_api_server.py: the handler base class, option
declarations, the entry point and the errors a handler raises. Transports, project helpers, Model Library
Format extraction and `tvm_compat` (TVM's server-module API, for platforms written for TVM) live in their own
modules, imported only by servers that use them."""

from microtvm_project_api.generated.handlers import TransportTimeouts
from microtvm_project_api.protocol.errors import (
    IoTimeoutError,
    TransportClosedError,
    UnsupportedTVMVersionError,
)
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.main import main
from microtvm_project_api.server_sdk.options import ProjectOption

__all__ = [
    "IoTimeoutError",
    "ProjectApiHandler",
    "ProjectOption",
    "TransportClosedError",
    "TransportTimeouts",
    "UnsupportedTVMVersionError",
    "main",
]
