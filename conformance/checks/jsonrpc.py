"""JSON-RPC robustness: malformed lines, invalid requests, unknown methods, bad params and bad options.

Every bad request must get the error the spec names, and the server must keep serving after it. In
revision 1, what TVM's server module does instead (stop after a parse error or an invalid request,
serve id null, pass the parameters of five methods unchecked) is reported as inherited.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from microtvm_project_api.conformance import expect
from microtvm_project_api.conformance.check import CheckBlocked, CheckSkipped, check, must
from microtvm_project_api.conformance.context import Context, option_methods
from microtvm_project_api.conformance.params import valid_params, wrong_type_params
from microtvm_project_api.conformance.session import Reply, ServerStopped, Session
from microtvm_project_api.generated.methods import OPTION_METHODS
from microtvm_project_api.protocol.agreement import DEFAULT_TVM_VERSION as TVM_VERSION
from microtvm_project_api.protocol.registry import default_registry

ENVELOPE = "jsonrpc.json#/$defs/Request"
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
NOT_SUPPORTED = "MethodNotSupportedError"
BOGUS_OPTION = "kit_undeclared_option"
STOPS_AFTER_PARSE_ERROR, STOPS_AFTER_INVALID = "stops-after-parse-error", "stops-after-invalid-request"
NULL_ID, UNCHECKED_TYPES = "null-id-accepted", "param-types-unchecked"
NOTIFICATION, BOOLEAN_ID, FLOAT_ID, CLASS_ATTRIBUTES = (
    "notification-served", "boolean-id-accepted", "float-id-refused", "class-attributes-dispatched")
TYPE_CHECKED_IN_V1 = tuple(default_registry().resolve(
    default_registry().revision(1).uri + "#/x-server-module/param-types-unchecked/type-checked-methods"))
"""The methods whose parameter types TVM's server module checks (revisions/v1.json#/x-server-module/param-types-unchecked)."""


@check("jsonrpc.parse-error", "a line that is not JSON (or not UTF-8) gets -32700 with id null, and the server keeps serving",
       must("a line that is not JSON or not UTF-8 gets a -32700 reply with id null, and the server keeps serving",
            "revisions/v2.json#/x-parse-error-reply"), inherits=(STOPS_AFTER_PARSE_ERROR,))
def parse_error(ctx: Context) -> None:
    for what, line in (("truncated JSON", b'{"jsonrpc": "2.0", "method": \n'), ("not UTF-8", b'\xff\xfe{"id": 1}\n')):
        with ctx.case(what):
            session = ctx.session()
            try:
                reply = session.send_line(line, (None,))
            except ServerStopped as exc:
                expect.stopped_as_deployed(ctx, exc, STOPS_AFTER_PARSE_ERROR)
                ctx.inherit(STOPS_AFTER_PARSE_ERROR, f"the line {line!r} got no reply and the server exited")
                continue
            expect.error(reply, (PARSE_ERROR,), "the line is not one UTF-8 JSON text")
            expect.keeps_serving(ctx, session, f"the line {line!r}", STOPS_AFTER_PARSE_ERROR)


def _line(message: Any) -> bytes:
    return json.dumps(message).encode("utf-8") + b"\n"


