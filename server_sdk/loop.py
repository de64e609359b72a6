"""The JSON-RPC loop: one request line at a time from the read fd, one reply line to the write fd.

Error rules (schema/jsonrpc.json, errors.json), in both revisions (revision 1 answers a parse
error too, where TVM's server stopped):
- not UTF-8 or not JSON: -32700, id null, and keep serving;
- a line longer than `max_line_bytes` (64 MiB): discarded up to its newline without being held in
  memory, answered -32600 with id null, as schema/jsonrpc.json says;
- not an object, a batch, bad `jsonrpc`, missing or bad id (null included), bad method syntax,
  params not an object, extra members: -32600 (id null when the id could not be read);
- unknown method: -32601; a protocol method this server does not implement: MethodNotSupportedError
  in revision 2, a generic -32000 in revision 1 (which has no such name);
- params or options that break the spec or the declarations: -32602 "method: /pointer: what";
- a handler raising a protocol error: that error; any other exception: -32000 with its text and
  data.traceback;
- a handler returning a value the spec does not allow: -32603 naming the method and pointer.
Replies go out whole with os.write; logs go to stderr only.

Revisions (server_sdk/revisions.py): the server offers revisions 1 and 2 unless told otherwise, speaks its
lowest until a server_info_query chooses one, then the chosen one until the next server_info_query.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from microtvm_project_api.generated.models import ErrorCode, ErrorObject
from microtvm_project_api.protocol import typed
from microtvm_project_api.protocol.errors import (
    InternalError,
    InvalidParamsError,
    InvalidRequestError,
    MethodNotFoundError,
    MethodNotSupportedError,
    RemoteError,
    ServerError,
)
from microtvm_project_api.protocol.payload import PayloadDecodeError
from microtvm_project_api.protocol.registry import REVISIONS
from microtvm_project_api.protocol.violations import describe, from_pydantic
from microtvm_project_api.protocol.wire import (
    MAX_LINE_BYTES,
    JSONRPC,
    LineReader,
    LineTooLong,
    WireDecodeError,
    decode_message,
    encode_message,
    error_reply,
    result_reply,
    result_reply_line,
)
from microtvm_project_api.server_sdk.handler import OPTION_METHODS, TRANSPORT_METHODS, ProjectApiHandler
from microtvm_project_api.server_sdk.revisions import ServedRevision, agree, offered_revisions

METHOD_SYNTAX = re.compile(r"[a-zA-Z0-9_]+")
REQUEST_MEMBERS = frozenset(("jsonrpc", "method", "params", "id"))

logger = logging.getLogger(__name__)


class DeclarationError(ValueError):
    """The platform's declarations (name, options, supported methods) break the spec: a bug to fix before shipping."""


