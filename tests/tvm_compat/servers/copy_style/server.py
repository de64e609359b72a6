from microtvm_project_api.server_sdk.tvm_compat import *
