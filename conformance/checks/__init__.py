"""The checks, one module per group, named after the group; importing this package registers them in run order."""

from microtvm_project_api.conformance.checks import (  # noqa: F401
    process,
    server_info,
    jsonrpc,
    template,
    transport,
)
