"""A server child that leaves the process group (setsid) and ignores SIGTERM still holds the session's pipes:
close() finds it through /proc, kills it, and ends in bounded time."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from microtvm_project_api.client import ProjectApiClient
from microtvm_project_api.protocol.launch import pipe_holders

# Answers server_info_query after starting a daemon (new session, deaf to SIGTERM, every pipe inherited) that writes
# its pid to daemon.pid.
DAEMON_SERVER = textwrap.dedent('''
    import argparse, json, os, signal, subprocess, sys
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int)
    parser.add_argument("--write-fd", type=int)
    args = parser.parse_args()
    DAEMON = "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); os.setsid(); " \\
             "open('daemon.pid', 'w').write(str(os.getpid())); time.sleep(600)"
    INFO = {"protocol_version": 2, "platform_name": "daemon", "is_template": False, "model_library_format_path": "model.tar",
            "project_options": [], "supported_methods": ["server_info_query"]}
    with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb") as replies:
        for line in requests:
            request = json.loads(line)
            subprocess.Popen([sys.executable, "-c", DAEMON], pass_fds=(args.read_fd, args.write_fd))
            while not os.path.exists("daemon.pid") or not open("daemon.pid").read():
                pass
            replies.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": INFO}).encode() + b"\\n")
            replies.flush()
''')


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False


def test_a_setsid_daemon_holding_the_pipes_is_found_and_killed_at_close(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "microtvm_api_server.py").write_text(DAEMON_SERVER)
    client = ProjectApiClient.launch(project)
    daemon = int((project / "daemon.pid").read_text())
    assert alive(daemon)
    started = time.monotonic()
    client.close()
    took = time.monotonic() - started
    assert client.server.escaped == [daemon]
    deadline = time.monotonic() + 5
    while alive(daemon) and time.monotonic() < deadline:  # killed; reaping is init's
        time.sleep(0.05)
    assert not alive(daemon)
    assert took < 5.0, f"close() took {took:.1f} s"
    assert all(not thread.is_alive() for thread in client.server._drains)


def test_no_process_holds_a_closed_session_s_pipes(make_project) -> None:
    client = ProjectApiClient.launch(make_project("v1_server.py"))
    client.close()
    assert client.server.escaped == []
    assert pipe_holders(client.server._pipes, exclude=-1) == []
