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
Replies go out whole through wire.write_parts (a large result in parts, never joined); logs go to stderr only.

Validation runs the validators compiled from schema/ (protocol.checks): the same rules and words as the
generated models, without importing pydantic, so a server starts in tens of milliseconds. A payload string's
alphabet is judged by the revision's strict decoder, once, while decoding it, and its length by the schema's rules
like any string's (both ways: a read reply's encoded text too); a long write_transport line as the typed client
writes it has its payload taken out and decoded before the rest is parsed (wire.parse_split_payload), with the
outcome parsing it whole would give.

Revisions (server_sdk/revisions.py): the server offers revisions 1 and 2 unless told otherwise, speaks its
lowest until a server_info_query chooses one, then the chosen one until the next server_info_query.
"""

from __future__ import annotations

import functools
import logging
import operator
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

from microtvm_project_api.generated.methods import (
    CLOSE_TRANSPORT,
    METHODS,
    REVISIONS,
    SERVER_INFO_QUERY,
    TRANSPORT_METHODS,
    WRITE_TRANSPORT,
)
from microtvm_project_api.generated.validators import ErrorCode
from microtvm_project_api.protocol import checks, envelope
from microtvm_project_api.protocol.errors import (
    InternalError,
    InvalidParamsError,
    MethodNotFoundError,
    MethodNotSupportedError,
    RemoteError,
    ServerError,
)
from microtvm_project_api.protocol.method_table import MethodEntry
from microtvm_project_api.protocol.payload import CODECS, DecodedPayload, PayloadCodec, PayloadDecodeError
from microtvm_project_api.protocol.violations import describe
from microtvm_project_api.protocol.wire import (
    JSONRPC,
    MAX_LINE_BYTES,
    LineReader,
    LineTooLong,
    Parts,
    WireDecodeError,
    decode_message,
    encode_message,
    error_reply,
    json_bytes,
    line_text,
    parse_split_payload,
    parse_text,
    payload_request_head,
    result_reply,
    result_reply_parts,
    write_parts,
)
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.revisions import Agreement, ServedRevision, offered_revisions

OPTIONS_PARAM = "options"
WRITE_PAYLOAD = next(iter(METHODS[WRITE_TRANSPORT].payload_params))
WRITE_HEAD = payload_request_head(WRITE_TRANSPORT, WRITE_PAYLOAD)
"""How the typed client begins a write_transport request line (wire.payload_request_parts), its payload member read
from the method table."""

logger = logging.getLogger(__name__)

Answer = Callable[[Any, dict[str, Any]], Parts]
"""The answer to one method's request, given its id and params: the reply line, in parts."""


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
        # By revision, the answer to each supported method: params validated, the handler called, the reply made.
        self._answers: dict[int, dict[str, Answer]] = {
            served.revision: {name: self._server_info_query if name == SERVER_INFO_QUERY else self._answer(entry, served)
                              for name, entry in served.methods.items() if name in self.supported}
            for served in self.offered.values()
        }
        self._answering = self._answers[self.served.revision]
        self._agreement = Agreement(self.offered)

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
                    reply = self._answer_next(reader)
                except LineTooLong as exc:
                    logger.warning("discarded a request line: %s", exc)
                    reply = (encode_message(error_reply(None, ErrorCode.INVALID_REQUEST, f"Invalid request: {exc}")),)
                if reply is None:
                    logger.debug("end of file on the request fd")
                    return
                try:
                    write_parts(write_fd, reply)
                except BrokenPipeError:
                    logger.warning("the client closed the reply fd; ending the session")
                    return
        finally:
            self._close_transport_at_exit()

    def _answer_next(self, reader: LineReader) -> Parts | None:
        """The reply to the next request line, None at end of file. Each copy of a long line is let go as soon as the
        next is made (line, its text, the parsed request), so the handler runs with only the request in memory."""
        line = reader.read_line(None)
        if line is None:
            return None
        spliced = parse_split_payload(line, WRITE_HEAD, "params", WRITE_PAYLOAD, self.served.codec)
        if spliced is not None:  # a long write_transport as the typed client writes it, its payload decoded already
            del line
            return self._reply_parts(spliced)
        try:
            text = line_text(line)
        except WireDecodeError as exc:
            return _parse_error(exc)
        del line
        try:
            message = parse_text(text)
        except WireDecodeError as exc:
            return _parse_error(exc)
        del text
        return self._reply_parts(message)

    def handle_line(self, line: bytes) -> bytes:
        """The reply line (newline included) to one request line."""
        try:
            message = decode_message(line)
        except WireDecodeError as exc:
            return b"".join(_parse_error(exc))
        return b"".join(self._reply_parts(message))

    def _reply_parts(self, message: Any) -> Parts:
        """The reply line, in parts, to one parsed request."""
        request_id = envelope.request_id(message)
        method = message.get("method") if isinstance(message, dict) else None
        try:
            if request_id is not None and envelope.plain_request(message):
                answer = self._answering.get(message["method"])
                if answer is not None:  # a valid request of a supported method, checked in one line
                    return answer(request_id, message["params"])
            valid_id, valid_method, params = envelope.request_parts(message)
            return self._call(valid_id, valid_method, params)
        except RemoteError as exc:
            return _error_line(request_id, method, exc.to_error_object())
        except Exception as exc:  # a handler failed: the server keeps serving
            logger.exception("%s failed", method)
            data = {"traceback": traceback.format_exc()}
            return _error_line(request_id, method, ServerError(exception_text(exc), data).to_error_object())

    def _call(self, request_id: int | float | str, method: str, params: dict[str, Any]) -> Parts:
        """The answer to a request whose envelope is valid: the method's, or the error saying why there is none."""
        answer = self._answering.get(method)
        if answer is not None:
            return answer(request_id, params)
        if method not in self.served.methods:
            raise MethodNotFoundError(f"Method not found: {method}")
        reason = (f"{method} is not supported by this server" if not METHODS[method].template_only or self.handler.is_template()
                  else f"a generated project does not serve {method}; its template does")
        raise MethodNotSupportedError(reason) if self.revision >= 2 else ServerError(reason)

    def _answer(self, entry: MethodEntry, served: ServedRevision) -> Answer:
        """The answer to `entry`'s method in `served`'s revision: params validated, the handler called, the result
        checked and encoded (a null result, or read_transport's bytes, spliced in without encoding them again)."""
        revision, method, call = served.revision, entry.name, self._handler_call(entry, served)

        def checked(params: dict[str, Any]) -> Any:
            violations = checks.params_violations(revision, method, params)
            if violations:
                raise InvalidParamsError(f"{method}: {describe(violations)}")
            return call(params)

        if entry.payload_result:  # read_transport: bytes, encoded straight into the reply
            codec, member, bound = served.codec, next(iter(entry.payload_result)), entry.read_bound
            head = b"{" + json_bytes(member) + b':"'
            text_rules = _length_rules_bind(revision, method, member, codec)

            def read(request_id: int | float | str, params: dict[str, Any]) -> Parts:
                data = checked(params)
                return _payload_reply(revision, method, member, head, request_id, data, None if bound is None else params[bound],
                                      codec, text_rules)

            return read
        null_result = entry.result_member is None and method in checks.NULL_RESULTS[revision]

        def answer(request_id: int | float | str, params: dict[str, Any]) -> Parts:
            value = checked(params)
            if value is None and null_result:
                return result_reply_parts(request_id, b"null")
            return _result_reply(entry, revision, request_id, value)

        return answer

    def _server_info_query(self, request_id: int | float | str, params: dict[str, Any]) -> Parts:
        """Agree on the revision (server_sdk/revisions.py), let the handler refuse the compiler, then switch to it."""
        served, tvm_version = self._agreement.agree(params)
        self.handler.check_tvm_version(tvm_version)
        self.served, self._answering = served, self._answers[served.revision]
        return result_reply_parts(request_id, served.server_info_json)

    def _handler_call(self, entry: MethodEntry, served: ServedRevision) -> Callable[[dict[str, Any]], Any]:
        """The call of the handler's method for `entry` in `served`'s revision, with its params in schema order as
        handlers take them: checked options with defaults filled, paths as Path, payloads as bytes (the text let go
        once decoded), timeouts as float."""
        function = getattr(self.handler, entry.name)
        takes: list[Callable[[dict[str, Any]], Any]] = []
        for name in entry.params:
            if name in entry.payload_params:
                takes.append(_popped(name, _payload_decoder(entry.name, name, entry.payload_params[name])))
            elif name in entry.path_params:
                takes.append(_converted(name, Path))
            elif entry.takes_options and name == OPTIONS_PARAM:
                takes.append(_converted(name, functools.partial(served.options.check, entry.name)))
            elif name == entry.timeout_param:
                takes.append(_converted(name, _seconds))
            else:
                takes.append(operator.itemgetter(name))
        if len(takes) == 2:  # the transport calls: spelled out, no list built per call
            first, second = takes
            return lambda params: function(first(params), second(params))
        return lambda params: function(*[take(params) for take in takes])

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
    problems = [str(v) for v in checks.result_violations(revision, SERVER_INFO_QUERY, info)] + method_problems(handler)
    if problems and revision not in handler.declarations_served_as_given:
        raise DeclarationError(f"{type(handler).__name__} declares what the spec forbids:\n  " + "\n  ".join(problems))
    return info


