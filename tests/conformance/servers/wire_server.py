"""A correct Project API server written against the wire protocol alone (standard library only), with a defect switch.

The kit's tests build each deliberately broken server from this one by naming a single defect;
`defect=None` is the correct server the kit must pass. Revision 1 or 2 is chosen by the caller; a
tuple of revisions makes a server that offers them all and agrees on one per server_info_query, as
revision agreement says (asked with `protocol_versions`: the highest both speak; without: 1).
A project directory holding `model.tar` is a generated project; otherwise it is a template.
The device is an in-memory echo: every byte written comes back on read. One switch value is a
platform variant rather than a defect: `open_needs_flash` refuses open_transport until flashed; `no_transport`
(revision 2) supports no transport method, as a library-only platform.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OPTION_METHODS = ("generate_project", "build", "flash", "open_transport")
TRANSPORT = ("open_transport", "close_transport", "read_transport", "write_transport")
METHODS = ("server_info_query", "generate_project", "build", "flash", *TRANSPORT)
PARAMS = {
    "server_info_query": {"tvm_version": "str"},
    "generate_project": {"model_library_format_path": "path", "standalone_crt_dir": "path", "project_dir": "path", "options": "options"},
    "build": {"options": "options"},
    "flash": {"options": "options"},
    "open_transport": {"options": "options"},
    "close_transport": {},
    "read_transport": {"n": "count", "timeout_sec": "timeout"},
    "write_transport": {"data": "data", "timeout_sec": "timeout"},
}
OPTIONS = [
    {"name": "board", "type": "str", "choices": ["qemu_x86", "nucleo"], "default": "qemu_x86",
     "optional": list(OPTION_METHODS), "help": "Target board."},
    {"name": "verbose", "type": "bool", "default": False, "optional": ["build"], "help": "Log every compiler command."},
    {"name": "jobs", "type": "int", "default": 2, "optional": ["build"], "help": "Parallel compile jobs."},
    {"name": "serial_number", "type": "str", "required": ["flash"], "help": "Serial number of the board to flash."},
    {"name": "baud_scale", "type": "float", "default": 1.0, "optional": ["open_transport"], "help": "Scale of the baud rate."},
]
PYTHON_TYPES: dict[str, tuple[type, ...]] = {"bool": (bool,), "str": (str,), "int": (int,), "float": (int, float)}
MEMBERS = ("name", "type", "required", "optional", "default", "choices", "help")


class RpcError(Exception):
    def __init__(self, code: int, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.detail = code, message, detail


def named(name: str, detail: str) -> RpcError:
    return RpcError(-32000, name, detail)


class Server:
    """The server state: revision, template or generated, transport and its echo buffer, and the defect."""

    def __init__(self, revision: int | tuple[int, ...], defect: str | None) -> None:
        self.offered = revision if isinstance(revision, tuple) else (revision,)
        self.agrees = isinstance(revision, tuple)
        self.revision = min(self.offered)
        self.defect = defect
        self.is_template = not Path("model.tar").exists()
        self.open = False
        self.opened_once = False
        self.echo = bytearray()
        self.builds = 0
        self.echoed = 0
        self.crash_next = False

    # -- metadata ----------------------------------------------------------------------------------

    def options(self) -> list[dict[str, Any]]:
        options = [dict(o) for o in OPTIONS]
        if self.defect == "misspelled_option_method":
            options[1]["optional"] = ["biuld"]
        if self.defect == "default_of_another_type":
            options[2]["default"] = "2"
        if self.defect == "empty_option_help":
            options[0]["help"] = ""
        if self.defect == "long_help":  # not a defect: a 12 MiB reply line is well within the spec's line bound
            options[0]["help"] = "x" * (12 * 1024 * 1024)
        if self.defect == "duplicate_option_name":
            options.append(dict(options[0]))
        if self.revision == 1:
            return [{m: o.get(m) for m in MEMBERS} for o in options]
        return options

    def supported(self) -> list[str]:
        if self.is_template:
            return ["server_info_query", "generate_project"]
        methods = [m for m in METHODS if m != "generate_project" and (m not in TRANSPORT or self.defect != "no_transport")]
        return methods[:-1] if self.defect == "partial_transport_methods" else methods

    def encode(self, data: bytes) -> str:
        if self.revision == 1 or self.defect == "base85_in_v2":
            return base64.b85encode(data).decode("ascii")
        return base64.b64encode(data).decode("ascii")

    def decode(self, text: str) -> bytes:
        try:
            return base64.b85decode(text) if self.revision == 1 else base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise RpcError(-32602, "invalid params", f"data: {exc}") from None

    # -- request handling --------------------------------------------------------------------------

    def handle_line(self, line: bytes) -> Any:
        """The reply object for one request line (a list for the batch defect)."""
        try:
            message = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if self.defect == "stops_on_parse_error":
                sys.exit(0)
            if self.defect == "segfault_on_parse_error":
                os.kill(os.getpid(), signal.SIGSEGV)
            return error_reply(0 if self.defect == "parse_error_with_id" else None, RpcError(-32700, "parse error"))
        if isinstance(message, list) and self.defect == "batch_answered_as_array":
            return [self.handle_message(m) for m in message]
        if isinstance(message, list) and self.defect == "segfault_after_batch":
            self.crash_next = True
            return error_reply(None, RpcError(-32600, "invalid request", "a batch"))
        if self.crash_next:
            os.kill(os.getpid(), signal.SIGSEGV)
        return self.handle_message(message)

    def handle_message(self, message: Any) -> dict[str, Any]:
        request_id = None
        try:
            if not isinstance(message, dict):
                raise RpcError(-32600, "invalid request", "not an object")
            request_id = message.get("id")
            if self.defect == "boolean_id_as_integer" and type(request_id) is bool:
                request_id = int(request_id)
            if self.defect == "notification_answered_with_id" and "id" not in message:
                return {"jsonrpc": "2.0", "id": 0, "result": None}
            if type(request_id) not in (str, int) and not (type(request_id) is float and request_id.is_integer()):
                request_id = None
                raise RpcError(-32600, "invalid request", "id is not a string or integer")
            if message.get("jsonrpc") != "2.0" and self.defect != "accepts_any_jsonrpc_version":
                raise RpcError(-32600, "invalid request", "jsonrpc is not 2.0")
            method = message.get("method")
            if not isinstance(method, str) or not re.fullmatch(r"[a-zA-Z0-9_]+", method):
                raise RpcError(-32600, "invalid request", "bad method")
            params = message.get("params")
            if not isinstance(params, dict):
                raise RpcError(-32600, "invalid request", "params is not an object")
            result = self.dispatch(method, params)
        except RpcError as exc:
            return error_reply(request_id, exc)
        if self.defect == "wrong_reply_id":
            request_id = request_id + 1 if isinstance(request_id, int) else request_id + "x"
        if self.defect == "large_ids_truncated" and isinstance(request_id, int):
            request_id &= 0xFFFFFFFF
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method not in METHODS:
            if self.defect == "dunder_method_exits" and method.startswith("__"):
                sys.exit(f"wire_server: {method} called")
            if self.defect == "unknown_method_answered":
                return {"answered": method}
            raise RpcError(-32000 if self.defect == "unknown_method_as_server_error" else -32601, "method not found", method)
        self.check_params(method, params)
        if self.revision >= 2 and method not in self.supported():
            if self.defect == "unsupported_as_method_not_found":
                raise RpcError(-32601, "method not found", method)
            raise named("MethodNotSupportedError", f"{method} is not supported here")
        if "options" in params and self.revision >= 2:
            self.check_options(method, params["options"])
        return getattr(self, method)(**params)

    def check_params(self, method: str, params: dict[str, Any]) -> None:
        expected = {**PARAMS[method], **({"protocol_versions": "versions"} if self.agrees and method == "server_info_query" else {})}
        missing = [p for p in expected if p not in params and p != "protocol_versions"]
        extra = [p for p in params if p not in expected]
        if missing and self.defect != "missing_params_crash_handler":
            raise RpcError(-32602, "invalid params", f"missing {missing}")
        if extra and self.defect != "extra_params_accepted":
            raise RpcError(-32602, "invalid params", f"unexpected {extra}")
        if self.defect == "param_types_unchecked" or (self.defect == "build_flash_types_unchecked" and method in ("build", "flash")):
            return
        for name, kind in expected.items():
            if name in params and not param_ok(kind, params[name]):
                raise RpcError(-32602, "invalid params", f"{name} has the wrong type")

    def check_options(self, method: str, options: dict[str, Any]) -> None:
        if self.defect == "options_unchecked":
            return
        declared = {o["name"]: o for o in OPTIONS}
        for name, value in options.items():
            option = declared.get(name)
            if option is None:
                raise RpcError(-32602, "invalid options", None if self.defect == "option_error_unnamed" else f"unknown option {name}")
            if not is_value(option["type"], value) and self.defect != "option_types_unchecked":
                raise RpcError(-32602, "invalid options", f"{name} is not a {option['type']}")
            if option.get("choices") and value not in option["choices"] and self.defect != "option_choices_unchecked":
                raise RpcError(-32602, "invalid options", f"{name} must be one of {option['choices']}")
        for option in OPTIONS:
            if method in option.get("required", []) and option["name"] not in options and self.defect != "required_options_unchecked":
                raise RpcError(-32602, "invalid options", f"{option['name']} is required for {method}")

    # -- methods -----------------------------------------------------------------------------------

    def server_info_query(self, tvm_version: str, protocol_versions: list[int] | None = None) -> dict[str, Any]:
        if protocol_versions is None:
            self.revision = 1 if 1 in self.offered else min(self.offered)
        else:
            self.revision = max(set(protocol_versions) & set(self.offered) or self.offered)
        path: str | None = None if self.is_template else "model.tar"
        if self.is_template and (self.revision == 1 or self.defect == "template_reports_empty_mlf_path"):
            path = ""
        info: dict[str, Any] = {
            "protocol_version": 3 if self.defect == "unknown_revision" else self.revision,
            "platform_name": "Wire Server" if self.defect == "platform_name_not_slug" else "wire",
            "is_template": True if self.defect == "generated_reports_template" else self.is_template,
            "model_library_format_path": path,
            "project_options": self.options(),
        }
        if self.revision >= 2:
            info["supported_methods"] = self.supported()
        if self.defect == "info_extra_member":
            info["vendor"] = "acme"
        return info

    def generate_project(self, model_library_format_path: str, standalone_crt_dir: str, project_dir: str, options: dict[str, Any]) -> None:
        target = Path(project_dir)
        if target.exists() and self.defect != "generate_overwrites_existing":
            raise RpcError(-32000, "project_dir exists", project_dir)
        target.mkdir(parents=True, exist_ok=True)
        if self.defect != "generate_without_server_copy":
            shutil.copy("microtvm_api_server.py", target / "microtvm_api_server.py")
        shutil.copy(model_library_format_path, target / "model.tar")
        return None

    def build(self, options: dict[str, Any]) -> None:
        if self.defect == "hangs_on_build":
            time.sleep(3600)
        if self.builds and self.defect in ("second_build_fails", "first_build_fails"):
            raise RpcError(-32000, "build directory exists")
        if self.defect == "first_build_fails":  # a missing toolchain, after the build directory was made: not re-runnable
            self.builds += 1
            print("make: cc: No such file or directory", file=sys.stderr, flush=True)
            raise RpcError(-32000, "build failed", "the compiler is not installed")
        self.builds += 1
        return None

    def flash(self, options: dict[str, Any]) -> None:
        if not self.builds or self.defect == "flash_always_fails":
            raise RpcError(-32000, "not built")
        Path("flashed").touch()
        return None

    def open_transport(self, options: dict[str, Any]) -> dict[str, Any]:
        if self.defect == "open_needs_flash" and not Path("flashed").exists():
            raise RpcError(-32000, "not flashed")
        if self.open and self.defect == "reopen_fails":
            raise RpcError(-32000, "already open")
        self.open = self.opened_once = True
        self.echo.clear()
        return {"timeouts": {"session_start_retry_timeout_sec": 2.0, "session_start_timeout_sec": 10.0,
                             "session_established_timeout_sec": 10.0}}

    def close_transport(self) -> None:
        if not self.open and self.defect == "close_twice_fails":
            raise RpcError(-32000, "not open")
        self.open = False
        return None

    def read_transport(self, n: int, timeout_sec: float | None) -> dict[str, Any]:
        if not self.open:
            if self.defect == "crash_before_open":
                raise AttributeError("'NoneType' object has no attribute 'read'")
            if self.defect == "timeout_after_close" and self.opened_once:
                raise named("IoTimeoutError", "no data")
            raise named("TransportClosedError", "the transport is not open")
        if not self.echo:
            if self.defect == "zero_byte_read":
                return {"data": ""}
            if self.defect != "timeout_too_early":
                time.sleep(timeout_sec if timeout_sec is not None else 3600)
                if self.defect == "timeout_too_late" and timeout_sec:
                    time.sleep(timeout_sec + 2.5)
            raise named("IoTimeoutError", f"no byte within {timeout_sec} s")
        count = len(self.echo) if self.defect == "read_more_than_n" else n
        data = bytes(self.echo[:count])
        del self.echo[:count]
        self.echoed += len(data)
        if self.defect == "corrupts_after_half_a_mib" and self.echoed > 512 * 1024:
            data = bytes([data[0] ^ 1]) + data[1:]
        return {"data": self.encode(data)}

    def write_transport(self, data: str, timeout_sec: float | None) -> None:
        raw = self.decode(data)
        if not self.open:
            raise named("TransportClosedError", "the transport is not open")
        if not raw and self.defect == "empty_write_fails":
            raise RpcError(-32000, "nothing to write")
        self.echo += raw
        return None


def param_ok(kind: str, value: Any) -> bool:
    if kind == "versions":
        return (isinstance(value, list) and bool(value) and len(set(map(repr, value))) == len(value)
                and all(type(v) is int and v >= 1 for v in value))
    if kind in ("str", "path", "data"):
        return isinstance(value, str) and (kind != "path" or bool(value))
    if kind == "options":
        return isinstance(value, dict)
    if kind == "count":
        return type(value) is int and value >= 1
    return value is None or (type(value) in (int, float) and value >= 0)


def is_value(kind: str, value: Any) -> bool:
    return isinstance(value, PYTHON_TYPES[kind]) and (kind == "bool" or not isinstance(value, bool))


def error_reply(request_id: Any, error: RpcError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.detail:
        body["data"] = {"detail": error.detail}
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


def main(revision: int | tuple[int, ...] = 2, defect: str | None = None) -> None:
    """Serve requests from --read-fd, replies to --write-fd, until end of file."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    server = Server(revision, defect)
    requests, replies = os.fdopen(args.read_fd, "rb"), os.fdopen(args.write_fd, "wb")
    if defect == "reads_stdin":
        sys.stdin.readline()
    if defect == "crashes_on_start":
        sys.exit("wire_server: cannot open the board (simulated crash)")
    if defect == "logs_on_reply_channel":
        replies.write(b"INFO wire server starting\n")
    if defect == "leaves_child_behind":
        subprocess.Popen(["sleep", "60"])
    if defect == "daemon_escapes":  # a child in a session of its own, deaf to SIGTERM, holding stdout and stderr
        daemon = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
                                   " time.sleep(60)"], start_new_session=True)
        Path("daemon.pid").write_text(str(daemon.pid))
    if defect == "floods_stderr":
        sys.stderr.write("noise " * 2_000_000 + "\n")
    for line in requests:
        if defect == "endless_reply":  # a reply that never ends: far past any bound, and no newline
            while True:
                replies.write(b"x" * 65536)
        if defect == "huge_reply":  # one line just past the spec's 64 MiB bound, written piecewise
            replies.write(b'{"jsonrpc": "2.0", "id": 1, "result": "')
            for _ in range(65):
                replies.write(b"x" * (1024 * 1024))
            replies.write(b'"}\n')
            replies.flush()
            continue
        reply = server.handle_line(line)
        replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        replies.flush()
    if defect == "no_exit_on_eof":
        time.sleep(3600)
    sys.exit(1 if defect == "exit_status_on_eof" else 0)
