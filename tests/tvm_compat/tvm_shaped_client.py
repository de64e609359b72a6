"""A client that behaves as TVM's shipped client did, written from a description of its behaviour (no TVM code; the
facts are in docs/migrating-from-tvm.md, "What TVM's module and client did"): the launch convention with the
environment inherited unchanged and this interpreter when there is no launch script; server_info_query(tvm_version)
first, with nothing else, and any protocol_version
but 1 refused; the user's options completed with every declared option at its declared default (null when there is
none) and that same dictionary sent to generate_project, build, flash and open_transport; absolute paths; no
deadline on any call; base85 payloads; error replies raised by their message name."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SERVER_FILE = "microtvm_api_server.py"
LAUNCH_SCRIPT = "launch_microtvm_api_server.sh"


class ServerError(Exception):
    """An error reply; `message` and `data` as the server sent them."""

    def __init__(self, code: int, message: str, data: Any) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.data = code, message, data


class IoTimeoutError(ServerError):
    pass


class TransportClosedError(ServerError):
    pass


class UnsupportedTVMVersionError(ServerError):
    pass


class ProtocolVersionRefused(Exception):
    """The server's protocol_version is not 1."""


NAMED = {cls.__name__: cls for cls in (IoTimeoutError, TransportClosedError, UnsupportedTVMVersionError)}


class TvmShapedClient:
    """One session with the server of `project_dir`, holding the user's options for the whole session."""

    def __init__(self, project_dir: Path, options: dict[str, Any] | None = None, tvm_version: str = "0.18.0",
                 stderr: Any = None) -> None:
        """`stderr`: where the server's stderr goes (TVM's client lets it inherit the compiler's; a test may capture it)."""
        self.project_dir = Path(project_dir).resolve()
        self.user_options = dict(options or {})
        request_read, self._requests = os.pipe()
        self._replies, reply_write = os.pipe()
        server = self.project_dir / SERVER_FILE
        script = self.project_dir / LAUNCH_SCRIPT
        command = [str(script), str(server)] if script.exists() else [sys.executable, str(server)]
        self.process = subprocess.Popen([*command, "--read-fd", str(request_read), "--write-fd", str(reply_write)],
                                        cwd=self.project_dir, pass_fds=(request_read, reply_write), stderr=stderr)
        os.close(request_read)
        os.close(reply_write)
        self._reply_file = os.fdopen(self._replies, "rb")
        self._next_id = 1
        self.sent: list[dict[str, Any]] = []
        try:
            self.info = self._call("server_info_query", {"tvm_version": tvm_version})
            if self.info["protocol_version"] != 1:
                raise ProtocolVersionRefused(f"the server speaks protocol_version {self.info['protocol_version']}")
        except BaseException:
            self.close()
            raise

    def options(self) -> dict[str, Any]:
        """The user's options completed with every declared option at its default (null when it has none)."""
        completed = {option["name"]: option.get("default") for option in self.info["project_options"]}
        return {**completed, **self.user_options}

    def generate_project(self, model_library_format_path: Path, standalone_crt_dir: Path, project_dir: Path) -> None:
        self._call("generate_project", {"model_library_format_path": os.path.abspath(model_library_format_path),
                                        "standalone_crt_dir": os.path.abspath(standalone_crt_dir),
                                        "project_dir": os.path.abspath(project_dir), "options": self.options()})

    def build(self) -> None:
        self._call("build", {"options": self.options()})

    def flash(self) -> None:
        self._call("flash", {"options": self.options()})

    def open_transport(self) -> dict[str, Any]:
        return self._call("open_transport", {"options": self.options()})["timeouts"]

    def close_transport(self) -> None:
        self._call("close_transport", {})

    def read_transport(self, n: int, timeout_sec: float | None) -> bytes:
        return base64.b85decode(self._call("read_transport", {"n": n, "timeout_sec": timeout_sec})["data"])

    def write_transport(self, data: bytes, timeout_sec: float | None) -> None:
        self._call("write_transport", {"data": base64.b85encode(data).decode("utf-8"), "timeout_sec": timeout_sec})

    def close(self) -> int:
        """End of file on the request pipe; the server's exit status."""
        if self._requests is not None:
            os.close(self._requests)
            self._requests = None
        self._reply_file.close()
        return self.process.wait()

    def __enter__(self) -> "TvmShapedClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": self._next_id}
        self._next_id += 1
        self.sent.append(request)
        line = json.dumps(request).encode("utf-8") + b"\n"
        view = memoryview(line)
        while view:
            view = view[os.write(self._requests, view):]
        reply_line = self._reply_file.readline()
        if not reply_line:
            raise ConnectionError(f"{method}: the server closed its reply pipe (exit status {self.process.wait()})")
        reply = json.loads(reply_line)
        if "error" in reply:
            error = reply["error"]
            raise NAMED.get(error["message"], ServerError)(error["code"], error["message"], error.get("data"))
        return reply["result"]
