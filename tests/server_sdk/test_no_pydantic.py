"""The SDK serves without importing pydantic (issue 14: launch to first reply): every request is validated by the
validators compiled from schema/, errors included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOOPBACK = Path(__file__).resolve().parents[2] / "examples" / "loopback"

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from microtvm_api_server import LoopbackHandler
from microtvm_project_api.server_sdk.loop import Server

server = Server(LoopbackHandler())
replies = [json.loads(server.handle_line(json.dumps(r).encode())) for r in json.loads(sys.argv[2])]
print(json.dumps({"pydantic": sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core")),
                  "replies": replies}))
"""


def test_serving_valid_and_invalid_requests_imports_no_pydantic() -> None:
    requests = [
        {"jsonrpc": "2.0", "method": "server_info_query", "params": {"tvm_version": "0.18.0", "protocol_versions": [2]}, "id": 1},
        {"jsonrpc": "2.0", "method": "open_transport", "params": {"options": {"verbose": False}}, "id": 2},
        {"jsonrpc": "2.0", "method": "write_transport", "params": {"data": "QUJD", "timeout_sec": 1}, "id": 3},
        {"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 0, "timeout_sec": None}, "id": 4},
        {"jsonrpc": "2.0", "method": "read_transport", "params": {"n": 8, "timeout_sec": None}, "id": 5},
        {"jsonrpc": "2.0", "method": "build", "params": {"options": {"build_type": "fast"}}, "id": 6},
    ]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(LOOPBACK), json.dumps(requests)], capture_output=True, text=True,
                          cwd=LOOPBACK, timeout=60, check=True)
    found = json.loads(done.stdout)
    assert [r.get("result", r.get("error", {}).get("code")) for r in found["replies"][2:]] == [None, -32602, {"data": "QUJD"}, -32602]
    assert found["replies"][3]["error"]["message"] == "read_transport: /n: Input should be greater than or equal to 1"
    assert found["pydantic"] == []
