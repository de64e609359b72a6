"""Fuzzing the SDK's RFC 2217 negotiation: a scripted exporter on 127.0.0.1 sends generated telnet and RFC 2217 byte
streams (options, subnegotiations valid, truncated and endless, stray commands, floods, raw bytes), answering the
client's requests or not, then stays, goes silent or hangs up. Opening the rfc2217:// transport succeeds or fails with
TransportClosedError within a bounded time, a read afterwards ends within its deadline, the input stays within its
bound, and no reader thread outlives the port. The stream splitter gives the same result however the stream is cut."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from fuzz_settings import FUZZ
from hypothesis import event, given, settings
from hypothesis import strategies as st
from rfc2217_peer import COM_PORT_OPTION, DO, DONT, IAC, SB, SE, WILL, WONT, Answerer, ScriptedExporter

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.rfc2217 import MAX_INPUT_BYTES, MAX_SUBNEGOTIATION_BYTES
from microtvm_project_api.server_sdk.transports.serial import SerialTransport
from microtvm_project_api.server_sdk.transports.telnet_input import TelnetSplitter, TelnetViolation

NETWORK_TIMEOUT_SEC = 0.1
HANG_UP_TIMEOUT_SEC = 2.0
"""The URL's timeout when the exporter hangs up: longer than the reader ever takes to see it, so an open that waits it
out, or blames a silence, failed to notice."""
NEGOTIATION_STEPS = 8
"""Waits an open makes at most (telnet options, line settings, flow control, DTR, RTS, two purges), plus one for luck."""
OPEN_LIMIT_SEC = NEGOTIATION_STEPS * NETWORK_TIMEOUT_SEC + 3.0
READ_DEADLINE_SEC = 0.1
SLACK_SEC = 2.0
OPTIONS = (0, 1, 3, COM_PORT_OPTION, 24, 31)
"""BINARY, ECHO, SGA, COM-PORT-OPTION, and two the client does not know (TERMINAL-TYPE, NAWS)."""

negotiation = st.builds(lambda command, option: bytes((IAC, command, option)),
                        st.sampled_from((WILL, WONT, DO, DONT)), st.one_of(st.sampled_from(OPTIONS), st.integers(0, 255)))
com_port = st.builds(lambda command, value, closed: bytes((IAC, SB, COM_PORT_OPTION, command)) + value.replace(b"\xff", b"\xff\xff")
                     + (bytes((IAC, SE)) if closed else b""),
                     st.one_of(st.integers(100, 112), st.integers(0, 255)), st.binary(max_size=6), st.booleans())
small_tokens = st.one_of(
    st.binary(min_size=1, max_size=48),
    negotiation,
    com_port,
    st.builds(lambda size: bytes((IAC, SB)) + b"s" * size + bytes((IAC, SE)),
              st.sampled_from((0, MAX_SUBNEGOTIATION_BYTES, MAX_SUBNEGOTIATION_BYTES + 1, 4 * MAX_SUBNEGOTIATION_BYTES))),
    st.builds(lambda command: bytes((IAC, command)), st.integers(SE, 255)),
)
flood = st.just(b"\x00" * (MAX_INPUT_BYTES + 4096))
tokens = st.one_of(small_tokens, flood)
streams = st.lists(tokens, max_size=12).map(b"".join)


def exporter_script(stream: bytes, answers: bool, ending: str) -> Any:
    """Send `stream` (answering the client's requests meanwhile when `answers`), then: stay (keep answering), go silent,
    or hang up."""

    def script(connection: socket.socket) -> None:
        answerer = Answerer()
        if answers:
            threading.Thread(target=_answer, args=(connection, answerer), daemon=True).start()
        connection.sendall(stream)
        if ending == "hang up":
            connection.shutdown(socket.SHUT_RDWR)
        elif not answers:
            while connection.recv(65536):
                pass

    return script


def _answer(connection: socket.socket, answerer: Answerer) -> None:
    try:
        while received := connection.recv(65536):
            if reply := answerer.answer(received):
                connection.sendall(reply)
    except OSError:
        pass


@settings(FUZZ, max_examples=20)
@given(stream=streams, answers=st.booleans(), ending=st.sampled_from(("stay", "silent", "hang up")))
def test_negotiation_with_a_generated_exporter_opens_or_fails_clearly_in_bounded_time(stream: bytes, answers: bool, ending: str) -> None:
    timeout = HANG_UP_TIMEOUT_SEC if ending == "hang up" else NETWORK_TIMEOUT_SEC
    with ScriptedExporter(exporter_script(stream, answers, ending)) as exporter:
        url = exporter.url(f"timeout={timeout}")
        line = SerialTransport(url)
        started = time.monotonic()
        try:
            line.open()
        except TransportClosedError as exc:
            event(f"refused: {exc.detail.split(': ', 1)[1].split(' (')[0].split(';')[0][:70]}")
            assert exc.detail.startswith(f"cannot open {url}: ")
            if ending == "hang up":  # pyserial's: "Remote does not seem to support RFC2217", once its timeout passed
                assert "did not answer" not in exc.detail and time.monotonic() - started < HANG_UP_TIMEOUT_SEC
        else:
            event("opened")
            try:
                assert line.port is not None and line.port.in_waiting <= MAX_INPUT_BYTES
                read_started = time.monotonic()
                try:
                    assert line.read(16, READ_DEADLINE_SEC)
                except (IoTimeoutError, TransportClosedError):
                    pass
                assert time.monotonic() - read_started < READ_DEADLINE_SEC + SLACK_SEC
            finally:
                line.close()
        assert time.monotonic() - started < OPEN_LIMIT_SEC
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("RFC 2217 reader")]


class Recorder:
    """A TelnetHandler that writes down what it is given, data runs joined."""

    def __init__(self) -> None:
        self.events: list[tuple[str, bytes]] = []

    def _add(self, kind: str, value: bytes) -> None:
        if kind == "data" and self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + value)
        else:
            self.events.append((kind, value))

    def telnet_data(self, data: bytes) -> None:
        self._add("data", data)

    def telnet_command(self, command: bytes) -> None:
        self._add("command", command)

    def telnet_negotiation(self, command: bytes, option: bytes) -> None:
        self._add("negotiation", command + option)

    def telnet_subnegotiation(self, body: bytes) -> None:
        assert len(body) <= MAX_SUBNEGOTIATION_BYTES
        self._add("subnegotiation", body)


def split(stream: bytes, cuts: list[int]) -> tuple[list[tuple[str, bytes]], bool]:
    """What a splitter reports for `stream` fed in pieces cut at `cuts`, and whether it refused the stream."""
    recorder = Recorder()
    splitter = TelnetSplitter(recorder, MAX_SUBNEGOTIATION_BYTES)
    bounds = [0, *sorted(cut % (len(stream) + 1) for cut in cuts), len(stream)]
    try:
        for start, end in zip(bounds, bounds[1:]):
            splitter.feed(stream[start:end])
    except TelnetViolation:
        return recorder.events, True
    return recorder.events, False


@settings(FUZZ, max_examples=100)
@given(stream=st.lists(small_tokens, max_size=16).map(b"".join),
       cuts=st.lists(st.integers(0, 1 << 20), max_size=8))
def test_the_splitter_reports_the_same_however_the_stream_is_cut(stream: bytes, cuts: list[int]) -> None:
    assert split(stream, cuts) == split(stream, [])


def test_plain_data_with_doubled_iac_comes_out_as_sent() -> None:
    data = bytes(range(256)) * 4
    assert split(data.replace(b"\xff", b"\xff\xff"), [1, 255, 256, 511, 513]) == ([("data", data)], False)
