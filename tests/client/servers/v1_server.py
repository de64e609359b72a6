"""A revision 1 Project API server written only from the protocol's wire facts (no SDK, no toolkit import).

Template when the directory holds no `model.tar`; generate_project copies this file and the archive
into the new project. The transport is an in-memory loopback: bytes written are read back.
Payloads are base85, ProjectOption members are all present (null where unset), the template
reports model_library_format_path "" as TVM's host template did.
"""

import argparse
import base64
import json
import os
import shutil
import sys
import time
import traceback

MLF_NAME = "model.tar"
OPTIONS = [
    {"name": "verbose", "type": "bool", "required": None, "optional": ["generate_project", "build", "flash"],
     "default": False, "choices": None, "help": "print the commands run"},
    {"name": "opt_level", "type": "int", "required": None, "optional": ["build"], "default": 2,
     "choices": [0, 1, 2, 3], "help": "compiler optimisation level"},
    {"name": "board", "type": "str", "required": ["flash"], "optional": ["open_transport"], "default": None,
     "choices": ["qemu_x86", "nrf5340dk"], "help": "the board to flash"},
    {"name": "baud", "type": "float", "required": None, "optional": ["open_transport"], "default": None,
     "choices": None, "help": "serial speed"},
]


class RpcError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def server_error(name, detail):
    return RpcError(-32000, name, {"detail": detail})


class LoopbackServer:
    def __init__(self):
        self.is_template = not os.path.exists(MLF_NAME)
        self.transport_open = False
        self.loopback = bytearray()

    def server_info_query(self, tvm_version):
        if tvm_version.startswith("0.0"):
            raise server_error("UnsupportedTVMVersionError", f"tvm {tvm_version} is too old")
        return {
            "protocol_version": 1,
            "platform_name": "wirefacts",
            "is_template": self.is_template,
            "model_library_format_path": "" if self.is_template else os.path.abspath(MLF_NAME),
            "project_options": OPTIONS,
        }

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        if not self.is_template:
            raise RpcError(-32000, "generate_project: only a template generates projects")
        os.makedirs(project_dir)
        shutil.copy(__file__, os.path.join(project_dir, "microtvm_api_server.py"))
        shutil.copy(model_library_format_path, os.path.join(project_dir, MLF_NAME))
        with open(os.path.join(project_dir, "crt_dir.txt"), "w") as f:
            f.write(standalone_crt_dir)

    def build(self, options):
        if self.is_template:
            raise RpcError(-32000, "build: generate a project first")
        print("building with", options, file=sys.stderr, flush=True)
        print("a stray print on stdout", flush=True)
        with open("built", "w") as f:
            f.write(json.dumps(options))

    def flash(self, options):
        if not os.path.exists("built"):
            raise RpcError(-32000, "flash: build first")
        with open("flashed", "w") as f:
            f.write(options.get("board", ""))

    def open_transport(self, options):
        self.transport_open = True
        return {"timeouts": {"session_start_retry_timeout_sec": 2.0, "session_start_timeout_sec": 5.0,
                             "session_established_timeout_sec": 0}}

    def close_transport(self):
        self.transport_open = False
        self.loopback.clear()

    def read_transport(self, n, timeout_sec):
        if not self.transport_open:
            raise server_error("TransportClosedError", "the transport is not open")
        if not self.loopback:
            time.sleep(min(timeout_sec or 0, 5))
            raise server_error("IoTimeoutError", f"no byte within {timeout_sec} s")
        data = bytes(self.loopback[:n])
        del self.loopback[:n]
        return {"data": base64.b85encode(data).decode("ascii")}

    def write_transport(self, data, timeout_sec):
        if not self.transport_open:
            raise server_error("TransportClosedError", "the transport is not open")
        self.loopback += base64.b85decode(data)


PARAMS = {
    "server_info_query": {"tvm_version": str},
    "generate_project": {"model_library_format_path": str, "standalone_crt_dir": str, "project_dir": str, "options": dict},
    "build": {"options": dict},
    "flash": {"options": dict},
    "open_transport": {"options": dict},
    "close_transport": {},
    "read_transport": {"n": int, "timeout_sec": (int, float, type(None))},
    "write_transport": {"data": str, "timeout_sec": (int, float, type(None))},
}


def handle(server, request):
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str) \
            or not isinstance(request.get("params"), dict) or not isinstance(request.get("id", None), (str, int, type(None))):
        raise RpcError(-32600, "invalid request")
    method, params = request["method"], request["params"]
    if method not in PARAMS:
        raise RpcError(-32601, f"method not found: {method}")
    expected = PARAMS[method]
    if set(params) != set(expected):
        raise RpcError(-32602, f"{method} takes {sorted(expected)}, got {sorted(params)}")
    for name, kind in expected.items():
        if not isinstance(params[name], kind) or (isinstance(params[name], bool) and kind is not dict):
            raise RpcError(-32602, f"{method}: {name} has the wrong type")
    return getattr(server, method)(**params)


def serve(read_fd, write_fd):
    server = LoopbackServer()
    with os.fdopen(read_fd, "rb") as requests, os.fdopen(write_fd, "wb", buffering=0) as replies:
        for line in requests:
            request_id = None
            try:
                request = json.loads(line)
            except ValueError:
                reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
            else:
                request_id = request.get("id") if isinstance(request, dict) else None
                try:
                    reply = {"jsonrpc": "2.0", "id": request_id, "result": handle(server, request)}
                except RpcError as exc:
                    error = {"code": exc.code, "message": exc.message}
                    if exc.data:
                        error["data"] = exc.data
                    reply = {"jsonrpc": "2.0", "id": request_id, "error": error}
                except Exception as exc:
                    reply = {"jsonrpc": "2.0", "id": request_id,
                             "error": {"code": -32000, "message": str(exc), "data": {"traceback": traceback.format_exc()}}}
            replies.write(json.dumps(reply).encode("utf-8") + b"\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    serve(args.read_fd, args.write_fd)


if __name__ == "__main__":
    main()
