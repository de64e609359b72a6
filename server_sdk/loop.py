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

import functools
import logging
import os
import re
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, cast

from pydantic import BaseModel, RootModel, ValidationError

from microtvm_project_api.generated import models
from microtvm_project_api.generated.methods import (
    CLOSE_TRANSPORT,
    GENERATE_PROJECT,
    OPTION_METHODS,
    READ_TRANSPORT,
    REVISIONS,
    SERVER_INFO_QUERY,
    TRANSPORT_METHODS,
    MethodEntry,
)
from microtvm_project_api.generated.models import ErrorCode, ErrorObject
from microtvm_project_api.protocol.errors import (
    InternalError,
    InvalidParamsError,
    InvalidRequestError,
    MethodNotFoundError,
    MethodNotSupportedError,
    RemoteError,
    ServerError,
)
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.payload import CODECS, PayloadDecodeError
from microtvm_project_api.protocol.violations import describe, from_pydantic, parse
from microtvm_project_api.protocol.wire import (
    JSONRPC,
    MAX_LINE_BYTES,
    LineReader,
    LineTooLong,
    WireDecodeError,
    decode_message,
    encode_message,
    error_reply,
    result_reply,
    result_reply_line,
)
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.revisions import ServedRevision, agree, offered_revisions

METHOD_SYNTAX = re.compile(r"[a-zA-Z0-9_]+")
REQUEST_MEMBERS = frozenset(("jsonrpc", "method", "params", "id"))
OPTIONS_PARAM = "options"

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
        self._dispatch: dict[tuple[int, str], Callable[[Any], Any]] = {
            (served.revision, name): self._handler_call(entry, served)
            for served in self.offered.values() for name, entry in served.methods.items()
            if name in self.supported and name != SERVER_INFO_QUERY
        }
        self._result_member = {name: _only_member(entry) for name, entry in REVISIONS[max(self.offered)].methods.items()}

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
            valid_id, valid_method, params = _check_envelope(message)
            return self._call(valid_id, valid_method, params)
        except RemoteError as exc:
            return _error_line(request_id, method, exc.to_error_object())
        except Exception as exc:  # a handler failed: the server keeps serving
            logger.exception("%s failed", method)
            data = {"traceback": traceback.format_exc()}
            return _error_line(request_id, method, ServerError(str(exc) or type(exc).__name__, data).to_error_object())

    def _call(self, request_id: int | float | str, method: str, params: dict[str, Any]) -> bytes:
        entry = self.served.methods.get(method)
        if entry is None:
            raise MethodNotFoundError(f"Method not found: {method}")
        if method not in self.supported:
            reason = (f"{method} is not supported by this server" if method != GENERATE_PROJECT or self.handler.is_template()
                      else "a generated project does not generate projects; its template does")
            raise MethodNotSupportedError(reason) if self.revision >= 2 else ServerError(reason)
        if method == SERVER_INFO_QUERY:
            return self._server_info_query(request_id, params)
        model, violations = parse(entry.params_model, params)
        if violations:
            raise InvalidParamsError(f"{method}: {describe(violations)}")
        value = self._dispatch[self.revision, method](model)
        if method == READ_TRANSPORT:
            return self._read_reply(request_id, value, cast(models.ReadTransportParams, model).n)
        member = self._result_member[method]
        result = value if member is None else {member: value.model_dump() if isinstance(value, BaseModel) else value}
        self._check_result(entry, result)
        try:
            return encode_message(result_reply(request_id, result))
        except (TypeError, ValueError) as exc:
            raise InternalError(f"{method} returned a result that is not JSON: {exc}") from None

    def _check_result(self, entry: MethodEntry, result: Any) -> None:
        _, violations = parse(entry.result_model, result)
        if violations:
            where = describe(violations)
            raise InternalError(f"{entry.name} returned an invalid result: {where}")

    def _server_info_query(self, request_id: int | float | str, params: dict[str, Any]) -> bytes:
        """Agree on the revision (server_sdk/revisions.py), let the handler refuse the compiler, then switch to it."""
        served, tvm_version = agree(self.offered, params)
        self.handler.check_tvm_version(tvm_version)
        self.served = served
        return result_reply_line(request_id, served.server_info_json)

    def _handler_call(self, entry: MethodEntry, served: ServedRevision) -> Callable[[BaseModel], Any]:
        """The call of the handler's method for `entry` in `served`'s revision, with its params in schema order as
        handlers take them: checked options with defaults filled, paths as Path, payloads as bytes."""
        function = getattr(self.handler, entry.name)
        steps: list[tuple[str, Callable[[Any], Any] | None]] = []
        for name in entry.params_model.model_fields:
            if name in entry.payload_params:
                steps.append((name, _payload_decoder(entry.name, name, entry.payload_params[name])))
            elif name in entry.path_params:
                steps.append((name, Path))
            elif entry.takes_options and name == OPTIONS_PARAM:
                steps.append((name, functools.partial(served.options.check, entry.name)))
            else:
                steps.append((name, None))

        def call(params: BaseModel) -> Any:
            return function(*[getattr(params, name) if convert is None else convert(getattr(params, name)) for name, convert in steps])

        return call

    def _read_reply(self, request_id: int | float | str, data: Any, n: int) -> bytes:
        """The read_transport reply, encoded straight from the bytes (valid by construction once 1 <= len <= n)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InternalError(f"read_transport returned an invalid result: /data: expected bytes, got {type(data).__name__}")
        if not 1 <= len(data) <= n:
            raise InternalError(f"read_transport returned an invalid result: /data: {len(data)} bytes, expected 1 to {n}")
        return result_reply_line(request_id, b'{"data":"', self.served.codec.encode_bytes(data), b'"}')

    def _close_transport_at_exit(self) -> None:
        if CLOSE_TRANSPORT not in self.supported:
            return
        try:
            self.handler.close_transport()
        except Exception:
            logger.exception("close_transport failed at exit")


def check_declarations(handler: ProjectApiHandler, revision: int) -> dict[str, Any]:
    """The handler's server_info_query result, validated; fails loudly, at start-up, when the declarations break the spec."""
    info = handler.server_info(revision)
    parsed, violations = parse(REVISIONS[revision].methods[SERVER_INFO_QUERY].result_model, info)
    problems = [str(v) for v in (violations if parsed is None else check_server_info(info, revision))]
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