HELLO = {"tvm_version": TVM_VERSION}
INVALID_REQUESTS: list[tuple[str, Any, tuple[Any, ...], str | None]] = [
    ("jsonrpc is not \"2.0\"", {"jsonrpc": "1.0", "method": "server_info_query", "params": HELLO, "id": 11}, (11, None), None),
    ("no jsonrpc member", {"method": "server_info_query", "params": HELLO, "id": 12}, (12, None), None),
    ("no method", {"jsonrpc": "2.0", "params": {}, "id": 13}, (13, None), None),
    ("method is not a string", {"jsonrpc": "2.0", "method": 42, "params": {}, "id": 14}, (14, None), None),
    ("method breaks ^[a-zA-Z0-9_]+$", {"jsonrpc": "2.0", "method": "server info!", "params": {}, "id": 15}, (15, None), None),
    ("no params", {"jsonrpc": "2.0", "method": "server_info_query", "id": 17}, (17, None), None),
    ("params is null", {"jsonrpc": "2.0", "method": "server_info_query", "params": None, "id": 18}, (18, None), None),
    ("id is null", {"jsonrpc": "2.0", "method": "server_info_query", "params": HELLO, "id": None}, (None,), NULL_ID),
    ("id is true", {"jsonrpc": "2.0", "method": "server_info_query", "params": HELLO, "id": True}, (None,), BOOLEAN_ID),
    ("id is a float", {"jsonrpc": "2.0", "method": "server_info_query", "params": HELLO, "id": 1.5}, (None,), None),
    ("no id, a notification", {"jsonrpc": "2.0", "method": "server_info_query", "params": HELLO}, (None,), NOTIFICATION),
    ("the request is a number", 42, (None,), None),
    ("the request is a string", "server_info_query", (None,), None),
]
"""(what is wrong, the request, the reply ids allowed, the behaviour of TVM's server module it meets in revision 1, if any)."""


def as_deployed(key: str | None, request: Any, reply: Reply) -> bool:
    """Whether `reply` is what TVM's server module answers to `request` by construction (revisions/v1.json#/x-server-module/`key`)."""
    if key == NULL_ID:
        return reply.error is None and reply.id is None
    if key == BOOLEAN_ID:
        return reply.error is None and reply.id is request["id"]
    if key == NOTIFICATION:
        return (reply.id is None and reply.error is not None and reply.error["code"] == expect.SERVER_ERROR
                and reply.error["message"] == f"calling method {request['method']}")
    return False


@check("jsonrpc.invalid-request", "JSON that is not a request object gets -32600, and the server keeps serving",
       must("JSON that is not a valid request object (wrong jsonrpc, bad id, missing method) is answered -32600", "errors.json#/$defs/ErrorCode"),
       inherits=(STOPS_AFTER_INVALID, NULL_ID))
def invalid_request(ctx: Context) -> None:
    for what, message, ids, deployed in INVALID_REQUESTS:
        with ctx.case(what):
            session = ctx.session()
            served_ids = (None, True) if ctx.revision == 1 else ()
            reply = session.send_line(_line(message), ids + ((True,) if deployed == BOOLEAN_ID and ctx.revision == 1 else ()),
                                      deployed_ids=served_ids)
            if ctx.revision == 1 and deployed is not None and as_deployed(deployed, message, reply):
                ctx.inherit(deployed, f"the request ({what}) got {reply.summary()}, id {json.dumps(reply.id)}")
                expect.still_serving(session, f"the request ({what})")
                continue
            expect.error(reply, (INVALID_REQUEST,), what)
            expect.keeps_serving(ctx, session, f"the request ({what})", STOPS_AFTER_INVALID)
    with ctx.case("params is an array"):
        session = ctx.session()
        reply = session.send_line(_line({"jsonrpc": "2.0", "method": "server_info_query", "params": [TVM_VERSION], "id": 16}), (16, None))
        expect.error(reply, (INVALID_REQUEST, INVALID_PARAMS), "params is an array, not an object")
        expect.keeps_serving(ctx, session, "the request (params is an array)", STOPS_AFTER_INVALID)


@check("jsonrpc.batch", "a batch (JSON array) gets one -32600 reply, not an array",
       must("batches are not part of the protocol: a server answers them with -32600", "jsonrpc.json"), inherits=(STOPS_AFTER_INVALID,))
def batch(ctx: Context) -> None:
    session = ctx.session()
    message = [{"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": TVM_VERSION}, "id": 21}]
    expect.error(session.send_line(_line(message), (None, 21)), (INVALID_REQUEST,), "a batch")
    expect.keeps_serving(ctx, session, "a batch", STOPS_AFTER_INVALID)


