"""pyserial's RFC 2217 client port (`rfc2217://host:port`, what ser2net and labgrid export), made to keep deadlines and
bounds.

pyserial 3.5's port renegotiates every line setting with the exporter whenever a timeout changes (at least 150 ms with
`ign_set_control`, and up to its network timeout once the exporter is gone), refuses write timeouts, answers a read
woken by the lost connection with zero bytes (which looks like a timeout), lets its reader thread die without a word
when the exporter goes away while it answers a negotiation, queues one entry per received byte without limit, buffers
an endless subnegotiation whole, accepts `?timeout=inf` (a negotiation that never ends), and reports an exporter that
hangs up mid-negotiation as one that does not support RFC 2217, after its whole network timeout. This subclass
negotiates only real line changes, bounds every write by its write timeout, keeps what arrives in a bounded inbox
(telnet_input.py) whose overrun the next read reports, refuses URL parameters out of range, and ends every negotiation
wait as soon as the connection does, saying so; a lost connection is an error on the read that sees it and every later one.
"""

from __future__ import annotations

import math
import socket
import struct
import threading
import time
import urllib.parse
from typing import Any, Callable

import serial
from serial import rfc2217
from serial.rfc2217 import BINARY, COM_PORT_OPTION, DO, DONT, ECHO, INACTIVE, REQUESTED, SGA, WILL, WONT, TelnetOption, TelnetSubnegotiation
from serial.serialutil import PortNotOpenError, SerialException, SerialTimeoutException, Timeout, to_bytes

from microtvm_project_api.server_sdk.transports.base import READ_CHUNK
from microtvm_project_api.server_sdk.transports.telnet_input import Inbox, InputOverrun, TelnetSplitter, TelnetViolation

MAX_INPUT_BYTES = 4 * READ_CHUNK
"""The most received bytes held unread: four of the largest reads SerialTransport makes, 10 s of a 4 Mbaud line. What
arrives beyond is dropped and the next read reports the overrun."""

MAX_SUBNEGOTIATION_BYTES = 1024
"""The longest telnet subnegotiation accepted; an RFC 2217 one is a few bytes (a signature, a line of text)."""

RECEIVE_BYTES = 64 * 1024
"""The most bytes taken from the socket at once."""

DEFAULT_NETWORK_TIMEOUT_SEC = 3.0
MAX_NETWORK_TIMEOUT_SEC = 60.0
"""The range of the URL's `timeout`: how long each negotiation step may wait for the exporter's answer."""

CONNECT_TIMEOUT_SEC = 5.0
READER_JOIN_SEC = 7.0
RECONNECT_PAUSE_SEC = 0.3
"""After closing an opened port, as pyserial's does: an exporter (ser2net) needs a moment before it accepts the next."""

IGNORED_CONTROL_PAUSE_SEC = 0.1
"""With `ign_set_control`, pyserial's pause after a control change instead of waiting for its acknowledgement."""

MIN_SOCKET_TIMEOUT_SEC = 0.001
"""A write with timeout 0 still gets a positive socket timeout: 0 would make the socket non-blocking for the
reader thread too, which takes the resulting BlockingIOError for a lost connection."""

HANG_UP_WAIT_SEC = 1.0
"""How long a failed open waits for the reader to take the rest of what an exporter that hung up sent."""

MAX_SAID_BYTES = 256
"""The most bytes of what the exporter said before refusing a connection that go into the error."""

MAX_URL_PARAMETERS = 16
FLAGS = ("ign_set_control", "poll_modem")
URL_FORM = "rfc2217://HOST:PORT[?PARAMETER[&PARAMETER...]]"
CONNECTION_LOST = "the exporter closed the connection"


