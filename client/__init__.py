"""The typed client a compiler uses to drive a Project API server.

`ProjectApiClient.launch(project_dir)` opens a session; `TransportStream` gives the session layer
a byte stream with deadlines; `check_options` / `convert_option_strings` check option values
against what the server declared. Errors are in `client.errors` (client side) and
`protocol.errors` (error replies).
"""

from microtvm_project_api.client.client import CallTimeouts, ProjectApiClient, UnboundedCallWarning
from microtvm_project_api.client.transcript import Transcript
from microtvm_project_api.client.transport_stream import TransportStream
from microtvm_project_api.protocol.options import check_options, convert_option_strings

__all__ = ["CallTimeouts", "ProjectApiClient", "Transcript", "TransportStream", "UnboundedCallWarning", "check_options", "convert_option_strings"]
