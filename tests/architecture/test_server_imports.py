"""A server built on the SDK loads neither the kit's validator (jsonschema, referencing) nor the client.

The loopback example is started by the typed client over real pipes through the launch convention's
launch script, which runs the server under a wrapper that writes `sys.modules` to a file at exit.
Every kind of call is made first, so lazily imported modules count too.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

from microtvm_project_api.client import ProjectApiClient, TransportStream
from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, SERVER_FILE

LOOPBACK = Path(__file__).resolve().parents[2] / "examples" / "loopback" / SERVER_FILE
FORBIDDEN_PREFIXES = ("jsonschema", "referencing", "microtvm_project_api.client", "microtvm_project_api.conformance",
                      "microtvm_project_api.spec_tools")
RECORDER = """
import atexit, json, runpy, sys
record, server = sys.argv[1], sys.argv[2]
atexit.register(lambda: open(record, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = sys.argv[2:]
runpy.run_path(server, run_name="__main__")
"""


def test_a_loopback_server_loads_no_validator_and_no_client_module(tmp_path: Path) -> None:
    project = tmp_path / "loopback"
    project.mkdir()
    shutil.copy2(LOOPBACK, project / SERVER_FILE)
    recorded = tmp_path / "modules.json"
    script = project / LAUNCH_SCRIPT
    script.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -c {shlex.quote(RECORDER)} {shlex.quote(str(recorded))} \"$@\"\n")
    script.chmod(0o755)

    with ProjectApiClient.launch(project) as client:
        client.build({"build_type": "debug"})
        client.flash()
        with TransportStream(client) as stream:
            stream.write(b"ping", timeout_sec=5.0)
            assert stream.read(4, timeout_sec=5.0) == b"ping"
        code = client.close()
    assert code == 0

    modules = json.loads(recorded.read_text())
    assert "microtvm_project_api.server_sdk.loop" in modules and "microtvm_project_api.generated.methods" in modules
    assert [m for m in modules if m.startswith(FORBIDDEN_PREFIXES)] == []
