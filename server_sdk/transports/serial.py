"""A transport over a serial port through pyserial: any pyserial URL (a device path, loop://, socket://,
rfc2217:// from a board farm's exporter).

The deadline maps onto pyserial's own timeouts: read waits up to `timeout_sec` for the first byte
(pyserial `timeout`), then takes what else is already buffered, up to n; write uses
`write_timeout` and treats a short write as a timeout. A pyserial timeout is IoTimeoutError; any
other pyserial or OS error (a pty whose far end closed, a socket disconnected, a cable pulled, an
exporter gone) is TransportClosedError. rfc2217:// URLs get the port of `rfc2217.py`, which keeps
those deadlines where pyserial's own does not, holds at most `rfc2217.MAX_INPUT_BYTES` unread (the read
after an overrun is TransportClosedError naming it) and refuses URL parameters out of range.
"""

from __future__ import annotations

from typing import Any

import serial

from microtvm_project_api.protocol.errors import IoTimeoutError, TransportClosedError
from microtvm_project_api.server_sdk.transports.base import READ_CHUNK, Transport, not_open, waitable

_UNSET = object()
RFC2217_SCHEME = "rfc2217://"


class SerialTransport(Transport):
    """One pyserial port opened with `serial_for_url(url, baudrate, **settings)`."""

    def __init__(self, url: str, baudrate: int = 115200, **settings: Any) -> None:
        self.url = url
        self.baudrate = baudrate
        self.settings = settings
        self.port: serial.SerialBase | None = None
        self._read_timeout: Any = _UNSET
        self._write_timeout: Any = _UNSET

    def open(self) -> None:
        self.close()
        try:
            if self.url.lower().startswith(RFC2217_SCHEME):
                from microtvm_project_api.server_sdk.transports.rfc2217 import open_rfc2217  # imports sockets and threads

                self.port = open_rfc2217(self.url, self.baudrate, **self.settings)
            else:
                self.port = serial.serial_for_url(self.url, baudrate=self.baudrate, **self.settings)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportClosedError(f"cannot open {self.url}: {exc}") from None
        self._read_timeout = self._write_timeout = _UNSET

    def close(self) -> None:
        if self.port is None:
            return
        port, self.port = self.port, None
        try:
            port.close()
        except (serial.SerialException, OSError):
            pass

    def read(self, n: int, timeout_sec: float | None) -> bytes:
        port = self._port()
        timeout_sec = waitable(timeout_sec)
        try:
            if self._read_timeout != timeout_sec:
                port.timeout = self._read_timeout = timeout_sec
            first: bytes = port.read(1)
            if not first:
                raise IoTimeoutError(f"no byte arrived within {timeout_sec} s")
            waiting = min(n - 1, port.in_waiting, READ_CHUNK)
            return first + port.read(waiting) if waiting else first
        except serial.SerialTimeoutException as exc:
            raise IoTimeoutError(str(exc)) from None
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportClosedError(f"{self.url}: {exc}") from None

    def write(self, data: bytes, timeout_sec: float | None) -> None:
        port = self._port()
        timeout_sec = waitable(timeout_sec)
        try:
            if self._write_timeout != timeout_sec:
                port.write_timeout = self._write_timeout = timeout_sec
            written = port.write(data)
        except serial.SerialTimeoutException:
            raise IoTimeoutError(f"not every byte of {len(data)} was written within {timeout_sec} s") from None
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportClosedError(f"{self.url}: {exc}") from None
        if written is not None and written < len(data):
            raise IoTimeoutError(f"{written} of {len(data)} bytes written within {timeout_sec} s")

    def _port(self) -> serial.SerialBase:
        if self.port is None:
            raise not_open()
        return self.port
