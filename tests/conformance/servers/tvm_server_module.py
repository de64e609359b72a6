"""A stand-in for TVM's shipped server module (tvm.micro.project_api.server), written from a description of its
behaviour (schema/revisions/v1.json#/x-server-module states each behaviour, docs/migrating-from-tvm.md the rest): the
wire behaviour every deployed revision 1 platform inherits.

Not TVM's code: only its behaviour on the wire, so that the conformance kit can be tested against
what real revision 1 servers do. In short: a line that is not JSON is logged and the server exits;
a request failing the envelope checks gets -32600 with id null and then the server exits; id null
is served, and so are boolean ids (a bool is an int); an id written 1.0 or 1e3 is a float, so an
invalid request; a request without id runs its method, then fails to build the reply and answers
-32000 "calling method <name>" with id null; attributes of every class (`__init__`, `__repr__`)
are dispatched like methods; unknown methods are -32601 and missing or extra parameters -32602
(the server keeps serving); parameter types are checked only for build, flash and close_transport; option values
are passed through unchecked; a platform exception is -32000 "calling method <name>" (the class
name for the three named errors) with data.traceback; every error carries data, null when none.
"""

from __future__ import annotations

import argparse
import base64
import collections
import inspect
import json
import logging
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any

logger = logging.getLogger("tvm_server_module")

PROTOCOL_VERSION = 1
METHOD_NAME = re.compile(r"^[a-zA-Z0-9_]+$")
TYPE_CHECKED = {"build": {"options": dict}, "flash": {"options": dict}, "close_transport": {}}

ServerInfo = collections.namedtuple("ServerInfo", ["platform_name", "is_template", "model_library_format_path", "project_options"])
TransportTimeouts = collections.namedtuple(
    "TransportTimeouts", ["session_start_retry_timeout_sec", "session_start_timeout_sec", "session_established_timeout_sec"])
OPTION_FIELDS = ("name", "type", "required", "optional", "default", "choices", "help")
ProjectOption = collections.namedtuple("ProjectOption", OPTION_FIELDS, defaults=(None,) * (len(OPTION_FIELDS) - 1))


class IoTimeoutError(Exception):
    """No byte could be read, or not every byte written, before the deadline."""


class TransportClosedError(Exception):
    """The transport is not open."""


class UnsupportedTVMVersionError(Exception):
    """server_info_query refused the caller's tvm_version."""


NAMED = (IoTimeoutError, TransportClosedError, UnsupportedTVMVersionError)


class ProjectAPIHandler:
    """What a platform subclasses: one method per protocol method."""

    def server_info_query(self, tvm_version: str) -> ServerInfo:
        raise NotImplementedError

    def generate_project(self, model_library_format_path: Path, standalone_crt_dir: Path, project_dir: Path, options: dict) -> None:
        raise NotImplementedError

    def build(self, options: dict) -> None:
        raise NotImplementedError

    def flash(self, options: dict) -> None:
        raise NotImplementedError

    def open_transport(self, options: dict) -> TransportTimeouts:
        raise NotImplementedError

    def close_transport(self) -> None:
        raise NotImplementedError

    def read_transport(self, n: int, timeout_sec: float | None) -> bytes:
        raise NotImplementedError

    def write_transport(self, data: bytes, timeout_sec: float | None) -> None:
        raise NotImplementedError


