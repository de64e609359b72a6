"""The protocol's errors as exceptions: what an SDK handler raises and what the client raises back.

One class per code of errors.json#/$defs/ErrorCode and per named server error; codes and names
come from the enums generated with the validators (no pydantic import), so the spec stays their only source.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

from microtvm_project_api.generated.validators import ErrorCode, ServerErrorName


class ProjectApiError(Exception):
    """Base of every error this toolkit raises about the Project API."""


class ClientError(ProjectApiError):
    """Raised on the calling side of the pipe (typed client, conformance kit): the server could not be started,
    ended, hung, or said something the spec does not allow."""


class OptionsError(ClientError, ValueError):
    """Option values that break what the server declared for a method; `problems` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class RemoteError(ProjectApiError):
    """An error reply: a JSON-RPC error object with code, message and optional data."""

    code: int = ErrorCode.SERVER_ERROR

    def __init__(self, message: str, data: dict[str, Any] | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data or {}
        if code is not None:
            self.code = code

    @property
    def detail(self) -> str | None:
        return self.data.get("detail")

    @property
    def server_traceback(self) -> str | None:
        """The server-side stack trace, when the server sent one."""
        return self.data.get("traceback")

    def to_error_object(self) -> dict[str, Any]:
        """The `error` member of a reply carrying this error."""
        error: dict[str, Any] = {"code": int(self.code), "message": self.message}
        if self.data:
            error["data"] = self.data
        return error

    def __str__(self) -> str:
        return f"{self.message}: {self.detail}" if self.detail and self.detail != self.message else self.message


class ParseError(RemoteError):
    code = ErrorCode.PARSE_ERROR


class InvalidRequestError(RemoteError):
    code = ErrorCode.INVALID_REQUEST


class MethodNotFoundError(RemoteError):
    code = ErrorCode.METHOD_NOT_FOUND


class InvalidParamsError(RemoteError):
    code = ErrorCode.INVALID_PARAMS


class InternalError(RemoteError):
    code = ErrorCode.INTERNAL_ERROR


class ServerError(RemoteError):
    """A handler failed (-32000). A generic failure carries free text as its message."""


class NamedServerError(ServerError):
    """A -32000 error whose message is exactly its spec name; the explanation travels in data.detail."""

    name: ClassVar[str]

    def __init__(self, detail: str | None = None, data: dict[str, Any] | None = None) -> None:
        merged = dict(data or {})
        if detail is not None:
            merged["detail"] = detail
        super().__init__(self.name, merged)


class IoTimeoutError(NamedServerError):
    name = ServerErrorName.IO_TIMEOUT.value


class TransportClosedError(NamedServerError):
    name = ServerErrorName.TRANSPORT_CLOSED.value


class UnsupportedTVMVersionError(NamedServerError):
    name = ServerErrorName.UNSUPPORTED_TVM_VERSION.value


class MethodNotSupportedError(NamedServerError):
    name = ServerErrorName.METHOD_NOT_SUPPORTED.value


NAMED_SERVER_ERRORS: dict[str, type[NamedServerError]] = {
    cls.name: cls for cls in (IoTimeoutError, TransportClosedError, UnsupportedTVMVersionError, MethodNotSupportedError)
}
ERRORS_BY_CODE: dict[int, type[RemoteError]] = {
    cls.code: cls for cls in (ParseError, InvalidRequestError, MethodNotFoundError, InvalidParamsError, InternalError, ServerError)
}


def error_from_object(error: dict[str, Any]) -> RemoteError:
    """The exception for a validated reply `error` object; unknown codes become a generic ServerError."""
    data = error.get("data") or {}
    if error["code"] == ErrorCode.SERVER_ERROR and error["message"] in NAMED_SERVER_ERRORS:
        return NAMED_SERVER_ERRORS[error["message"]](data=data)
    return ERRORS_BY_CODE.get(error["code"], ServerError)(error["message"], data, code=error["code"])
