"""The host platform's board reached over the network, as a board farm reaches it: a real ser2net exports the
project's device/tty over RFC 2217 on 127.0.0.1, the server opens `serial_url`; through the typed client.

The firmware still runs beside the server behind its pseudo-terminal (the "board"); open_transport publishes
that terminal at device/tty, which ser2net opens when the server connects.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from host_project import children, launch
from ser2net import Ser2net

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ServerError, TransportClosedError
from microtvm_project_api.sample_model import INPUT_SIZE, run
from microtvm_project_api.sample_model.frames import infer

pytestmark = pytest.mark.timeout(60)
CONFORM = Path(sys.executable).parent / "microtvm-project"
TRANSPORT_CHECKS = {"transport.open-timeouts", "transport.closed-before-open", "transport.closed-after-close",
                    "transport.close-twice", "transport.read-timeout", "transport.write-timeout",
                    "transport.echo-integrity", "transport.read-at-most-n"}
FLOOD = os.urandom(8 << 20)
SLACK_SEC = 1.5


def exported(flashed: Callable[[str, int], Path], ser2net: Callable[[Path], Ser2net], app: str, revision: int) -> tuple[Path, Ser2net]:
    """A flashed project of `app` and a ser2net serving its device/tty."""
    project = flashed(app, revision)
    return project, ser2net(project / "device" / "tty")


@pytest.fixture
def echo_board(flashed: Callable[[str, int], Path], ser2net: Callable[[Path], Ser2net]) -> Iterator[tuple[ProjectApiClient, Ser2net]]:
    """A revision-2 session with the echo firmware, opened through ser2net."""
    project, exporter = exported(flashed, ser2net, "echo", 2)
    with launch(project, 2) as client:
        client.open_transport({"serial_url": exporter.url})
        client.write_transport(b"ping", 5.0)
        assert read_exactly(client, 4) == b"ping"
        yield client, exporter


def test_model_inference_through_rfc2217_matches_the_reference_bit_for_bit(flashed, ser2net, revision: int) -> None:
    project, exporter = exported(flashed, ser2net, "model", revision)
    rng = random.Random(17 + revision)
    inputs = [bytes([0x80] * INPUT_SIZE), bytes([0xFF] * INPUT_SIZE)]  # 0xFF is telnet's IAC
    inputs += [bytes(rng.randrange(256) for _ in range(INPUT_SIZE)) for _ in range(20)]
    with launch(project, revision) as client:
        assert client.revision == revision
        client.open_transport({"serial_url": exporter.url})
        line = project / "device" / "tty"
        assert os.readlink(line).startswith("/dev/pts/")
        assert [infer(client, x) for x in inputs] == [run(x) for x in inputs]
        client.close_transport()
        assert not line.is_symlink(), "close_transport withdraws device/tty"


def test_conformance_transport_checks_pass_through_rfc2217(flashed, ser2net, tmp_path: Path) -> None:
    revision = 2  # the transport path is the same in revision 1; only the payload codec differs, judged above
    project, exporter = exported(flashed, ser2net, "echo", revision)
    report = tmp_path / "report.json"
    command = [str(CONFORM), "conform", str(project), "--device", "echo", "--protocol-version", str(revision),
               "--option", f"serial_url={exporter.url}", "--report-json", str(report)]
    command += [arg for group in ("process", "server_info", "jsonrpc") for arg in ("--skip", group)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=50)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    outcomes = {c["id"]: c["outcome"] for c in json.loads(report.read_text())["checks"] if c["group"] == "transport"}
    assert outcomes == dict.fromkeys(TRANSPORT_CHECKS, "pass"), completed.stdout


def test_the_exporter_killed_mid_read_is_transport_closed_within_the_deadline_and_a_new_open_reconnects(echo_board) -> None:
    client, exporter = echo_board
    started = time.monotonic()
    threading.Timer(0.5, exporter.kill).start()
    with pytest.raises(TransportClosedError) as caught:
        client.read_transport(1, 10.0)
    assert time.monotonic() - started < 0.5 + SLACK_SEC
    assert "the exporter closed the connection" in caught.value.detail
    with pytest.raises(TransportClosedError):
        client.write_transport(b"x", 5.0)
    exporter.start()  # the same address: a lab's exporter coming back after a reboot
    client.open_transport({"serial_url": exporter.url})
    client.write_transport(b"back again", 5.0)
    assert read_exactly(client, 10) == b"back again"


def test_the_exporter_killed_mid_write_is_transport_closed_not_a_partial_success(echo_board) -> None:
    client, exporter = echo_board
    (firmware,) = children(client.server.pid)
    os.kill(firmware, signal.SIGSTOP)  # the board stops draining its line: the write blocks once the buffers are full
    try:
        started = time.monotonic()
        threading.Timer(1.0, exporter.kill).start()
        with pytest.raises(TransportClosedError) as caught:
            client.write_transport(FLOOD, 20.0)
        assert 1.0 <= time.monotonic() - started < 1.0 + SLACK_SEC, "the write was still in progress when the exporter died"
        assert "the exporter closed the connection" in caught.value.detail
    finally:
        os.kill(firmware, signal.SIGCONT)


def test_a_port_another_client_holds_fails_open_transport_naming_the_url(echo_board, flashed) -> None:
    holder, exporter = echo_board  # another compiler's session has the board
    with launch(flashed("echo", 2), 2) as client:
        with pytest.raises(ServerError) as caught:
            client.open_transport({"serial_url": exporter.url})
        assert caught.value.message.startswith(f"open_transport: cannot open {exporter.url}: ")
        assert caught.value.message.endswith("the exporter said 'Port already in use'")
        assert children(client.server.pid, wait_sec=0) == [], "a failed open_transport stops the firmware it started"
        holder.write_transport(b"still mine", 5.0)  # the holder's session is untouched
        assert read_exactly(holder, 10) == b"still mine"
        holder.close_transport()
        client.open_transport({"serial_url": exporter.url})  # the port is free again
        client.write_transport(b"free", 5.0)
        assert read_exactly(client, 4) == b"free"


@pytest.mark.parametrize("url, reason", [
    ("rfc2217://127.0.0.1:9?ign_set_control", "Could not open port"),  # the discard port: nothing listens there
    ("nonsense://board-7", "invalid URL"),
])
def test_a_url_that_does_not_open_fails_open_transport_naming_it(flashed, url: str, reason: str) -> None:
    with launch(flashed("echo", 2), 2) as client:
        with pytest.raises(ServerError) as caught:
            client.open_transport({"serial_url": url})
        assert caught.value.message.startswith(f"open_transport: cannot open {url}: {reason}")
        assert children(client.server.pid, wait_sec=0) == []


def read_exactly(client: ProjectApiClient, n: int) -> bytes:
    received = b""
    while len(received) < n:
        received += client.read_transport(n - len(received), 5.0)
    return received
