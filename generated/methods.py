# GENERATED FILE, DO NOT EDIT.
# Source: schema/revisions/*.json and schema/methods/*.json (the method table of every revision, read by
# protocol/registry.py and written out by tools/generate_models.py).
# Command: `make generate`. CI regenerates it and fails on any difference.
"""The method table of every protocol revision: each method's params and result models, its named errors,
and the facts the SDK, the client and the kit act on. Adding a method is a schema change and `make generate`.
The models are imported on first use (they import pydantic): the SDK's server never uses them."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Final, Mapping, cast

if TYPE_CHECKING:
    from pydantic import BaseModel


def _models() -> ModuleType:
    from microtvm_project_api.generated import models

    return models


@dataclass(frozen=True)
class MethodEntry:
    """One method of one revision."""

    name: str
    params_model_name: str
    """The generated model of the params, by name (see params_model)."""
    result_model_name: str
    params: tuple[str, ...]
    """The params' names in schema order: the order handler methods take them in."""
    result_member: str | None
    """The member of a result object that has exactly one (open_transport's timeouts): handlers return its value."""
    params_ref: str
    """Absolute reference of the params definition in schema/ (for jsonschema validation)."""
    result_ref: str
    errors: tuple[str, ...]
    """`x-errors`: the named server errors the method may raise."""
    takes_options: bool
    """The params carry `options`, checked against the server's declared ProjectOptions."""
    transport: bool
    """`x-transport`: implemented all together with the other transport methods, or not at all."""
    long_running: bool
    """`x-long-running`: the call may take minutes (compiling, flashing)."""
    timeout_param: str | None
    """The param typed TimeoutSec, the server's own wait: a client's deadline is that plus a margin."""
    path_params: tuple[str, ...]
    """`x-path`: params that are file system paths on the server's machine."""
    payload_params: Mapping[str, str]
    """Params carrying bytes, with their encoding (base85 or base64)."""
    payload_result: Mapping[str, str]
    """Result members carrying bytes, with their encoding."""

    @property
    def params_model(self) -> type[BaseModel]:
        """The generated model of the params (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.params_model_name))

    @property
    def result_model(self) -> type[BaseModel]:
        """The generated model of the result (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.result_model_name))


@dataclass(frozen=True)
class RevisionEntry:
    """One protocol revision: its payload encoding, error semantics and methods."""

    version: int
    payload_encoding: str
    parse_error_reply: bool
    """A line that is not JSON gets a -32700 reply."""
    common_errors: tuple[str, ...]
    common_server_errors: tuple[str, ...]
    methods: Mapping[str, MethodEntry]


# Method names.
SERVER_INFO_QUERY: Final = "server_info_query"
GENERATE_PROJECT: Final = "generate_project"
BUILD: Final = "build"
FLASH: Final = "flash"
OPEN_TRANSPORT: Final = "open_transport"
CLOSE_TRANSPORT: Final = "close_transport"
READ_TRANSPORT: Final = "read_transport"
WRITE_TRANSPORT: Final = "write_transport"