def _only_member(entry: MethodEntry) -> str | None:
    """The member of a result object that has exactly one: handlers return that member's value (open_transport its
    TransportTimeouts), the loop wraps it. None for any other result."""
    fields = entry.result_model.model_fields
    return None if len(fields) != 1 or issubclass(entry.result_model, RootModel) else next(iter(fields))


def _payload_decoder(method: str, param: str, encoding: str) -> Callable[[str], bytes]:
    """Decodes the payload param `param` of `method`; InvalidParamsError naming it when the text is not valid."""
    codec = CODECS[encoding]

    def decode(text: str) -> bytes:
        try:
            return codec.decode(text)
        except PayloadDecodeError as exc:
            raise InvalidParamsError(f"{method}: /{param}: {exc}") from None

    return decode


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


def _check_envelope(message: Any) -> tuple[int | float | str, str, dict[str, Any]]:
    """The request's id, method and params; InvalidRequestError unless `message` is a single request object per
    schema/jsonrpc.json#/$defs/Request."""
    if isinstance(message, list):
        raise InvalidRequestError("Invalid request: batches are not supported")
    if not isinstance(message, dict):
        raise InvalidRequestError("Invalid request: a request is a JSON object")
    if message.get("jsonrpc") != JSONRPC:
        raise InvalidRequestError('Invalid request: jsonrpc must be "2.0"')
    if "id" not in message:
        raise InvalidRequestError("Invalid request: id is missing (notifications are not supported)")
    request_id = _request_id(message)
    if request_id is None:
        raise InvalidRequestError("Invalid request: id must be a string or an integer")
    method = message.get("method")
    if not isinstance(method, str) or not METHOD_SYNTAX.fullmatch(method):
        raise InvalidRequestError("Invalid request: method must be a string matching ^[a-zA-Z0-9_]+$")
    if not isinstance(message.get("params"), dict):
        raise InvalidRequestError("Invalid request: params must be an object")
    extra = sorted(set(message) - REQUEST_MEMBERS)
    if extra:
        raise InvalidRequestError(f"Invalid request: unexpected members {', '.join(extra)}")
    return request_id, method, message["params"]


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
