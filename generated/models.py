# GENERATED FILE, DO NOT EDIT.
# Source: schema/ (every $defs entry of every schema file, bundled by tools/generate_models.py).
# Command: `make generate` (datamodel-code-generator, pinned in pyproject.toml).
# CI regenerates it and fails on any difference.

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Annotated, Any, Literal

from microtvm_project_api.generated.validators import ErrorCode, ServerErrorName
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
)


class ProjectApiSpec(RootModel[Any]):
    root: Annotated[Any, Field(title="ProjectApiSpec")]


class BuildResult(RootModel[None]):
    root: Annotated[None, Field(title="BuildResult")]
    """
    The method returns null.
    """


class CloseTransportParams(BaseModel):
    """
    close_transport takes no parameters: params is {}.
    """

    model_config = ConfigDict(
        extra="forbid",
    )


class CloseTransportResult(RootModel[None]):
    root: Annotated[None, Field(title="CloseTransportResult")]
    """
    The method returns null.
    """


class ErrorData(BaseModel):
    """
    Extra information about an error, for humans. traceback is the server-side stack trace; detail a sentence about this occurrence (which option, which byte count). Other members may appear and must be ignored by clients.
    """

    traceback: StrictStr | None = None
    detail: StrictStr | None = None


class ErrorObject(BaseModel):
    """
    The error member of an error reply. code is one of errors.json#/$defs/ErrorCode (clients must still accept other codes and treat them as a generic server error). For code -32000, message is the name of a named server error (errors.json#/$defs/ServerErrorName) or free text for a generic failure.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    code: StrictInt
    message: StrictStr
    data: ErrorData | None = None


class FlashResult(RootModel[None]):
    root: Annotated[None, Field(title="FlashResult")]
    """
    The method returns null.
    """


class GenerateProjectResult(RootModel[None]):
    root: Annotated[None, Field(title="GenerateProjectResult")]
    """
    The method returns null.
    """


class MethodName(str, Enum):
    """
    Every method of the protocol (closed list).
    """

    server_info_query = "server_info_query"
    generate_project = "generate_project"
    build = "build"
    flash = "flash"
    open_transport = "open_transport"
    close_transport = "close_transport"
    read_transport = "read_transport"
    write_transport = "write_transport"


class OptionMethod(str, Enum):
    """
    The methods that take options, and so the only names allowed in a ProjectOption's required and optional lists (closed list).
    """

    generate_project = "generate_project"
    build = "build"
    flash = "flash"
    open_transport = "open_transport"


class OptionType(str, Enum):
    """
    The type of an option's value (closed list): bool is a JSON boolean, str a string, int an integer, float any number.
    """

    bool = "bool"
    str = "str"
    int = "int"
    float = "float"


class ProjectOptionV1(BaseModel):
    """
    ProjectOption as TVM's shipped server (revision 1) serialises it: every member present, null where unset. TVM's server never checked option values against this metadata; revision 1 clients must not rely on it.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[
        StrictStr, Field(pattern="^[A-Za-z_][A-Za-z0-9_]*$", title="OptionName")
    ]
    """
    An option's name: an identifier, as it appears on command lines as --option NAME=VALUE.
    """
    type: OptionType
    required: list[OptionMethod] | None
    """
    Methods that fail without this option.
    """
    optional: list[OptionMethod] | None
    """
    Methods that use this option when given.
    """
    default: StrictBool | StrictStr | StrictInt | StrictFloat | None
    """
    The value a method uses when the option is not given; null when there is none.
    """
    choices: Annotated[
        list[StrictBool | StrictStr | StrictInt | StrictFloat] | None,
        Field(min_length=1),
    ]
    """
    The only values accepted, or null for any value of the type.
    """
    help: StrictStr
    """
    One line for humans: what the option does.
    """


