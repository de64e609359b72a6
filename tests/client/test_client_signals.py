"""SIGTERM during a session unwinds like Ctrl-C (protocol.interrupts), and a server stopped on a deadline gets SIGTERM
and a grace period for its own cleanup before SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from microtvm_project_api.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import CallTimeoutError
from microtvm_project_api.protocol.interrupts import Terminated, exit_status
from microtvm_project_api.protocol.launch import group_has_live_members

# Answers server_info_query, then on build writes "stopped by <signal>" to stopped.txt when SIGTERM comes, and exits.
CLEANING_SERVER = textwrap.dedent('''
    import argparse, json, os, signal, sys, time
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int)
    parser.add_argument("--write-fd", type=int)
    args = parser.parse_args()
    INFO = {"protocol_version": 2, "platform_name": "cleaning", "is_template": False, "model_library_format_path": "model.tar",
            "project_options": [], "supported_methods": ["server_info_query", "build"]}
    def cleanup(signum, frame):
        with open("stopped.txt", "w") as out:
            out.write(signal.Signals(signum).name)
        sys.exit(0)
    with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb") as replies:
        for line in requests:
            request = json.loads(line)
            if request["method"] == "build":
                signal.signal(signal.SIGTERM, cleanup)
                time.sleep(600)
            replies.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": INFO}).encode() + b"\\n")
            replies.flush()
''')


def test_a_session_makes_sigterm_raise_and_restores_its_default_after(make_project) -> None:
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    with ProjectApiClient.launch(make_project("v1_server.py")):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        with pytest.raises(Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs at once in the main thread
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert exit_status(Terminated()) == 143 and exit_status(KeyboardInterrupt()) == 130


def test_a_program_s_own_sigterm_handler_is_left_alone(make_project) -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        with ProjectApiClient.launch(make_project("v1_server.py")):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
        assert calls == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_to_a_library_caller_stops_its_server(make_project, defect_env) -> None:
    """A script using the client in its main thread: SIGTERM mid-build reaches its `except`, the server group is gone."""
    project = make_project("broken_server.py")
    script = textwrap.dedent(f'''
        import sys
        from microtvm_project_api.client import ProjectApiClient
        from microtvm_project_api.protocol.interrupts import Terminated
        try:
            with ProjectApiClient.launch({str(project)!r}) as client:
                print(client.server.pid, flush=True)
                client.build()
        except Terminated:
            print("terminated", flush=True)
            sys.exit(143)
    ''')
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=defect_env("hang"))
    assert caller.stdout is not None
    server = int(caller.stdout.readline())
    time.sleep(1.0)  # the server is asleep in build (deaf to SIGTERM itself)
    caller.send_signal(signal.SIGTERM)
    out, _ = caller.communicate(timeout=30)
    assert (caller.returncode, out) == (143, "terminated\n")
    deadline = time.monotonic() + 5
    while group_has_live_members(server) and time.monotonic() < deadline:  # a killed grandchild may await init's reaping
        time.sleep(0.05)
    assert not group_has_live_members(server)


def test_a_server_stopped_on_a_deadline_gets_sigterm_first(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "microtvm_api_server.py").write_text(CLEANING_SERVER)
    with ProjectApiClient.launch(project, timeouts=CallTimeouts(long_running=1.0)) as client, pytest.raises(CallTimeoutError):
        client.build()
    assert (project / "stopped.txt").read_text() == "SIGTERM"
