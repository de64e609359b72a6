"""The checks, one module per group; importing this package registers them in run order."""

from microtvm_project_api.conformance.checks import (  # noqa: F401
    process,
    server_info,
    jsonrpc_robustness,
    template_flow,
    transport,
)
