"""A generate_project that ends the session (a deadline, a signal, the server dying) leaves no half-made project: the
server was stopped before it could clean up, so the client removes the project_dir its server marked as the session's
(protocol/launch.py SESSION_MARKER). A directory its server did not mark (another client's, made meanwhile) is never
removed. After an error reply the server is alive and the directory is left to it."""

from __future__ import annotations

import os
import signal
import textwrap
import threading
from pathlib import Path

import pytest

from microtvm_project_api.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import CallTimeoutError, ServerExitedError
from microtvm_project_api.protocol.errors import ServerError
from microtvm_project_api.protocol.interrupts import Terminated

# A revision 1 template that, on generate_project, makes a deep tree in project_dir, then does what BEHAVIOUR says:
# hang (deaf to SIGTERM, as a server that cannot clean up), crash, or answer an error.
HALF_MAKING_SERVER = textwrap.dedent('''
    import argparse, json, os, signal, sys, time
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int)
    parser.add_argument("--write-fd", type=int)
    args = parser.parse_args()
    BEHAVIOUR = open("behaviour").read()
    INFO = {"protocol_version": 1, "platform_name": "half", "is_template": True, "model_library_format_path": "",
            "project_options": []}
    with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb") as replies:
        for line in requests:
            request = json.loads(line)
            reply = {"jsonrpc": "2.0", "id": request["id"], "result": INFO}
            if request["method"] == "generate_project" and BEHAVIOUR == "idle":  # makes nothing, deaf to SIGTERM
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                open("started", "w").close()
                time.sleep(600)
            if request["method"] == "generate_project":
                deep = os.path.join(request["params"]["project_dir"], *["d"] * 50)
                os.makedirs(deep)
                marker = os.path.join(request["params"]["project_dir"], ".microtvm-project-api-session")
                open(marker, "w").write(os.environ["MICROTVM_PROJECT_API_SESSION"])
                open(os.path.join(deep, "f.c"), "w").write("int x;")
                open("started", "w").close()
                if BEHAVIOUR == "hang":
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    time.sleep(600)
                if BEHAVIOUR == "crash":
                    os._exit(3)
                reply = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": "disk full"}}
            replies.write(json.dumps(reply).encode() + b"\\n")
            replies.flush()
''')


def template(tmp_path: Path, behaviour: str) -> Path:
    directory = tmp_path / "template"
    directory.mkdir()
    (directory / "microtvm_api_server.py").write_text(HALF_MAKING_SERVER)
    (directory / "behaviour").write_text(behaviour)
    return directory


def generate(client: ProjectApiClient, project: Path, tmp_path: Path) -> None:
    client.generate_project(tmp_path / "model.tar", tmp_path / "crt", project)


@pytest.mark.parametrize("behaviour, error", [("hang", CallTimeoutError), ("crash", ServerExitedError)])
def test_a_generate_project_that_ends_the_session_leaves_no_half_made_project(tmp_path: Path, behaviour: str, error: type) -> None:
    project = tmp_path / "project"
    with ProjectApiClient.launch(template(tmp_path, behaviour), timeouts=CallTimeouts(long_running=1.5)) as client:
        with pytest.raises(error):
            generate(client, project, tmp_path)
    assert (tmp_path / "template" / "started").exists()
    assert not project.exists()


def test_a_signal_during_generate_project_removes_the_half_made_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    started = tmp_path / "template" / "started"
    with ProjectApiClient.launch(template(tmp_path, "hang")) as client:
        def interrupt_once_started() -> None:
            while not started.exists():
                threading.Event().wait(0.02)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=interrupt_once_started, daemon=True).start()
        with pytest.raises(Terminated):
            generate(client, project, tmp_path)
    assert not project.exists()


def test_after_an_error_reply_the_project_is_the_server_s_business(tmp_path: Path) -> None:
    project = tmp_path / "project"
    with ProjectApiClient.launch(template(tmp_path, "error")) as client:
        with pytest.raises(ServerError, match="disk full"):
            generate(client, project, tmp_path)
        assert not client.over
    assert (project / "d").is_dir()


def test_a_project_dir_that_existed_before_the_call_is_never_removed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "mine.txt").write_text("the caller's")
    with ProjectApiClient.launch(template(tmp_path, "crash")) as client:
        with pytest.raises(ServerExitedError):
            generate(client, project, tmp_path)
    assert (project / "mine.txt").read_text() == "the caller's" and (project / "d").is_dir()


def test_a_project_another_client_made_during_the_call_is_never_removed(tmp_path: Path) -> None:
    """Client B's call times out while client A made the same project_dir: B's server never marked it, so it stays
    (issue 23 item 1: B used to remove A's finished project)."""
    project = tmp_path / "project"
    started = tmp_path / "template" / "started"

    def another_client_generates() -> None:
        while not started.exists():
            threading.Event().wait(0.02)
        project.mkdir()
        (project / "model.tar").write_text("client A's project")

    threading.Thread(target=another_client_generates, daemon=True).start()
    with ProjectApiClient.launch(template(tmp_path, "idle"), timeouts=CallTimeouts(long_running=1.5)) as client:
        with pytest.raises(CallTimeoutError):
            generate(client, project, tmp_path)
    assert (project / "model.tar").read_text() == "client A's project"
