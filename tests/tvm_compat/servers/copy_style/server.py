from microtvm_project_api.server_sdk.tvm_compat import *  # noqa: F403  (the one-line move of a server.py copy)