class Rfc2217Port(rfc2217.Serial):  # type: ignore[misc]
    """An RFC 2217 port whose timeouts cost no network round trip, whose input is bounded, and whose reads, writes and
    negotiations end on a lost connection."""

    is_open: bool
    _socket: socket.socket | None
    _thread: threading.Thread | None
    _negotiated: tuple[Any, ...] | None = None
    _inbox: Inbox | None = None

    def open(self) -> None:
        """Connect and negotiate as pyserial's port does, each wait ending with the connection; a refusal carries what the
        exporter said (ser2net: "Port already in use")."""
        self.logger = None
        self._ignore_set_control_answer = False
        self._poll_modem_state = False
        self._network_timeout = DEFAULT_NETWORK_TIMEOUT_SEC
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        if self.is_open:
            raise SerialException("Port is already open.")
        address = self.from_url(self.portstr)
        try:
            self._socket = socket.create_connection(address, timeout=CONNECT_TIMEOUT_SEC)
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            self._socket = None
            raise SerialException(f"Could not open port {self.portstr}: {exc}") from None
        self._negotiated = None
        self._inbox = Inbox(MAX_INPUT_BYTES)
        self._write_lock = threading.Lock()
        mandatory = self._new_telnet_state()
        self.is_open = True
        self._thread = threading.Thread(target=self._telnet_read_loop, daemon=True,
                                        name=f"RFC 2217 reader for {self._port}")
        self._thread.start()
        try:
            for option in self._telnet_options:
                if option.state is REQUESTED:
                    self.telnet_send_option(option.send_yes, option.option)
            self._await("the telnet options BINARY and COM-PORT-OPTION", lambda: all(o.state is not REQUESTED for o in mandatory))
            if not mandatory[1].active:
                raise SerialException("the exporter refused RFC 2217 (it answered DONT COM-PORT-OPTION):"
                                      " is it a plain telnet or TCP port?")
            self._reconfigure_port()
            if not self._dsrdtr:
                self._update_dtr_state()
            if not self._rtscts:
                self._update_rts_state()
            self.reset_input_buffer()
            self.reset_output_buffer()
        except BaseException as exc:
            failure = self._open_failure(exc)
            self._close_now()
            if failure is None:
                raise
            raise failure from None

    def _open_failure(self, exc: BaseException) -> SerialException | None:
        """The error an open that failed with `exc` raises, with what the exporter said; None to raise `exc` itself."""
        if isinstance(exc, OSError) and not isinstance(exc, SerialException):
            # a send failed as the exporter hung up: let the reader take what it said before
            assert self._inbox is not None
            self._inbox.wait_for(lambda: False, HANG_UP_WAIT_SEC)
            exc = SerialException(f"{self._inbox.ended or CONNECTION_LOST} during the RFC 2217 negotiation ({exc})")
        if not isinstance(exc, (SerialException, ValueError)):
            return None
        said = self._exporter_said()
        return SerialException(f"{exc}; the exporter said {said!r}" if said else str(exc))

    def from_url(self, url: str) -> tuple[str, int]:
        """Host and port of `url`, its parameters applied; SerialException naming a parameter out of range and what it
        allows (pyserial takes `timeout=inf` for a negotiation that never ends, and says only `'bogus'` of `logging=bogus`).
        The caller names the URL."""
        parts = urllib.parse.urlsplit(url)
        try:
            port = parts.port
        except ValueError as exc:
            raise SerialException(f"not {URL_FORM}: {exc}") from None
        if parts.scheme != "rfc2217" or not parts.hostname or port is None:
            raise SerialException(f"not {URL_FORM}")
        try:
            parameters = urllib.parse.parse_qs(parts.query, keep_blank_values=True, max_num_fields=MAX_URL_PARAMETERS)
        except ValueError as exc:
            raise SerialException(f"more than {MAX_URL_PARAMETERS} parameters: {exc}") from None
        for name, values in parameters.items():
            problem = _parameter_problem(name, values)
            if problem:
                raise SerialException(problem)
        return super().from_url(url)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Hang up and join the reader thread; after a port that was opened, pause as pyserial's does before a reconnect."""
        opened = self._negotiated is not None
        self._close_now()
        if opened:
            time.sleep(RECONNECT_PAUSE_SEC)

    def _close_now(self) -> None:
        self.is_open = False
        self._negotiated = None
        connection, self._socket = self._socket, None
        if connection is not None:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()
        if self._thread is not None:
            self._thread.join(READER_JOIN_SEC)
            self._thread = None

    def _new_telnet_state(self) -> list[TelnetOption]:
        """pyserial's telnet and RFC 2217 option state for a new connection; the mandatory options (we-BINARY,
        we-RFC2217) returned."""
        mandatory = [
            TelnetOption(self, "we-BINARY", BINARY, WILL, WONT, DO, DONT, INACTIVE),
            TelnetOption(self, "we-RFC2217", COM_PORT_OPTION, WILL, WONT, DO, DONT, REQUESTED),
        ]
        self._telnet_options = [
            TelnetOption(self, "ECHO", ECHO, DO, DONT, WILL, WONT, REQUESTED),
            TelnetOption(self, "we-SGA", SGA, WILL, WONT, DO, DONT, REQUESTED),
            TelnetOption(self, "they-SGA", SGA, DO, DONT, WILL, WONT, REQUESTED),
            TelnetOption(self, "they-BINARY", BINARY, DO, DONT, WILL, WONT, INACTIVE),
            TelnetOption(self, "they-RFC2217", COM_PORT_OPTION, DO, DONT, WILL, WONT, REQUESTED),
            *mandatory,
        ]
        self._rfc2217_port_settings = {
            "baudrate": TelnetSubnegotiation(self, "baudrate", rfc2217.SET_BAUDRATE, rfc2217.SERVER_SET_BAUDRATE),
            "datasize": TelnetSubnegotiation(self, "datasize", rfc2217.SET_DATASIZE, rfc2217.SERVER_SET_DATASIZE),
            "parity": TelnetSubnegotiation(self, "parity", rfc2217.SET_PARITY, rfc2217.SERVER_SET_PARITY),
            "stopsize": TelnetSubnegotiation(self, "stopsize", rfc2217.SET_STOPSIZE, rfc2217.SERVER_SET_STOPSIZE),
        }
        self._rfc2217_options = {
            "purge": TelnetSubnegotiation(self, "purge", rfc2217.PURGE_DATA, rfc2217.SERVER_PURGE_DATA),
            "control": TelnetSubnegotiation(self, "control", rfc2217.SET_CONTROL, rfc2217.SERVER_SET_CONTROL),
            **self._rfc2217_port_settings,
        }
        self._linestate = 0
        self._modemstate = None
        self._modemstate_timeout = Timeout(-1)
        self._remote_suspend_flow = False
        return mandatory

    def _await(self, what: str, ready: Callable[[], bool]) -> None:
        """Wait up to the network timeout for the exporter's answer; SerialException saying whether it did not answer,
        refused, or hung up (at once, not after the timeout)."""
        assert self._inbox is not None
        try:
            answered = self._inbox.wait_for(ready, self._network_timeout)
        except ValueError as exc:  # pyserial's TelnetSubnegotiation: the exporter answered another value
            raise SerialException(f"the exporter refused {what}: {exc}") from None
        if answered:
            return
        if self._inbox.ended is not None:
            raise SerialException(f"{self._inbox.ended} during the RFC 2217 negotiation, before answering {what}")
        raise SerialException(f"the exporter did not answer {what} within {self._network_timeout:g} s"
                              " (the URL's timeout parameter)")

    def _reconfigure_port(self) -> None:
        """Negotiate the line settings when they changed; a timeout change stays local."""
        line = (self._baudrate, self._bytesize, self._parity, self._stopbits, self._xonxoff, self._rtscts)
        if line == self._negotiated:
            return
        if self._socket is None:
            raise SerialException("Can only operate on open ports")
        if not 0 < self._baudrate < 2 ** 32:
            raise ValueError(f"invalid baudrate: {self._baudrate!r}")
        if self._rtscts and self._xonxoff:
            raise ValueError("xonxoff and rtscts together are not supported")
        settings = self._rfc2217_port_settings
        settings["baudrate"].set(struct.pack("!I", self._baudrate))
        settings["datasize"].set(struct.pack("!B", self._bytesize))
        settings["parity"].set(struct.pack("!B", rfc2217.RFC2217_PARITY_MAP[self._parity]))
        settings["stopsize"].set(struct.pack("!B", rfc2217.RFC2217_STOPBIT_MAP[self._stopbits]))
        self._await("the line settings (baud rate, data bits, parity, stop bits)", lambda: all(o.active for o in settings.values()))
        self.rfc2217_set_control(rfc2217.SET_CONTROL_USE_HW_FLOW_CONTROL if self._rtscts
                                 else rfc2217.SET_CONTROL_USE_SW_FLOW_CONTROL if self._xonxoff
                                 else rfc2217.SET_CONTROL_USE_NO_FLOW_CONTROL)
        self._negotiated = line

    def rfc2217_set_control(self, value: bytes) -> None:
        """Send a control change and wait for its acknowledgement (not with `ign_set_control`: a pseudo-terminal's
        exporter cannot give one)."""
        item = self._rfc2217_options["control"]
        item.set(value)
        if self._ignore_set_control_answer:
            time.sleep(IGNORED_CONTROL_PAUSE_SEC)  # pyserial's pause in that mode: the exporter applies the change meanwhile
        else:
            self._await("a control change (SET-CONTROL)", lambda: item.active)

    def rfc2217_send_purge(self, value: bytes) -> None:
        """Ask the exporter to purge a buffer and wait for its acknowledgement."""
        item = self._rfc2217_options["purge"]
        item.set(value)
        self._await("a purge (PURGE-DATA)", lambda: item.active)

    @property
    def in_waiting(self) -> int:
        """The bytes received and not yet read."""
        if not self.is_open or self._inbox is None:
            raise PortNotOpenError()
        return len(self._inbox)

    def reset_input_buffer(self) -> None:
        """Purge the exporter's receive buffer, then drop what was received here."""
        if not self.is_open or self._inbox is None:
            raise PortNotOpenError()
        self.rfc2217_send_purge(rfc2217.PURGE_RECEIVE_BUFFER)
        self._inbox.clear()

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes within the timeout (what arrived once it expired); SerialException once the connection is
        lost (after what came before it was read) or when data was dropped since the last read (an overrun)."""
        if not self.is_open or self._inbox is None:
            raise PortNotOpenError()
        timeout = Timeout(self._timeout)
        data = bytearray()
        while len(data) < size:
            try:
                chunk = self._inbox.take(size - len(data), None if timeout.is_infinite else timeout.time_left())
            except InputOverrun:
                raise
            except SerialException:
                if data:
                    break  # what came before the end first; the next read reports the end
                raise
            if not chunk:
                break
            data += chunk
        return bytes(data)

    def write(self, data: Any) -> int:
        """Every byte, or SerialTimeoutException once the write timeout passed (some bytes may have gone)."""
        connection = self._socket
        if not self.is_open or connection is None:
            raise PortNotOpenError()
        escaped = to_bytes(data).replace(rfc2217.IAC, rfc2217.IAC_DOUBLED)
        limit = None if self._write_timeout is None else max(self._write_timeout, MIN_SOCKET_TIMEOUT_SEC)
        with self._write_lock:
            reader_timeout = connection.gettimeout()
            connection.settimeout(limit)
            try:
                connection.sendall(escaped)
            except TimeoutError:
                raise SerialTimeoutException(f"not every byte reached the exporter within {self._write_timeout} s") from None
            except OSError as exc:
                raise SerialException(f"{CONNECTION_LOST}: {exc}") from None
            finally:
                connection.settimeout(reader_timeout)
        return len(data)

    def _telnet_read_loop(self) -> None:
        """The reader thread: data into the inbox, commands to pyserial's handlers, until the port is closed or the
        connection ends; the inbox then keeps why."""
        connection = self._socket
        assert self._inbox is not None and connection is not None
        splitter = TelnetSplitter(self, MAX_SUBNEGOTIATION_BYTES)
        reason = CONNECTION_LOST
        try:
            while self.is_open:
                try:
                    received = connection.recv(RECEIVE_BYTES)
                except TimeoutError:
                    continue  # the socket's timeout, set for writes: keep waiting
                except OSError as exc:
                    reason = f"{CONNECTION_LOST}: {exc}"
                    break
                if not received:
                    break
                splitter.feed(received)
                self._inbox.changed()
        except TelnetViolation as exc:
            reason = str(exc)
            _hang_up(connection)
        except Exception as exc:  # noqa: BLE001 - pyserial's handlers on input it cannot take: said, never a silent death
            reason = f"the exporter sent what the RFC 2217 client cannot process ({exc!r})"
            _hang_up(connection)
        finally:
            self._inbox.end(reason if self.is_open else "the port was closed")

    def telnet_data(self, data: bytes) -> None:
        assert self._inbox is not None
        self._inbox.put(data)

    def telnet_command(self, command: bytes) -> None:
        self._telnet_process_command(command)

    def telnet_negotiation(self, command: bytes, option: bytes) -> None:
        self._telnet_negotiate_option(command, option)

    def telnet_subnegotiation(self, body: bytes) -> None:
        """pyserial's handling, except for an acknowledgement of a command never sent, which it cannot take: ignored."""
        asked = {item.ack_option: item.value for item in self._rfc2217_options.values()}
        if body[:1] == COM_PORT_OPTION and body[1:2] in asked and asked[body[1:2]] is None:
            return
        self._telnet_process_subnegotiation(body)

    def _internal_raw_write(self, data: bytes) -> None:
        """The parent's raw send. In the reader thread (answering a negotiation) a failure is left for its next receive to
        report: the parent's reader would die on it silently, losing the rest of what the exporter sent."""
        try:
            super()._internal_raw_write(data)
        except OSError:
            if threading.current_thread() is not self._thread:
                raise

    def _exporter_said(self) -> str:
        """The text the exporter sent before the connection failed, bounded."""
        said = self._inbox.peek(MAX_SAID_BYTES) if self._inbox is not None else b""
        return said.decode("ascii", "replace").strip()