CLASS_ATTRIBUTE_NAMES = ("__init__", "__repr__")
"""Well-formed method names that are attributes of every Python class: no protocol method."""


@check("jsonrpc.unknown-method", "a well-formed unknown method (__init__ and __repr__ too) gets -32601 with the request id",
       must("a method that is not part of the protocol is answered -32601", "errors.json#/$defs/ErrorCode"), inherits=(CLASS_ATTRIBUTES,))
def unknown_method(ctx: Context) -> None:
    with ctx.case("no_such_method"):
        session = ctx.session()
        expect.error(session.call("no_such_method", {}), (METHOD_NOT_FOUND,), "no_such_method is not a protocol method")
        expect.still_serving(session, "an unknown method")
    for name in CLASS_ATTRIBUTE_NAMES:
        with ctx.case(name):
            session = ctx.session()
            reply = session.call(name, {})
            if ctx.revision == 1 and (reply.error is None or reply.error["code"] != METHOD_NOT_FOUND):
                ctx.inherit(CLASS_ATTRIBUTES, f"{name} was dispatched: {reply.summary()}")
            else:
                expect.error(reply, (METHOD_NOT_FOUND,), f"{name} is not a protocol method")
            expect.still_serving(session, f"the method {name}")


FLOAT_IDS = ("1.0", "1e3")
"""Integers to JSON Schema, written with a fraction or an exponent: valid ids."""


@check("jsonrpc.id-echo", "string and integer ids (large, and written 1.0 or 1e3) come back unchanged",
       must("the reply carries the id of the request: a string or an integer", "jsonrpc.json#/$defs/RequestId"), inherits=(FLOAT_ID,))
def id_echo(ctx: Context) -> None:
    for request_id in ("kit-\u00e9-1", 2**53 - 1, 0, -7):
        with ctx.case(f"id {json.dumps(request_id)}"):
            expect.result(ctx.session().call("server_info_query", ctx.hello, request_id=request_id, validate=False), "a valid request")
    for written in FLOAT_IDS:
        with ctx.case(f"id {written}"):
            session = ctx.session()
            line = b'{"jsonrpc": "2.0", "method": "server_info_query", "params": %s, "id": %s}\n' % (
                json.dumps(ctx.hello).encode(), written.encode())
            reply = session.send_line(line, (float(written), *((None,) if ctx.revision == 1 else ())))
            if ctx.revision == 1 and reply.id is None and reply.error is not None and reply.error["code"] == INVALID_REQUEST:
                ctx.inherit(FLOAT_ID, f"the id {written} got {reply.summary()}, id null")
                expect.keeps_serving(ctx, session, f"the id {written}", FLOAT_ID)
                continue
            expect.result(reply, f"the id {written} is an integer to JSON Schema")


Variants = Callable[[str, dict[str, Any]], list[tuple[str, dict[str, Any]]]]


def _bad_params_check(ctx: Context, make: Variants, unchecked_in_v1: tuple[str, ...] = ()) -> None:
    """Send every bad variant of every method's params; each must get -32602, or the refusal of a method the server does not support.

    In revision 1, any other reply for a method in `unchecked_in_v1` is TVM's server module passing
    the parameters on unchecked: reported as inherited (the server must still keep serving).
    """
    for method in default_registry().revision(ctx.revision).methods:
        for what, params in make(method, valid_params(ctx, method)):
            with ctx.case(f"{method}: {what}"):
                session = ctx.session()
                reply = session.call(method, params, validate=False)  # only the answer to the bad params is judged here
                if not ctx.supported(method) and _refused_as_unsupported(ctx, reply):
                    continue
                if ctx.revision == 1 and method in unchecked_in_v1 and (reply.error is None or reply.error["code"] != INVALID_PARAMS):
                    ctx.inherit(UNCHECKED_TYPES, f"{method} with {what} got {reply.summary()}, not -32602")
                else:
                    expect.error(reply, (INVALID_PARAMS,), f"{method} with {what}")
                expect.still_serving(session, f"{method} with {what}")


