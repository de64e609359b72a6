"""The client half of the plain pair: one request per line, the reply's result or a RuntimeError, nothing checked."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

from bench.pipes import PipeChild

SERVER = str(Path(__file__).with_name("server.py"))
CODECS = {"base64": (base64.b64encode, base64.b64decode), "base85": (base64.b85encode, base64.b85decode)}


class PlainClient:
    """Launches a server (the plain one unless told otherwise) and calls it, with `codec` payloads."""

    def __init__(self, server: str = SERVER, cwd: str | None = None, env: dict[str, str] | None = None, codec: str = "base64") -> None:
        self.child = PipeChild(lambda r, w: [sys.executable, server, "--read-fd", str(r), "--write-fd", str(w)], cwd=cwd, env=env)
        self._encode, self._decode = CODECS[codec]
        self._revision2 = codec == "base64"
        self._next_id = 0

    @property
    def server_pid(self) -> int:
        return self.child.pid

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """One request, its reply's result; RuntimeError carrying an error reply's message."""
        self._next_id += 1
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": self._next_id}
        self.child.send(json.dumps(request, separators=(",", ":")).encode() + b"\n")
        reply = json.loads(self.child.read_line())
        if "error" in reply:
            raise RuntimeError(reply["error"]["message"])
        return reply["result"]

    def server_info(self) -> None:
        # a revision 2 client offers revision 2; with base85 it stands for TVM's client, which sends tvm_version alone
        self.call("server_info_query", {"tvm_version": "0.18.0", **({"protocol_versions": [2]} if self._revision2 else {})})

    def open(self) -> None:
        self.call("open_transport", {"options": {}})

    def write(self, data: bytes) -> None:
        self.call("write_transport", {"data": self._encode(data).decode("ascii"), "timeout_sec": None})

    def read(self, n: int) -> bytes:
        return self._decode(self.call("read_transport", {"n": n, "timeout_sec": None})["data"])

    def close(self) -> None:
        self.child.close()