class ProjectOptionV2(BaseModel):
    """
    ProjectOption (RFC 0020), revision 2: required, optional, default and choices may be omitted or null, meaning unset. The server checks every option sent to a method against this metadata and answers -32602 for an undeclared name, a value of the wrong type, a value outside choices, or a missing option that is required for that method. An option declared only for other methods is accepted and ignored: TVM's tooling sends every option to every method.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[
        StrictStr, Field(pattern="^[A-Za-z_][A-Za-z0-9_]*$", title="OptionName")
    ]
    """
    An option's name: an identifier, as it appears on command lines as --option NAME=VALUE.
    """
    type: OptionType
    required: list[OptionMethod] | None = None
    """
    Methods that fail without this option.
    """
    optional: list[OptionMethod] | None = None
    """
    Methods that use this option when given.
    """
    default: StrictBool | StrictStr | StrictInt | StrictFloat | None = None
    """
    The value a method uses when the option is not given; null when there is none.
    """
    choices: Annotated[
        list[StrictBool | StrictStr | StrictInt | StrictFloat] | None,
        Field(min_length=1),
    ] = None
    """
    The only values accepted, or null for any value of the type.
    """
    help: StrictStr
    """
    One line for humans: what the option does.
    """


class ReadTransportResultV1(BaseModel):
    """
    Bytes read, base85-encoded (revision 1).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Annotated[
        StrictStr,
        Field(
            json_schema_extra={"contentEncoding": "base85"},
            min_length=2,
            pattern="^(?:[0-9A-Za-z!#$%&()*+\\-;<=>?@^_`{|}~]{5})*(?:[0-9A-Za-z!#$%&()*+\\-;<=>?@^_`{|}~]{2,4})?$",
            title="NonEmptyBase85Bytes",
        ),
    ]
    """
    Base85Bytes holding at least one byte.
    """


class ReadTransportResultV2(BaseModel):
    """
    Bytes read, base64-encoded (revision 2).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Annotated[
        StrictStr,
        Field(
            json_schema_extra={"contentEncoding": "base64"},
            min_length=4,
            pattern="^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
            title="NonEmptyBase64Bytes",
        ),
    ]
    """
    Base64Bytes holding at least one byte.
    """


class ResultReply(BaseModel):
    """
    A successful reply. The shape of result is the method's result schema.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    jsonrpc: Literal["2.0"]
    id: Annotated[StrictStr | StrictInt, Field(title="RequestId")]
    """
    Identifies a request; the reply carries the same value back. A string or an integer (TVM's client sends integers). null is not a valid request id (TVM's revision 1 server module serves it and echoes it: revisions/v1.json#/x-server-module/null-id-accepted). To JSON Schema an integer written with a fraction or exponent (1.0, 1e3) is an integer, so it is a valid id too: a server echoes the same number back. Clients should send plain integers.
    """
    result: Any


class ServerInfoQueryParamsV1(BaseModel):
    """
    Parameters of server_info_query in revision 1: exactly tvm_version, as TVM's shipped client sends them. An extra member, protocol_versions included, is -32602.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    tvm_version: StrictStr
    """
    The caller's compiler version, e.g. "0.18.0". A server may refuse versions it does not support with UnsupportedTVMVersionError.
    """


class ProtocolVersion(RootModel[StrictInt]):
    root: Annotated[StrictInt, Field(ge=1)]


class ServerInfoQueryParamsV2(BaseModel):
    """
    Parameters of server_info_query in revision 2: tvm_version, and optionally the revisions the client speaks, which the server uses to choose the revision of its reply.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    tvm_version: StrictStr
    """
    The caller's compiler version, e.g. "0.18.0". A server may refuse versions it does not support with UnsupportedTVMVersionError.
    """
    protocol_versions: Annotated[list[ProtocolVersion] | None, Field(min_length=1)] = (
        None
    )
    """
    The protocol revisions the client speaks, in any order. The server answers in the highest revision it also offers. Left out, the server answers in revision 1 when it offers it (TVM's shipped client).
    """