def _required(ctx: Context, method: str) -> list[str]:
    """The parameters the method's params schema requires in the judged revision."""
    ref = default_registry().revision(ctx.revision).methods[method].params_ref
    return list(default_registry().resolve(ref).get("required", []))


def _refused_as_unsupported(ctx: Context, reply: Reply) -> bool:
    """Whether an unsupported method was refused as such: the spec does not order that before params checking.

    Revision 2 names the error (MethodNotSupportedError); revision 1 has no name for it, so any -32000 error.
    """
    if reply.error is None or reply.error["code"] != expect.SERVER_ERROR:
        return False
    return ctx.revision == 1 or reply.error["message"] == NOT_SUPPORTED


@check("jsonrpc.params-missing", "every method with a missing parameter gets -32602",
       must("a missing parameter is -32602 (invalid params)", "errors.json#/$defs/ErrorCode"))
def params_missing(ctx: Context) -> None:
    _bad_params_check(ctx, lambda method, good: [(f"{name} missing", {k: v for k, v in good.items() if k != name})
                                                 for name in good if name in _required(ctx, method)])


@check("jsonrpc.params-extra", "every method with an undeclared extra parameter gets -32602",
       must("an extra parameter is -32602 (params are closed)", "errors.json#/$defs/ErrorCode"))
def params_extra(ctx: Context) -> None:
    _bad_params_check(ctx, lambda method, good: [("an extra parameter unexpected_param", {**good, "unexpected_param": 1})])


@check("jsonrpc.params-mistyped", "every parameter of every method, sent with a wrong JSON type, gets -32602",
       must("a parameter of the wrong type is -32602 (invalid params)", "errors.json#/$defs/ErrorCode"), inherits=(UNCHECKED_TYPES,))
def params_mistyped(ctx: Context) -> None:
    unchecked = tuple(m for m in default_registry().revision(ctx.revision).methods if m not in TYPE_CHECKED_IN_V1)
    _bad_params_check(ctx, lambda method, good: [(f"{name}={wrong[name]!r}", {**good, name: wrong[name]})
                                                 for wrong in [wrong_type_params(ctx, method)] for name in good],
                      unchecked)


OPTION_RULE = "types.json#/$defs/ProjectOptionV2"
Target = tuple[Session, dict[str, Any], str]


def _option_servers(ctx: Context) -> list[tuple[Session, dict[str, Any]]]:
    """The servers whose option checking is judged: PROJECT_DIR's, and the generated project's when there is one."""
    servers = [(ctx.session(), ctx.info)]
    if ctx.is_template:
        try:
            servers.append((ctx.device_session(), ctx.device_info()))
        except (CheckSkipped, CheckBlocked):
            pass
    return servers


def _targets(ctx: Context, session: Session, info: dict[str, Any], option: dict[str, Any] | None) -> list[Target]:
    """(server, its info, method) where `option` (or any option, when None) can be sent: the method is supported,
    takes the option, and every other option it requires was given with --option."""
    methods = OPTION_METHODS if option is None else [*option_methods(option, "required"), *option_methods(option, "optional")]
    out = []
    for method in methods:
        if not ctx.supported(method, info):
            continue
        try:
            ctx.options_for(method, info)
        except CheckSkipped:
            continue
        out.append((session, info, method))
    return out


def _first_option_target(ctx: Context, wanted: Callable[[dict[str, Any]], bool]) -> tuple[dict[str, Any], Target]:
    """A declared option satisfying `wanted` and a place to send it."""
    for session, info in _option_servers(ctx):
        for option in ctx.declared_options(info):
            if option.get("type") in ("bool", "str", "int", "float") and wanted(option):
                targets = _targets(ctx, session, info, option)
                if targets:
                    return option, targets[0]
    raise CheckSkipped("the server declares no option of this kind for a method it supports with the given --option values")