REVISION_1: Final = RevisionEntry(
    version=1,
    payload_encoding="base85",
    parse_error_reply=False,
    common_errors=("INVALID_REQUEST", "METHOD_NOT_FOUND", "INVALID_PARAMS", "INTERNAL_ERROR"),
    common_server_errors=(),
    methods={
        SERVER_INFO_QUERY: MethodEntry(
            name=SERVER_INFO_QUERY,
            params_model_name="ServerInfoQueryParamsV1",
            result_model_name="ServerInfoV1",
            params=("tvm_version",),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/server_info_query.json#/$defs/ServerInfoQueryParamsV1",
            result_ref="https://microtvm.example/project-api/schema/types.json#/$defs/ServerInfoV1",
            errors=("UnsupportedTVMVersionError",),
            takes_options=False,
            transport=False,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        GENERATE_PROJECT: MethodEntry(
            name=GENERATE_PROJECT,
            params_model_name="GenerateProjectParamsV1",
            result_model_name="GenerateProjectResult",
            params=("model_library_format_path", "standalone_crt_dir", "project_dir", "options"),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/generate_project.json#/$defs/GenerateProjectParamsV1",
            result_ref="https://microtvm.example/project-api/schema/methods/generate_project.json#/$defs/GenerateProjectResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=("model_library_format_path", "standalone_crt_dir", "project_dir"),
            payload_params={},
            payload_result={},
        ),
        BUILD: MethodEntry(
            name=BUILD,
            params_model_name="BuildParamsV1",
            result_model_name="BuildResult",
            params=("options",),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/build.json#/$defs/BuildParamsV1",
            result_ref="https://microtvm.example/project-api/schema/methods/build.json#/$defs/BuildResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        FLASH: MethodEntry(
            name=FLASH,
            params_model_name="FlashParamsV1",
            result_model_name="FlashResult",
            params=("options",),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/flash.json#/$defs/FlashParamsV1",
            result_ref="https://microtvm.example/project-api/schema/methods/flash.json#/$defs/FlashResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        OPEN_TRANSPORT: MethodEntry(
            name=OPEN_TRANSPORT,
            params_model_name="OpenTransportParamsV1",
            result_model_name="OpenTransportResult",
            params=("options",),
            result_member="timeouts",
            params_ref="https://microtvm.example/project-api/schema/methods/open_transport.json#/$defs/OpenTransportParamsV1",
            result_ref="https://microtvm.example/project-api/schema/methods/open_transport.json#/$defs/OpenTransportResult",
            errors=(),
            takes_options=True,
            transport=True,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        CLOSE_TRANSPORT: MethodEntry(
            name=CLOSE_TRANSPORT,
            params_model_name="CloseTransportParams",
            result_model_name="CloseTransportResult",
            params=(),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/close_transport.json#/$defs/CloseTransportParams",
            result_ref="https://microtvm.example/project-api/schema/methods/close_transport.json#/$defs/CloseTransportResult",
            errors=(),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        READ_TRANSPORT: MethodEntry(
            name=READ_TRANSPORT,
            params_model_name="ReadTransportParams",
            result_model_name="ReadTransportResultV1",
            params=("n", "timeout_sec"),
            result_member="data",
            params_ref="https://microtvm.example/project-api/schema/methods/read_transport.json#/$defs/ReadTransportParams",
            result_ref="https://microtvm.example/project-api/schema/methods/read_transport.json#/$defs/ReadTransportResultV1",
            errors=("IoTimeoutError", "TransportClosedError"),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param="timeout_sec",
            path_params=(),
            payload_params={},
            payload_result={"data": "base85"},
        ),
        WRITE_TRANSPORT: MethodEntry(
            name=WRITE_TRANSPORT,
            params_model_name="WriteTransportParamsV1",
            result_model_name="WriteTransportResult",
            params=("data", "timeout_sec"),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/write_transport.json#/$defs/WriteTransportParamsV1",
            result_ref="https://microtvm.example/project-api/schema/methods/write_transport.json#/$defs/WriteTransportResult",
            errors=("IoTimeoutError", "TransportClosedError"),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param="timeout_sec",
            path_params=(),
            payload_params={"data": "base85"},
            payload_result={},
        ),
    },
)


REVISION_2: Final = RevisionEntry(
    version=2,
    payload_encoding="base64",
    parse_error_reply=True,
    common_errors=("PARSE_ERROR", "INVALID_REQUEST", "METHOD_NOT_FOUND", "INVALID_PARAMS", "INTERNAL_ERROR"),
    common_server_errors=("MethodNotSupportedError",),
    methods={
        SERVER_INFO_QUERY: MethodEntry(
            name=SERVER_INFO_QUERY,
            params_model_name="ServerInfoQueryParamsV2",
            result_model_name="ServerInfoV2",
            params=("tvm_version", "protocol_versions"),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/server_info_query.json#/$defs/ServerInfoQueryParamsV2",
            result_ref="https://microtvm.example/project-api/schema/types.json#/$defs/ServerInfoV2",
            errors=("UnsupportedTVMVersionError",),
            takes_options=False,
            transport=False,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        GENERATE_PROJECT: MethodEntry(
            name=GENERATE_PROJECT,
            params_model_name="GenerateProjectParamsV2",
            result_model_name="GenerateProjectResult",
            params=("model_library_format_path", "standalone_crt_dir", "project_dir", "options"),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/generate_project.json#/$defs/GenerateProjectParamsV2",
            result_ref="https://microtvm.example/project-api/schema/methods/generate_project.json#/$defs/GenerateProjectResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=("model_library_format_path", "standalone_crt_dir", "project_dir"),
            payload_params={},
            payload_result={},
        ),
        BUILD: MethodEntry(
            name=BUILD,
            params_model_name="BuildParamsV2",
            result_model_name="BuildResult",
            params=("options",),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/build.json#/$defs/BuildParamsV2",
            result_ref="https://microtvm.example/project-api/schema/methods/build.json#/$defs/BuildResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        FLASH: MethodEntry(
            name=FLASH,
            params_model_name="FlashParamsV2",
            result_model_name="FlashResult",
            params=("options",),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/flash.json#/$defs/FlashParamsV2",
            result_ref="https://microtvm.example/project-api/schema/methods/flash.json#/$defs/FlashResult",
            errors=(),
            takes_options=True,
            transport=False,
            long_running=True,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        OPEN_TRANSPORT: MethodEntry(
            name=OPEN_TRANSPORT,
            params_model_name="OpenTransportParamsV2",
            result_model_name="OpenTransportResult",
            params=("options",),
            result_member="timeouts",
            params_ref="https://microtvm.example/project-api/schema/methods/open_transport.json#/$defs/OpenTransportParamsV2",
            result_ref="https://microtvm.example/project-api/schema/methods/open_transport.json#/$defs/OpenTransportResult",
            errors=(),
            takes_options=True,
            transport=True,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        CLOSE_TRANSPORT: MethodEntry(
            name=CLOSE_TRANSPORT,
            params_model_name="CloseTransportParams",
            result_model_name="CloseTransportResult",
            params=(),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/close_transport.json#/$defs/CloseTransportParams",
            result_ref="https://microtvm.example/project-api/schema/methods/close_transport.json#/$defs/CloseTransportResult",
            errors=(),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param=None,
            path_params=(),
            payload_params={},
            payload_result={},
        ),
        READ_TRANSPORT: MethodEntry(
            name=READ_TRANSPORT,
            params_model_name="ReadTransportParams",
            result_model_name="ReadTransportResultV2",
            params=("n", "timeout_sec"),
            result_member="data",
            params_ref="https://microtvm.example/project-api/schema/methods/read_transport.json#/$defs/ReadTransportParams",
            result_ref="https://microtvm.example/project-api/schema/methods/read_transport.json#/$defs/ReadTransportResultV2",
            errors=("IoTimeoutError", "TransportClosedError"),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param="timeout_sec",
            path_params=(),
            payload_params={},
            payload_result={"data": "base64"},
        ),
        WRITE_TRANSPORT: MethodEntry(
            name=WRITE_TRANSPORT,
            params_model_name="WriteTransportParamsV2",
            result_model_name="WriteTransportResult",
            params=("data", "timeout_sec"),
            result_member=None,
            params_ref="https://microtvm.example/project-api/schema/methods/write_transport.json#/$defs/WriteTransportParamsV2",
            result_ref="https://microtvm.example/project-api/schema/methods/write_transport.json#/$defs/WriteTransportResult",
            errors=("IoTimeoutError", "TransportClosedError"),
            takes_options=False,
            transport=True,
            long_running=False,
            timeout_param="timeout_sec",
            path_params=(),
            payload_params={"data": "base64"},
            payload_result={},
        ),
    },
)


REVISIONS: Final[Mapping[int, RevisionEntry]] = {
    1: REVISION_1,
    2: REVISION_2,
}
LATEST_REVISION: Final = 2

# Every method of any revision, with its entry in the latest revision that has it.
METHODS: Final[Mapping[str, MethodEntry]] = {
    SERVER_INFO_QUERY: REVISION_2.methods[SERVER_INFO_QUERY],
    GENERATE_PROJECT: REVISION_2.methods[GENERATE_PROJECT],
    BUILD: REVISION_2.methods[BUILD],
    FLASH: REVISION_2.methods[FLASH],
    OPEN_TRANSPORT: REVISION_2.methods[OPEN_TRANSPORT],
    CLOSE_TRANSPORT: REVISION_2.methods[CLOSE_TRANSPORT],
    READ_TRANSPORT: REVISION_2.methods[READ_TRANSPORT],
    WRITE_TRANSPORT: REVISION_2.methods[WRITE_TRANSPORT],
}
METHOD_NAMES: Final = (
    SERVER_INFO_QUERY,
    GENERATE_PROJECT,
    BUILD,
    FLASH,
    OPEN_TRANSPORT,
    CLOSE_TRANSPORT,
    READ_TRANSPORT,
    WRITE_TRANSPORT,
)
OPTION_METHODS: Final = (GENERATE_PROJECT, BUILD, FLASH, OPEN_TRANSPORT)
TRANSPORT_METHODS: Final = (OPEN_TRANSPORT, CLOSE_TRANSPORT, READ_TRANSPORT, WRITE_TRANSPORT)
LONG_RUNNING_METHODS: Final = (GENERATE_PROJECT, BUILD, FLASH)
