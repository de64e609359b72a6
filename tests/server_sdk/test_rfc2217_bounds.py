"""The SDK's rfc2217:// port against a scripted exporter on 127.0.0.1 (tests/rfc2217_peer.py) that misbehaves as a
hostile or broken one would: input nobody reads stays bounded and its overrun is reported, an endless subnegotiation
ends the connection, every URL parameter is bounded, and an exporter that hangs up or never answers is reported as such
at once or at the URL's timeout. (The well-behaved exporter, a real ser2net, is in tests/host/test_ser2net.py.)"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable

import pytest
from rfc2217_peer import COM_PORT_OPTION, DONT, IAC, SB, WONT, Answerer, ScriptedExporter, answer_until_closed, answering_in_background

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.rfc2217 import MAX_INPUT_BYTES, MAX_NETWORK_TIMEOUT_SEC, MAX_SUBNEGOTIATION_BYTES
from microtvm_project_api.server_sdk.transports.serial import SerialTransport

pytestmark = pytest.mark.timeout(60)
SLACK_SEC = 1.0
OPEN_LIMIT_SEC = 5.0
Script = Callable[[socket.socket], None]


def silent(connection: socket.socket) -> None:
    """Accept, read what the client sends, answer nothing, until it hangs up."""
    while connection.recv(65536):
        pass


def after_open(opened: threading.Event, then: Script) -> Script:
    """Answer the negotiation; once the test says the port is open, run `then` on the connection."""
    def script(connection: socket.socket) -> None:
        answerer = answering_in_background(connection)
        opened.wait(OPEN_LIMIT_SEC)
        then(connection)
        answerer.join()
    return script


def open_error(url: str) -> tuple[str, float]:
    """The detail of the TransportClosedError opening `url` raises, and how long the open took; the open runs in a
    thread so a negotiation that never ends fails the test instead of hanging it."""
    outcome: list[BaseException | None] = []
    started = time.monotonic()

    def attempt() -> None:
        transport = SerialTransport(url)
        try:
            transport.open()
        except BaseException as exc:  # noqa: BLE001 - judged by the test
            outcome.append(exc)
        else:
            transport.close()
            outcome.append(None)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(OPEN_LIMIT_SEC)
    assert not thread.is_alive(), f"opening {url} still runs after {OPEN_LIMIT_SEC} s"
    assert isinstance(outcome[0], TransportClosedError), f"opening {url} gave {outcome[0]!r}"
    return outcome[0].detail, time.monotonic() - started


def test_a_flood_nobody_reads_stays_within_the_bound_and_the_next_read_reports_the_overrun() -> None:
    flood = bytes(range(255)) * (8 * MAX_INPUT_BYTES // 255)  # no 0xFF: one byte each on the line; more than the sockets buffer
    opened, sent = threading.Event(), threading.Event()
    rss_before = rss_mib()
    with ScriptedExporter(after_open(opened, lambda connection: (connection.sendall(flood), sent.set()))) as exporter:
        with SerialTransport(exporter.url()) as line:
            opened.set()
            assert sent.wait(30), "the reader stopped taking what the exporter sends"
            assert line.port is not None and line.port.in_waiting == MAX_INPUT_BYTES
            assert rss_mib() - rss_before < 64  # pyserial's own port: about 9 bytes of queue per byte received
            with pytest.raises(TransportClosedError) as overrun:
                line.read(1, 5.0)
            assert overrun.value.detail.startswith(f"{exporter.url()}: input overrun: the exporter sent ")
            assert overrun.value.detail.endswith(f" bytes while the {MAX_INPUT_BYTES} bytes this port holds unread were waiting;"
                                                 " they were dropped")
            with pytest.raises(TransportClosedError, match="not open"):
                line.read(1, 0)


def rss_mib() -> int:
    """This process's resident memory, from /proc."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS:"))