class _RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class _Server:
    """Serves one request per line until end of file, or until the first unreadable or invalid request."""

    def __init__(self, handler: ProjectAPIHandler, requests: Any, replies: Any) -> None:
        self.handler, self.requests, self.replies = handler, requests, replies

    def serve(self) -> int:
        for line in self.requests:
            try:
                request = json.loads(line)
            except ValueError:  # includes bytes that are not UTF-8
                logger.exception("request is not JSON, stopping")
                return 1
            try:
                request_id = self._envelope(request)
            except _RpcError as exc:
                self._reply(None, error=exc)
                logger.error("invalid request, stopping: %s", exc.message)
                return 1
            try:
                result = self._dispatch(request["method"], request["params"])
            except _RpcError as exc:
                self._reply(request_id, error=exc)
                continue
            try:
                self._reply(request["id"], result=result)  # a KeyError for a request without id, after the method ran
            except Exception:
                self._reply(None, error=_RpcError(-32000, f"calling method {request['method']}", {"traceback": traceback.format_exc()}))
        return 0

    def _envelope(self, request: Any) -> Any:
        """The request's id; _RpcError(-32600) when the request fails the envelope checks."""
        if not isinstance(request, dict):
            raise _RpcError(-32600, f"request: want an object, got {type(request).__name__}")
        if request.get("jsonrpc") != "2.0":
            raise _RpcError(-32600, "request: jsonrpc must be \"2.0\"")
        method = request.get("method")
        if not isinstance(method, str) or not METHOD_NAME.match(method):
            raise _RpcError(-32600, "request: method must be a string matching ^[a-zA-Z0-9_]+$")
        if not isinstance(request.get("params"), dict):
            raise _RpcError(-32600, "request: params must be an object")
        request_id = request.get("id")
        if request_id is not None and not isinstance(request_id, (str, int)):
            raise _RpcError(-32600, "request: id must be a string, an integer or null")
        return request_id

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        function = getattr(ProjectAPIHandler, method, None)  # any attribute of the class: __init__ and __repr__ too
        if function is None:
            raise _RpcError(-32601, f"no such method: {method}")
        try:
            wanted = [p for p in inspect.signature(function).parameters if p != "self"]
        except (TypeError, ValueError):
            wanted = []
        missing, extra = [p for p in wanted if p not in params], [p for p in params if p not in wanted]
        if missing or extra:
            raise _RpcError(-32602, f"{method}: missing parameters {missing}, extra parameters {extra}")
        for name, kind in TYPE_CHECKED.get(method, {}).items():
            if not isinstance(params[name], kind):
                raise _RpcError(-32602, f"{method}: parameter {name} must be a {kind.__name__}")
        try:
            return getattr(self, f"_call_{method}", lambda **kw: getattr(self.handler, method)(**kw))(**params)
        except NAMED as exc:
            raise _RpcError(-32000, type(exc).__name__, {"traceback": traceback.format_exc()}) from None
        except Exception:
            raise _RpcError(-32000, f"calling method {method}", {"traceback": traceback.format_exc()}) from None

    def _call_server_info_query(self, tvm_version: Any) -> dict[str, Any]:
        info = self.handler.server_info_query(tvm_version)
        return {"protocol_version": PROTOCOL_VERSION, "platform_name": info.platform_name, "is_template": info.is_template,
                "model_library_format_path": info.model_library_format_path,
                "project_options": [dict(zip(OPTION_FIELDS, option)) for option in info.project_options]}

    def _call_generate_project(self, model_library_format_path: Any, standalone_crt_dir: Any, project_dir: Any, options: Any) -> None:
        return self.handler.generate_project(Path(model_library_format_path), Path(standalone_crt_dir), Path(project_dir), options)

    def _call_open_transport(self, options: Any) -> dict[str, Any]:
        return {"timeouts": dict(self.handler.open_transport(options)._asdict())}

    def _call_read_transport(self, n: Any, timeout_sec: Any) -> dict[str, Any]:
        return {"data": base64.b85encode(self.handler.read_transport(n, timeout_sec)).decode("ascii")}

    def _call_write_transport(self, data: Any, timeout_sec: Any) -> None:
        return self.handler.write_transport(base64.b85decode(data), timeout_sec)

    def _reply(self, request_id: Any, result: Any = None, error: _RpcError | None = None) -> None:
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        if error is None:
            reply["result"] = result
        else:
            reply["error"] = {"code": error.code, "message": error.message, "data": error.data}
        self.replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        self.replies.flush()


def main(handler: ProjectAPIHandler, argv: list[str] | None = None) -> None:
    """Serve `handler` on the pipes named by --read-fd and --write-fd; exit when the requests end."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, stream=sys.stderr)
    with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb") as replies:
        status = _Server(handler, requests, replies).serve()
    sys.exit(status)
