"""The serial frames of the host platform's `model` firmware app: one input frame in, one output frame out.

input frame 'M' 'I' + 16 int8, output frame 'M' 'O' + 4 int8, error frame 'M' 'E' + the entry
point's return code (see examples/host/firmware/model.c, which defines them).
"""

from __future__ import annotations

import time
from typing import Protocol

from microtvm_project_api.sample_model.reference import INPUT_SIZE, OUTPUT_SIZE

INPUT_HEADER = b"MI"
OUTPUT_HEADER = b"MO"
ERROR_HEADER = b"ME"
OUTPUT_FRAME_SIZE = len(OUTPUT_HEADER) + OUTPUT_SIZE


class FrameTransport(Protocol):
    """What infer needs: the Project API's transport calls (ProjectApiClient has them)."""

    def read_transport(self, n: int, timeout_sec: float | None) -> bytes: ...

    def write_transport(self, data: bytes, timeout_sec: float | None) -> None: ...


class FrameError(ValueError):
    """The firmware answered with an error frame or bytes that are not a frame."""


def input_frame(input_tensor: bytes) -> bytes:
    """The frame carrying one input tensor (16 int8 as bytes)."""
    if len(input_tensor) != INPUT_SIZE:
        raise ValueError(f"the input tensor has {INPUT_SIZE} int8 elements, got {len(input_tensor)} bytes")
    return INPUT_HEADER + input_tensor


def parse_output_frame(frame: bytes) -> bytes:
    """The output tensor (4 int8 as bytes) of a reply frame; FrameError for an error frame or garbage."""
    if frame[:2] == ERROR_HEADER and len(frame) >= 3:
        raise FrameError(f"the firmware's model returned error code {int.from_bytes(frame[2:3], 'little', signed=True)}")
    if len(frame) != OUTPUT_FRAME_SIZE or frame[:2] != OUTPUT_HEADER:
        raise FrameError(f"expected an output frame ({OUTPUT_HEADER!r} + {OUTPUT_SIZE} bytes), got {frame!r}")
    return frame[2:]


def infer(transport: FrameTransport, input_tensor: bytes, timeout_sec: float = 10.0) -> bytes:
    """Send one input frame, read the reply frame within `timeout_sec`, and return the output tensor."""
    deadline = time.monotonic() + timeout_sec
    transport.write_transport(input_frame(input_tensor), timeout_sec)
    reply = _read_exactly(transport, len(ERROR_HEADER) + 1, deadline)  # an error frame is this long
    if reply[:2] != ERROR_HEADER:
        reply += _read_exactly(transport, OUTPUT_FRAME_SIZE - len(reply), deadline)
    return parse_output_frame(reply)


def _read_exactly(transport: FrameTransport, n: int, deadline: float) -> bytes:
    data = b""
    while len(data) < n:
        data += transport.read_transport(n - len(data), max(0.0, deadline - time.monotonic()))
    return data