def _hang_up(connection: socket.socket) -> None:
    """End the connection from the reader thread: the exporter sees it go, later writes fail."""
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _parameter_problem(name: str, values: list[str]) -> str | None:
    """What is wrong with one URL parameter, or None."""
    value = values[-1]
    if name not in ("logging", "timeout", *FLAGS):
        return f"unknown parameter {name[:40]!r}; rfc2217:// URLs take logging, {', '.join(FLAGS)} and timeout"
    if len(values) > 1:
        return f"parameter {name} is given {len(values)} times; give it once"
    if name == "logging":
        if value not in rfc2217.LOGGER_LEVELS:
            return f"parameter logging must be one of {', '.join(rfc2217.LOGGER_LEVELS)}; got {value[:40]!r}"
    elif name == "timeout":
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if not 0 < seconds <= MAX_NETWORK_TIMEOUT_SEC:  # NaN fails too
            return (f"parameter timeout (seconds each negotiation step waits for the exporter) must be a number in"
                    f" (0, {MAX_NETWORK_TIMEOUT_SEC:g}]; got {value[:40]!r}")
    elif value:
        return f"parameter {name} is a flag and takes no value; got {name}={value[:40]!r}"
    return None


def open_rfc2217(url: str, baudrate: int, **settings: Any) -> serial.SerialBase:
    """An Rfc2217Port for `url`, opened (as `serial.serial_for_url` would open pyserial's own)."""
    port = Rfc2217Port(None, baudrate=baudrate, **settings)
    port.port = url
    port.open()
    return port