class ServerInfoV1(BaseModel):
    """
    What server_info_query returns in revision 1 (TVM's shipped format).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    protocol_version: Literal[1]
    """
    The revision this server speaks for the rest of the session.
    """
    platform_name: Annotated[
        StrictStr, Field(pattern="^[a-z0-9][a-z0-9_-]*$", title="PlatformName")
    ]
    """
    A short lowercase slug naming the platform: host, zephyr, arduino.
    """
    is_template: StrictBool
    """
    true for a template project (only it accepts generate_project); false for a generated project.
    """
    model_library_format_path: StrictStr | None
    """
    A generated project: the path of the Model Library Format archive it was made from. A template: null, or "" as TVM's host template sends.
    """
    project_options: list[ProjectOptionV1]
    """
    Every option the server accepts, for all methods. Names are unique.
    """


class ServerInfoV2(BaseModel):
    """
    What server_info_query returns in revision 2. A template reports model_library_format_path null; a generated project a non-empty path.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    protocol_version: Literal[2]
    """
    The revision this server speaks for the rest of the session.
    """
    platform_name: Annotated[
        StrictStr, Field(pattern="^[a-z0-9][a-z0-9_-]*$", title="PlatformName")
    ]
    """
    A short lowercase slug naming the platform: host, zephyr, arduino.
    """
    is_template: StrictBool
    """
    true for a template project (only it accepts generate_project); false for a generated project.
    """
    model_library_format_path: StrictStr | None
    """
    null for a template; for a generated project the path (absolute, or relative to the project directory) of the Model Library Format archive it was made from, which exists.
    """
    project_options: list[ProjectOptionV2]
    """
    Every option the server accepts, for all methods. Names are unique.
    """
    supported_methods: list[MethodName]
    """
    The methods this server implements; always includes server_info_query. A platform need not support every method (a simulator has nothing to flash; a library-only generator has no transport). Any other method answers MethodNotSupportedError. open_transport, close_transport, read_transport and write_transport are listed all together or not at all; generate_project only by a template.
    """


class TransportTimeouts(BaseModel):
    """
    How long the client's session layer waits while it starts a session with the device. 0 disables a timeout.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    session_start_retry_timeout_sec: Annotated[StrictFloat, Field(ge=0.0)]
    """
    Wait this long for the device to answer a session start before sending it again.
    """
    session_start_timeout_sec: Annotated[StrictFloat, Field(ge=0.0)]
    """
    Give up starting a session after this long.
    """
    session_established_timeout_sec: Annotated[StrictFloat, Field(ge=0.0)]
    """
    Once established, wait this long for any one reply.
    """


class WriteTransportParamsV1(BaseModel):
    """
    Parameters of write_transport (revision 1: base85 data).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Annotated[
        StrictStr,
        Field(
            json_schema_extra={"contentEncoding": "base85"},
            pattern="^(?:[0-9A-Za-z!#$%&()*+\\-;<=>?@^_`{|}~]{5})*(?:[0-9A-Za-z!#$%&()*+\\-;<=>?@^_`{|}~]{2,4})?$",
            title="Base85Bytes",
        ),
    ]
    """
    Bytes as revision 1 encodes them: Python's base64.b85encode alphabet, without padding (groups of 5 characters, then 2 to 4 for a last partial group).
    """
    timeout_sec: Annotated[StrictFloat | None, Field(ge=0.0, title="TimeoutSec")]
    """
    A deadline in seconds from when the server receives the request: 0 means do not block (use what is available now), null means block until done.
    """


