"""What a platform author imports to write microtvm_api_server.py: the handler base class, option
declarations, the entry point and the errors a handler raises. Transports, project helpers and
Model Library Format extraction live in their own modules, imported only by servers that use them."""

from microtvm_project_api.protocol.errors import (
    IoTimeoutError,
    TransportClosedError,
    UnsupportedTVMVersionError,
)
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.main import main
from microtvm_project_api.server_sdk.options import ProjectOption
from microtvm_project_api.server_sdk.timeouts import TransportTimeouts

__all__ = [
    "IoTimeoutError",
    "ProjectApiHandler",
    "ProjectOption",
    "TransportClosedError",
    "TransportTimeouts",
    "UnsupportedTVMVersionError",
    "main",
]
