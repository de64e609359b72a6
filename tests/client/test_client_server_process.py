"""ServerProcess lifecycle details the client relies on: descriptors closed exactly once, stop escalation."""

from __future__ import annotations

import os
import time

from microtvm_project_api.protocol.launch import ServerProcess


def test_close_after_close_requests_leaves_other_descriptors_alone(make_project) -> None:
    server = ServerProcess(make_project("v1_server.py"))
    server.close_requests()
    unrelated_read, unrelated_write = os.pipe()  # likely reuses the number of the closed request pipe
    try:
        assert server.close() == 0
        os.write(unrelated_write, b"x")
        assert os.read(unrelated_read, 1) == b"x"
    finally:
        os.close(unrelated_read)
        os.close(unrelated_write)


def test_close_escalates_to_kill_for_a_server_ignoring_eof_and_term(make_project, defect_env, group_alive) -> None:
    server = ServerProcess(make_project("broken_server.py"), env=defect_env("hang"))
    server.send_line(b'{"jsonrpc":"2.0","method":"build","params":{"options":{}},"id":1}\n', 5)
    waited = time.monotonic() + 30
    while "hanging, deaf to SIGTERM" not in server.stderr_tail and time.monotonic() < waited:
        time.sleep(0.05)
    started = time.monotonic()
    assert server.close(grace=0.5) == -9
    assert time.monotonic() - started < 5
    assert not group_alive(server.pid)