def test_a_flood_before_the_negotiation_ends_is_purged_with_its_overrun() -> None:
    def flood_then_answer(connection: socket.socket) -> None:
        connection.sendall(b"boot log " * (2 * MAX_INPUT_BYTES // 9))
        answer_until_closed(connection)

    with ScriptedExporter(flood_then_answer) as exporter:
        with SerialTransport(exporter.url()) as line:
            with pytest.raises(IoTimeoutError):  # opening purges what came before: nothing of it is read, nor missed
                line.read(1, 0.1)


def test_what_arrives_before_the_bound_is_read_whole_with_every_byte_value() -> None:
    opened, data = threading.Event(), bytes(range(256)) * 512  # 0xFF travels doubled
    with ScriptedExporter(after_open(opened, lambda connection: connection.sendall(data.replace(b"\xff", b"\xff\xff")))) as exporter:
        with SerialTransport(exporter.url()) as line:
            opened.set()
            received = b""
            while len(received) < len(data):
                received += line.read(len(data), 5.0)
            assert received == data


def test_an_endless_subnegotiation_ends_the_connection_and_reads_say_why() -> None:
    opened = threading.Event()
    endless = bytes((IAC, SB, COM_PORT_OPTION)) + b"x" * (64 * MAX_SUBNEGOTIATION_BYTES)
    with ScriptedExporter(after_open(opened, lambda connection: connection.sendall(endless))) as exporter:
        with SerialTransport(exporter.url()) as line:
            opened.set()
            started = time.monotonic()
            with pytest.raises(TransportClosedError, match=f"a telnet subnegotiation longer than {MAX_SUBNEGOTIATION_BYTES} bytes"):
                line.read(1, None)
            assert time.monotonic() - started < SLACK_SEC


@pytest.mark.parametrize("value", ["inf", "1e9", "nan", "0", "-1", "three", f"{MAX_NETWORK_TIMEOUT_SEC * 2:g}"])
def test_a_timeout_parameter_out_of_range_is_refused_before_any_wait(value: str) -> None:
    with ScriptedExporter(silent) as exporter:
        detail, took = open_error(exporter.url(f"timeout={value}"))
    assert f"parameter timeout (seconds each negotiation step waits for the exporter) must be a number in (0, {MAX_NETWORK_TIMEOUT_SEC:g}]; " \
           f"got '{value}'" in detail
    assert took < SLACK_SEC


@pytest.mark.parametrize("options, problem", [
    ("logging=bogus", "parameter logging must be one of debug, info, warning, error; got 'bogus'"),
    ("baud=9600", "unknown parameter 'baud'; rfc2217:// URLs take logging, ign_set_control, poll_modem and timeout"),
    ("ign_set_control=no", "parameter ign_set_control is a flag and takes no value; got ign_set_control='no'"),
    ("timeout=1&timeout=2", "parameter timeout is given 2 times; give it once"),
])
def test_a_url_parameter_out_of_range_names_itself_and_what_it_allows(options: str, problem: str) -> None:
    with ScriptedExporter(silent) as exporter:
        detail, _ = open_error(exporter.url(options))
    assert detail == f"cannot open {exporter.url(options)}: {problem}"


def test_a_url_without_a_port_is_refused_naming_the_form() -> None:
    detail, _ = open_error("rfc2217://127.0.0.1")
    assert detail == "cannot open rfc2217://127.0.0.1: not rfc2217://HOST:PORT[?PARAMETER[&PARAMETER...]]"


def test_an_exporter_that_accepts_and_never_answers_fails_the_open_at_the_url_timeout() -> None:
    with ScriptedExporter(silent) as exporter:
        detail, took = open_error(exporter.url("timeout=0.5"))
    assert "the exporter did not answer the telnet options BINARY and COM-PORT-OPTION within 0.5 s (the URL's timeout parameter)" in detail
    assert 0.5 <= took < 0.5 + SLACK_SEC


@pytest.mark.parametrize("answered", [False, True], ids=["before-answering", "after-the-telnet-options"])
def test_an_exporter_that_hangs_up_mid_negotiation_is_reported_so_at_once(answered: bool) -> None:
    def script(connection: socket.socket) -> None:
        answerer = Answerer()
        while answered:  # agree to the telnet options; hang up when the line settings come
            received = connection.recv(65536)
            if not received or bytes((IAC, SB)) in received:
                break
            connection.sendall(answerer.answer(received))
        else:
            connection.recv(65536)
        connection.shutdown(socket.SHUT_RDWR)

    with ScriptedExporter(script) as exporter:
        detail, took = open_error(exporter.url())
    assert "the exporter closed the connection during the RFC 2217 negotiation" in detail
    assert "does not seem to support" not in detail
    assert took < SLACK_SEC


def test_an_exporter_refusing_rfc2217_is_told_from_one_that_does_not_answer() -> None:
    def refuse(connection: socket.socket) -> None:
        connection.sendall(bytes((IAC, WONT, COM_PORT_OPTION, IAC, DONT, COM_PORT_OPTION)))
        silent(connection)

    with ScriptedExporter(refuse) as exporter:
        detail, took = open_error(exporter.url())
    assert "the exporter refused RFC 2217 (it answered DONT COM-PORT-OPTION)" in detail
    assert took < SLACK_SEC