class WriteTransportParamsV2(BaseModel):
    """
    Parameters of write_transport (revision 2: base64 data).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Annotated[
        StrictStr,
        Field(
            json_schema_extra={"contentEncoding": "base64"},
            pattern="^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
            title="Base64Bytes",
        ),
    ]
    """
    Bytes as revision 2 encodes them: standard base64 (RFC 4648 section 4) with padding, no line breaks, no whitespace.
    """
    timeout_sec: Annotated[StrictFloat | None, Field(ge=0.0, title="TimeoutSec")]
    """
    A deadline in seconds from when the server receives the request: 0 means do not block (use what is available now), null means block until done.
    """


class WriteTransportResult(RootModel[None]):
    root: Annotated[None, Field(title="WriteTransportResult")]
    """
    The method returns null.
    """


class BuildParamsV1(BaseModel):
    """
    Parameters of build (revision 1: a null option value means not set).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat | None],
        Field(title="OptionsV1"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class BuildParamsV2(BaseModel):
    """
    Parameters of build (revision 2: option values are never null).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat],
        Field(title="OptionsV2"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class ErrorReply(BaseModel):
    """
    A failed call. id is null only when the request's id could not be read.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    jsonrpc: Literal["2.0"]
    id: Annotated[StrictStr | StrictInt | None, Field(title="ReplyId")]
    """
    The id of the request answered, or null when the server could not read one (parse error, invalid request).
    """
    error: ErrorObject


class FlashParamsV1(BaseModel):
    """
    Parameters of flash (revision 1: a null option value means not set).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat | None],
        Field(title="OptionsV1"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class FlashParamsV2(BaseModel):
    """
    Parameters of flash (revision 2: option values are never null).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat],
        Field(title="OptionsV2"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class GenerateProjectParamsV1(BaseModel):
    """
    Parameters of generate_project. Relative paths are relative to the server's working directory, the template project directory (revision 1: a null option value means not set).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model_library_format_path: Annotated[StrictStr, Field(min_length=1)]
    """
    Path of the Model Library Format archive (a tar file).
    """
    standalone_crt_dir: Annotated[StrictStr, Field(min_length=1)]
    """
    Directory holding the compiler's standalone C runtime sources.
    """
    project_dir: Annotated[StrictStr, Field(min_length=1)]
    """
    Directory to create; it must not exist.
    """
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat | None],
        Field(title="OptionsV1"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class GenerateProjectParamsV2(BaseModel):
    """
    Parameters of generate_project. Relative paths are relative to the server's working directory, the template project directory (revision 2: option values are never null).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    model_library_format_path: Annotated[StrictStr, Field(min_length=1)]
    """
    Path of the Model Library Format archive (a tar file).
    """
    standalone_crt_dir: Annotated[StrictStr, Field(min_length=1)]
    """
    Directory holding the compiler's standalone C runtime sources.
    """
    project_dir: Annotated[StrictStr, Field(min_length=1)]
    """
    Directory to create; it must not exist.
    """
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat],
        Field(title="OptionsV2"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class OpenTransportParamsV1(BaseModel):
    """
    Parameters of open_transport (revision 1: a null option value means not set).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat | None],
        Field(title="OptionsV1"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class OpenTransportParamsV2(BaseModel):
    """
    Parameters of open_transport (revision 2: option values are never null).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    options: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", strict=True)], StrictBool | StrictStr | StrictInt | StrictFloat],
        Field(title="OptionsV2"),
    ]
    """
    Option values for this call, checked against the server's declared ProjectOptions.
    """


class OpenTransportResult(BaseModel):
    """
    The session timeouts for this transport.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    timeouts: TransportTimeouts


class ReadTransportParams(BaseModel):
    """
    Parameters of read_transport.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    n: Annotated[StrictInt, Field(ge=1)]
    """
    The most bytes to return.
    """
    timeout_sec: Annotated[StrictFloat | None, Field(ge=0.0, title="TimeoutSec")]
    """
    A deadline in seconds from when the server receives the request: 0 means do not block (use what is available now), null means block until done.
    """


class Reply(RootModel[ResultReply | ErrorReply]):
    root: Annotated[ResultReply | ErrorReply, Field(title="Reply")]
    """
    Every line a server writes on its reply channel is exactly one of these; logs go to stdout or stderr, never to the reply channel.
    """


class Request(BaseModel):
    """
    A call from client to server. params is always an object of named parameters, even when a method takes none ({}).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    jsonrpc: Literal["2.0"]
    method: Annotated[
        StrictStr, Field(pattern="^[a-zA-Z0-9_]+$", title="MethodNameSyntax")
    ]
    """
    The syntax every method name on the wire must have, known or not. A request whose method breaks it is an invalid request (-32600); a well-formed but unknown name is -32601.
    """
    params: dict[str, Any]
    id: Annotated[StrictStr | StrictInt, Field(title="RequestId")]
    """
    Identifies a request; the reply carries the same value back. A string or an integer (TVM's client sends integers). null is not a valid request id (TVM's revision 1 server module serves it and echoes it: revisions/v1.json#/x-server-module/null-id-accepted). To JSON Schema an integer written with a fraction or exponent (1.0, 1e3) is an integer, so it is a valid id too: a server echoes the same number back. Clients should send plain integers.
    """
