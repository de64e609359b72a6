"""The floors every implementation stands on: a bare line ping-pong between two Python processes, raw pipe
bandwidth, and the payload codecs (base64, base85) encoding and decoding in one process."""

from __future__ import annotations

import base64
import os
import sys
import time
from pathlib import Path

from bench.measure import seconds_per_op
from bench.pipes import PipeChild

CHILD = str(Path(__file__).with_name("floor_child.py"))
PING_LINE = b'{"jsonrpc":"2.0","method":"server_info_query","params":{"tvm_version":"0.18.0"},"id":1}\n'
CODECS = {"base64": (base64.b64encode, base64.b64decode), "base85": (base64.b85encode, base64.b85decode)}


def echo_child() -> PipeChild:
    """A bare Python process that echoes lines over two pipes."""
    return PipeChild(lambda r, w: [sys.executable, CHILD, "echo", str(r), str(w)])


def launch_seconds() -> float:
    """Seconds from starting a bare Python echo process to its first echoed line (interpreter start-up)."""
    start = time.perf_counter()
    with echo_child() as child:
        child.send(PING_LINE)
        child.read_line()
        return time.perf_counter() - start


def ping_pong_seconds(child: PipeChild, min_seconds: float) -> float:
    """Mean seconds of one line there and back."""

    def round_trip() -> None:
        child.send(PING_LINE)
        child.read_line()

    return seconds_per_op(round_trip, min_seconds)


def stream_child() -> PipeChild:
    """A bare Python process that writes bytes into a pipe on request."""
    return PipeChild(lambda r, w: [sys.executable, CHILD, "stream", str(r), str(w)])


def pipe_bytes_per_second(child: PipeChild, total: int = 128 << 20, chunk: int = 1 << 20) -> float:
    """Bytes per second from one process to another through a pipe, `chunk` bytes per write."""
    buffer = bytearray(chunk)
    start = time.perf_counter()
    child.send(f"{total} {chunk}\n".encode())
    child.read_into(buffer, total)
    return total / (time.perf_counter() - start)


def codec_bytes_per_second(codec: str, chunk: int, min_seconds: float) -> float:
    """Bytes per second of encoding then decoding `chunk` random bytes with `codec`, in one process."""
    encode, decode = CODECS[codec]
    data = os.urandom(chunk)
    return chunk / seconds_per_op(lambda: decode(encode(data)), min_seconds)