def _send_options(ctx: Context, target: Target, options: dict[str, Any], what: str, name: str) -> None:
    session, _, method = target
    params = ctx.generate_params(ctx.new_path("kit-project"), options) if method == "generate_project" else {"options": options}
    reply = session.call(method, params)
    expect.error(reply, (INVALID_PARAMS,), f"{method} with {what}")
    expect.mentions(reply, name, "an invalid-options error names the option")
    expect.still_serving(session, f"{method} with {what}")


@check("jsonrpc.option-unknown-name", "an option the server does not declare gets -32602 naming it",
       must("an undeclared option name is -32602 naming the option", OPTION_RULE), revisions=(2,))
def option_unknown_name(ctx: Context) -> None:
    targets = [t for session, info in _option_servers(ctx) for t in _targets(ctx, session, info, None)]
    if not targets:
        raise CheckSkipped("no supported method that takes options has its required options given")
    _, info, method = targets[0]
    options = {**ctx.options_for(method, info), BOGUS_OPTION: True}
    _send_options(ctx, targets[0], options, f"option {BOGUS_OPTION}", BOGUS_OPTION)


def _wrong_type_value(kind: str) -> Any:
    return {"bool": "not-a-bool", "str": 12345, "int": "12", "float": "1.5"}[kind]


@check("jsonrpc.option-wrong-type", "a declared option with a value of another type gets -32602 naming it",
       must("an option value of the wrong type is -32602 naming the option", OPTION_RULE), revisions=(2,))
def option_wrong_type(ctx: Context) -> None:
    try:
        option, target = _first_option_target(ctx, lambda o: not o.get("choices"))
    except CheckSkipped:
        option, target = _first_option_target(ctx, lambda o: True)
    value = _wrong_type_value(option["type"])
    options = {**ctx.options_for(target[2], target[1]), option["name"]: value}
    _send_options(ctx, target, options, f"{option['name']}={value!r} (declared {option['type']})", option["name"])


def _outside(option: dict[str, Any]) -> Any:
    choices = option["choices"]
    kind = option["type"]
    if kind == "bool":
        rest = [v for v in (True, False) if v not in choices]
        if not rest:
            raise CheckSkipped(f"option {option['name']} allows every bool value")
        return rest[0]
    if kind == "str":
        return "kit-not-a-choice-" + "x".join(map(str, choices))[:20]
    return max(c for c in choices if not isinstance(c, bool)) + 1


@check("jsonrpc.option-not-in-choices", "a value outside an option's choices gets -32602 naming it",
       must("an option value outside its declared choices is -32602 naming the option", OPTION_RULE), revisions=(2,))
def option_not_in_choices(ctx: Context) -> None:
    option, target = _first_option_target(ctx, lambda o: bool(o.get("choices")))
    value = _outside(option)
    options = {**ctx.options_for(target[2], target[1]), option["name"]: value}
    _send_options(ctx, target, options, f"{option['name']}={value!r} (choices {option['choices']})", option["name"])


@check("jsonrpc.option-missing-required", "a method called without an option it requires gets -32602 naming it",
       must("a missing option that is required for the method is -32602 naming the option", OPTION_RULE), revisions=(2,))
def option_missing_required(ctx: Context) -> None:
    for session, info in _option_servers(ctx):
        for option in ctx.declared_options(info):
            for method in option_methods(option, "required"):
                if not ctx.supported(method, info):
                    continue
                others = {k: v for k, v in ctx.options.items() if k != option["name"]}
                if any(method in option_methods(o, "required") and o["name"] not in others and o is not option
                       for o in ctx.declared_options(info)):
                    continue
                _send_options(ctx, (session, info, method), others, f"required option {option['name']} missing", option["name"])
                return
    raise CheckSkipped("the server declares no required option for a method it supports (or the others are not given)")