def method_problems(handler: ProjectApiHandler) -> list[str]:
    """The rule on the methods a handler implements that its server_info_query result cannot show: the transport
    methods (`x-transport`) all together or none."""
    supported = handler.supported_methods()
    transports = [m for m in TRANSPORT_METHODS if m in supported]
    if transports and len(transports) != len(TRANSPORT_METHODS):
        return [f"transport methods are implemented all together or not at all; missing: "
                f"{', '.join(m for m in TRANSPORT_METHODS if m not in supported)}"]
    return []


def _result_reply(entry: MethodEntry, revision: int, request_id: int | float | str, value: Any) -> Parts:
    """The reply to a handler's return value other than an allowed null (answered before): the method's result,
    checked against its schema, then encoded."""
    result = value if entry.result_member is None else {entry.result_member: _as_json(value)}
    violations = checks.result_violations(revision, entry.name, result)
    if violations:
        raise InternalError(f"{entry.name} returned an invalid result: {describe(violations)}")
    try:
        return (encode_message(result_reply(request_id, result)),)
    except (TypeError, ValueError) as exc:
        raise InternalError(f"{entry.name} returned a result that is not JSON: {exc}") from None


def _length_rules_bind(revision: int, method: str, member: str, codec: PayloadCodec) -> bool:
    """Whether the schema's length rules on a payload result's text can refuse any encoding of 1 byte or more: probed
    once at the shortest and at an unbounded length, so a spec without such a bound costs nothing per call."""
    shortest = len(codec.encode_bytes(b"\0"))
    return any(checks.result_violations(revision, method, {member: DecodedPayload("", b"", length)}) for length in (shortest, 1 << 62))


