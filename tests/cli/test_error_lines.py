"""Error messages on the command line: one line each, cut after MAX_MESSAGE_CHARS characters, however long the
message a server or a file gave (cli/terminal.py, the one place that shapes them)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from microtvm_project_api.cli.terminal import MAX_MESSAGE_CHARS, one_line

SCRIPTED_SERVER = Path(__file__).parents[1] / "robustness" / "scripted_server.py"


@pytest.mark.parametrize("message, shown", [
    ("short", "short"),
    ("two\nlines\r\n", "two lines"),
    ("x" * MAX_MESSAGE_CHARS, "x" * MAX_MESSAGE_CHARS),
    ("x" * (MAX_MESSAGE_CHARS + 1), "x" * MAX_MESSAGE_CHARS + "... (1 more characters)"),
    ("y\n" * 10_000_000, " ".join(["y"] * (MAX_MESSAGE_CHARS // 2)) + f"... ({20_000_000 - MAX_MESSAGE_CHARS} more characters)"),
])
def test_one_line_keeps_a_message_short(message: str, shown: str) -> None:
    assert one_line(message) == shown


def test_a_servers_ten_megabyte_error_message_is_printed_cut(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(SCRIPTED_SERVER, project / "microtvm_api_server.py")
    message = "E" * 10_000_000
    reply = json.dumps({"jsonrpc": "2.0", "id": "__ID__", "error": {"code": -32000, "message": message, "data": None}}) + "\n"
    (project / "script.json").write_text(json.dumps([{"reply": base64.b64encode(reply.encode()).decode()}]))
    done = subprocess.run([sys.executable, "-m", "microtvm_project_api.cli.main", "info", str(project)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines and all(len(line) < MAX_MESSAGE_CHARS + 60 for line in lines), [len(line) for line in lines]
    assert lines[-1].startswith("microtvm-project info: error: ServerError: EEEE")
    assert lines[-1].endswith(" more characters)")