class Server:
    """Serves one handler, in the revisions it offers (1 and 2 by default), over a pair of file descriptors."""

    def __init__(self, handler: ProjectApiHandler, revisions: Iterable[int] = REVISIONS,
                 max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.handler = handler
        self.max_line_bytes = max_line_bytes
        self.supported = frozenset(handler.supported_methods())
        # Declarations are fixed for the life of the process: each revision's server_info_query result is
        # validated and encoded once, here, instead of on every call.
        offered = offered_revisions(revisions)
        self.offered = {r: ServedRevision.of(r, handler.project_options, check_declarations(handler, r)) for r in offered}
        self.served = self.offered[offered[0]]
        self._dispatch: dict[str, Callable[[Any], Any]] = {
            "generate_project": self._generate_project,
            "build": lambda p: handler.build(self.served.options.check("build", p.options)),
            "flash": lambda p: handler.flash(self.served.options.check("flash", p.options)),
            "open_transport": self._open_transport,
            "close_transport": lambda p: handler.close_transport(),
            "read_transport": self._read_transport,
            "write_transport": self._write_transport,
        }

    @property
    def revision(self) -> int:
        """The revision this connection is served in now."""
        return self.served.revision

    def serve(self, read_fd: int, write_fd: int) -> None:
        """Answer requests until end of file on `read_fd` (or the client closing the reply fd), then close the transport."""
        reader = LineReader(read_fd, self.max_line_bytes)
        try:
            while True:
                try:
                    line = reader.read_line(None)
                except LineTooLong as exc:
                    logger.warning("discarded a request line: %s", exc)
                    reply = encode_message(error_reply(None, ErrorCode.INVALID_REQUEST, f"Invalid request: {exc}"))
                else:
                    if line is None:
                        logger.debug("end of file on the request fd")
                        return
                    reply = self.handle_line(line)
                try:
                    _write_all(write_fd, reply)
                except BrokenPipeError:
                    logger.warning("the client closed the reply fd; ending the session")
                    return
        finally:
            self._close_transport_at_exit()

    def handle_line(self, line: bytes) -> bytes:
        """The reply line (newline included) to one request line."""
        try:
            message = decode_message(line)
        except WireDecodeError as exc:
            return encode_message(error_reply(None, ErrorCode.PARSE_ERROR, f"Parse error: {exc}"))
        request_id = _request_id(message)
        method = message.get("method") if isinstance(message, dict) else None
        try:
            _check_envelope(message)
            return self._call(request_id, method, message["params"])
        except RemoteError as exc:
            return _error_line(request_id, method, exc.to_error_object())
        except Exception as exc:  # a handler failed: the server keeps serving
            logger.exception("%s failed", method)
            data = {"traceback": traceback.format_exc()}
            return _error_line(request_id, method, ServerError(str(exc) or type(exc).__name__, data).to_error_object())

    def _call(self, request_id: int | float | str, method: str, params: dict[str, Any]) -> bytes:
        if method not in self.served.methods:
            raise MethodNotFoundError(f"Method not found: {method}")
        if method not in self.supported:
            reason = (f"{method} is not supported by this server" if method != "generate_project" or self.handler.is_template()
                      else "a generated project does not generate projects; its template does")
            raise MethodNotSupportedError(reason) if self.revision >= 2 else ServerError(reason)
        if method == "server_info_query":
            return self._server_info_query(request_id, params)
        model, violations = typed.parse_params(self.revision, method, params)
        if violations:
            raise InvalidParamsError(f"{method}: {describe(violations)}")
        result = self._dispatch[method](model)
        if method == "read_transport":
            return self._read_reply(request_id, result, model.n)
        self._check_result(method, result)
        try:
            return encode_message(result_reply(request_id, result))
        except (TypeError, ValueError) as exc:
            raise InternalError(f"{method} returned a result that is not JSON: {exc}") from None

    def _check_result(self, method: str, result: Any) -> None:
        _, violations = typed.parse_result(self.revision, method, result)
        if violations:
            where = describe(violations)
            raise InternalError(f"{method} returned an invalid result: {where}")

    def _server_info_query(self, request_id: int | float | str, params: dict[str, Any]) -> bytes:
        """Agree on the revision (server_sdk/revisions.py), let the handler refuse the compiler, then switch to it."""
        served, tvm_version = agree(self.offered, params)
        self.handler.check_tvm_version(tvm_version)
        self.served = served
        return result_reply_line(request_id, served.server_info_json)

    def _generate_project(self, params: Any) -> None:
        options = self.served.options.check("generate_project", params.options)
        return self.handler.generate_project(Path(params.model_library_format_path), Path(params.standalone_crt_dir),
                                             Path(params.project_dir), options)

    def _open_transport(self, params: Any) -> dict[str, Any]:
        timeouts = self.handler.open_transport(self.served.options.check("open_transport", params.options))
        return {"timeouts": timeouts.model_dump() if hasattr(timeouts, "model_dump") else timeouts}

    def _read_transport(self, params: Any) -> Any:
        return self.handler.read_transport(params.n, params.timeout_sec)

    def _write_transport(self, params: Any) -> None:
        try:
            data = self.served.codec.decode(params.data)
        except PayloadDecodeError as exc:
            raise InvalidParamsError(f"write_transport: /data: {exc}") from None
        return self.handler.write_transport(data, params.timeout_sec)

    def _read_reply(self, request_id: int | float | str, data: Any, n: int) -> bytes:
        """The read_transport reply, encoded straight from the bytes (valid by construction once 1 <= len <= n)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InternalError(f"read_transport returned an invalid result: /data: expected bytes, got {type(data).__name__}")
        if not 1 <= len(data) <= n:
            raise InternalError(f"read_transport returned an invalid result: /data: {len(data)} bytes, expected 1 to {n}")
        return result_reply_line(request_id, b'{"data":"', self.served.codec.encode_bytes(data), b'"}')

    def _close_transport_at_exit(self) -> None:
        if "close_transport" not in self.supported:
            return
        try:
            self.handler.close_transport()
        except Exception:
            logger.exception("close_transport failed at exit")


def check_declarations(handler: ProjectApiHandler, revision: int) -> dict[str, Any]:
    """The handler's server_info_query result, validated; fails loudly, at start-up, when the declarations break the spec."""
    info = handler.server_info(revision)
    problems = [str(v) for v in typed.parse_result(revision, "server_info_query", info)[1]]
    supported = handler.supported_methods()
    transports = [m for m in TRANSPORT_METHODS if m in supported]
    if transports and len(transports) != len(TRANSPORT_METHODS):
        problems.append(f"transport methods are implemented all together or not at all; missing: "
                        f"{', '.join(m for m in TRANSPORT_METHODS if m not in supported)}")
    for option in handler.project_options:
        problems.extend(f"option {option.name!r}: {m} takes no options" for m in option.methods() if m not in OPTION_METHODS)
    if problems:
        raise DeclarationError(f"{type(handler).__name__} declares what the spec forbids:\n  " + "\n  ".join(problems))
    return info


def _request_id(message: Any) -> int | float | str | None:
    """The request's id when it is a valid one, else None: a string or an integer, not a boolean; an integer
    written with a fraction or exponent (1.0, 1e3) is one too, as schema/jsonrpc.json#/$defs/RequestId says,
    and is echoed as it was read."""
    if isinstance(message, dict):
        request_id = message.get("id")
        if isinstance(request_id, str) or (isinstance(request_id, int) and not isinstance(request_id, bool)):
            return request_id
        if isinstance(request_id, float) and request_id.is_integer():
            return request_id
    return None


def _check_envelope(message: Any) -> None:
    """InvalidRequestError unless `message` is a single request object per schema/jsonrpc.json#/$defs/Request."""
    if isinstance(message, list):
        raise InvalidRequestError("Invalid request: batches are not supported")
    if not isinstance(message, dict):
        raise InvalidRequestError("Invalid request: a request is a JSON object")
    if message.get("jsonrpc") != JSONRPC:
        raise InvalidRequestError('Invalid request: jsonrpc must be "2.0"')
    if "id" not in message:
        raise InvalidRequestError("Invalid request: id is missing (notifications are not supported)")
    if _request_id(message) is None:
        raise InvalidRequestError("Invalid request: id must be a string or an integer")
    method = message.get("method")
    if not isinstance(method, str) or not METHOD_SYNTAX.fullmatch(method):
        raise InvalidRequestError("Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$")
    if not isinstance(message.get("params"), dict):
        raise InvalidRequestError("Invalid request: params must be an object")
    extra = sorted(set(message) - REQUEST_MEMBERS)
    if extra:
        raise InvalidRequestError(f"Invalid request: unexpected members {', '.join(extra)}")


def _error_line(request_id: int | float | str | None, method: Any, error: dict[str, Any]) -> bytes:
    """An error reply line; an error object the spec does not allow becomes an internal error saying where."""
    try:
        ErrorObject.model_validate(error)
        return encode_message({"jsonrpc": JSONRPC, "id": request_id, "error": error})
    except ValidationError as exc:
        problem = describe(from_pydantic(exc))
    except (TypeError, ValueError) as exc:
        problem = f"not JSON: {exc}"
    message = f"{method} raised an error the spec does not allow: {problem}"
    return encode_message(error_reply(request_id, ErrorCode.INTERNAL_ERROR, message))


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data` to `fd`."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