def _payload_reply(revision: int, method: str, member: str, head: bytes, request_id: int | float | str, data: Any,
                   bound: int | None, codec: PayloadCodec, text_rules: bool) -> Parts:
    """The reply of a method whose result is bytes in `member`, encoded straight from them: 1 to `bound` bytes (the
    method's `x-read-bound` param), and, when the schema bounds it (`text_rules`), the encoded text within the
    schema's length rules (its alphabet is the codec's by construction)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InternalError(f"{method} returned an invalid result: /{member}: expected bytes, got {type(data).__name__}")
    if not data or (bound is not None and len(data) > bound):
        raise InternalError(f"{method} returned an invalid result: /{member}: {len(data)} bytes, expected 1 to {bound}")
    encoded = codec.encode_bytes(data)
    if text_rules:
        violations = checks.result_violations(revision, method, {member: DecodedPayload("", b"", len(encoded))})
        if violations:
            raise InternalError(f"{method} returned an invalid result: {describe(violations)}")
    return result_reply_parts(request_id, head, encoded, b'"}')


def _popped(name: str, convert: Callable[[Any], Any]) -> Callable[[dict[str, Any]], Any]:
    """Takes param `name` out of the params and converts it (a payload: its text is let go once decoded)."""
    return lambda params: convert(params.pop(name))


def _converted(name: str, convert: Callable[[Any], Any]) -> Callable[[dict[str, Any]], Any]:
    """Converts param `name` as the handler takes it."""
    return lambda params: convert(params[name])


def _seconds(timeout_sec: int | float | None) -> float | None:
    """A TimeoutSec param as handlers take it: a float (JSON 0 arrives as an int), or None."""
    return None if timeout_sec is None else float(timeout_sec)


def _as_json(value: Any) -> Any:
    """The JSON value of what a handler returned for a one-member result: the SDK's TransportTimeouts (to_json), a
    generated model (model_dump), or plain JSON (validated afterwards like any result)."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if hasattr(value, "_asdict"):  # a platform's own namedtuple (TVM's TransportTimeouts)
        return dict(value._asdict())
    return value.model_dump() if hasattr(value, "model_dump") else value


def _payload_decoder(method: str, param: str, encoding: str) -> Callable[[str], bytes]:
    """Decodes the payload param `param` of `method`; InvalidParamsError naming it when the text is not valid."""
    codec = CODECS[encoding]

    def decode(text: str) -> bytes:
        try:
            return codec.decode(text)
        except PayloadDecodeError as exc:
            raise InvalidParamsError(f"{method}: /{param}: {exc}") from None

    return decode


def exception_text(exc: BaseException) -> str:
    """The text of a platform's exception for its error reply, never raising: its __str__ may itself fail, and
    the reply must still go out (the loop's except block is where nothing may raise again)."""
    try:
        text = str(exc)
    except Exception as failure:
        return f"{type(exc).__name__} (str() of it raised {type(failure).__name__})"
    return text if isinstance(text, str) and text else type(exc).__name__


def _parse_error(exc: WireDecodeError) -> Parts:
    """The reply to a line that is not one JSON text."""
    return (encode_message(error_reply(None, ErrorCode.PARSE_ERROR, f"Parse error: {exc}")),)


def _error_line(request_id: int | float | str | None, method: Any, error: dict[str, Any]) -> Parts:
    """An error reply line; an error object the spec does not allow becomes an internal error saying where."""
    violations = checks.reply_violations("ErrorObject", error)
    if not violations:
        try:
            return (encode_message({"jsonrpc": JSONRPC, "id": request_id, "error": error}),)
        except (TypeError, ValueError) as exc:
            problem = f"not JSON: {exc}"
    else:
        problem = describe(violations)
    message = f"{method} raised an error the spec does not allow: {problem}"
    return (encode_message(error_reply(request_id, ErrorCode.INTERNAL_ERROR, message)),)
