"""Transport: open/close semantics, closed-transport errors, deadline-true reads, and byte-exact echo of random payloads.

Checks that open the transport build and flash the device project first; the closed-transport
checks need only a server that supports the transport methods.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable

from microtvm_project_api.conformance import expect
from microtvm_project_api.conformance.check import CheckBlocked, CheckFailed, CheckSkipped, Need, Outcome, check, must
from microtvm_project_api.conformance.context import Context
from microtvm_project_api.conformance.session import Session
from microtvm_project_api.protocol.payload import PayloadDecodeError
from microtvm_project_api.protocol.registry import default_registry

READ = "methods/read_transport.json"
WRITE = "methods/write_transport.json"
CLOSE = "methods/close_transport.json"
IDLE_READ_SEC = 0.5
LATE_SLACK_SEC = 2.0
ECHO_SIZES = (1, 2, 3, 4, 5, 255, 4096, 65537, 1024 * 1024)
WRITE_CHUNK = 4096
MAX_READ = 65536
NEEDS = (Need.GENERATED, Need.TRANSPORT)


def _device(ctx: Context) -> tuple[Session, dict[str, Any]]:
    """The device project's shared server, built and flashed (the runner has checked that it supports the transport)."""
    info = ctx.device_info()
    ctx.prepare_device()
    return ctx.device_session(), info


def _unopened(ctx: Context) -> Session:
    """A fresh server of the device project that never opened its transport (nothing built or flashed for it)."""
    session = ctx.start(ctx.generated_project())
    ctx.query_info(session, strict=False)
    return session


def opened(ctx: Context) -> Session:
    """The device project's server with its transport open (the context closes it when the check ends, passed or not)."""
    session, info = _device(ctx)
    reply = session.call("open_transport", {"options": ctx.options_for("open_transport", info)})
    ctx.excuse_unflashed(reply, info)
    expect.result(reply, "open_transport")
    return session


def write(ctx: Context, session: Session, data: bytes, timeout_sec: float | None = 5.0) -> None:
    """write_transport `data` in the revision's encoding; CheckFailed unless it succeeds."""
    codec = default_registry().revision(ctx.revision).codec
    reply = session.call("write_transport", {"data": codec.encode(data), "timeout_sec": timeout_sec})
    expect.result(reply, f"write_transport of {len(data)} bytes with timeout_sec {timeout_sec}")


def read(ctx: Context, session: Session, n: int, timeout_sec: float) -> bytes | None:
    """Bytes read (checked: 1..n, strictly decoded), or None on IoTimeoutError."""
    reply = session.call("read_transport", {"n": n, "timeout_sec": timeout_sec})
    if reply.error is not None:
        if reply.error["code"] != expect.SERVER_ERROR or reply.error["message"] != "IoTimeoutError":
            raise reply.failed(f"expected data, or the error IoTimeoutError: read_transport on an open transport (n={n}, timeout_sec={timeout_sec})"
                               f" got the error {reply.error['code']} {reply.error['message']!r}")
        return None
    codec = default_registry().revision(ctx.revision).codec
    try:
        data = codec.decode(reply.result["data"])
    except PayloadDecodeError as exc:
        raise reply.failed(f"data is not {codec.name}: {exc}", f"revisions/v{ctx.revision}.json#/x-payload-encoding") from None
    if not 1 <= len(data) <= n:
        raise reply.failed(f"{len(data)} bytes for n={n}", f"MUST: at least 1 and at most n bytes, {READ}")
    return data


def drain(ctx: Context, session: Session) -> bytes:
    """Whatever the device has already sent (reads with timeout 0 until IoTimeoutError)."""
    out = bytearray()
    for _ in range(1000):
        data = read(ctx, session, MAX_READ, 0)
        if data is None:
            return bytes(out)
        out += data
    raise CheckFailed("the device keeps sending data: read_transport with timeout_sec 0 never timed out in 1000 calls")


@check("transport.open-timeouts", "open_transport returns the session timeouts; opening again replaces the open transport",
       must("open_transport returns {timeouts: {...}} with three non-negative numbers; opening an open transport closes the old one first",
            "methods/open_transport.json"), needs=NEEDS)
def open_timeouts(ctx: Context) -> None:
    session = opened(ctx)
    expect.result(session.call("open_transport", {"options": ctx.options_for("open_transport", ctx.device_info())}),
                  "open_transport on an open transport")


CLOSE_UNOPENED = "close_transport"
"""The case of transport.closed-before-open that closes a transport never opened."""


@check("transport.closed-before-open", "read and write before open_transport answer TransportClosedError; close is a no-op",
       must("read_transport and write_transport before open_transport answer TransportClosedError; close_transport on a "
            "transport never opened succeeds", READ), needs=NEEDS)
def closed_before_open(ctx: Context) -> None:
    session = _expect_closed(ctx, lambda: _unopened(ctx), "before open_transport")
    with ctx.case(CLOSE_UNOPENED):
        session = session if session.alive else _unopened(ctx)
        expect.result(session.call("close_transport", {}), "close_transport on a transport never opened is a no-op")


@check("transport.closed-after-close", "read and write after close_transport answer TransportClosedError",
       must("after close_transport, read_transport and write_transport answer TransportClosedError", CLOSE), needs=NEEDS)
def closed_after_close(ctx: Context) -> None:
    def closed() -> Session:
        session = opened(ctx)
        expect.result(session.call("close_transport", {}), "close_transport on an open transport")
        return session

    _expect_closed(ctx, closed, "after close_transport")


@check("transport.close-twice", "close_transport twice on a transport never opened: both succeed",
       must("closing a transport that is closed is a no-op and succeeds", CLOSE), needs=NEEDS)
def close_twice(ctx: Context) -> None:
    before = ctx.earlier.get("transport.closed-before-open")
    if before is not None and any(c.id == CLOSE_UNOPENED and c.outcome is Outcome.FAIL for c in before.cases):
        raise CheckBlocked("transport.closed-before-open", "close_transport on a transport never opened failed there: the same defect")
    session = _unopened(ctx)
    expect.result(session.call("close_transport", {}), "close_transport on a transport never opened is a no-op")
    expect.result(session.call("close_transport", {}), "close_transport on a closed transport is a no-op")


def _expect_closed(ctx: Context, closed: Callable[[], Session], when: str) -> Session:
    """Judge a read and a write on a closed transport, each a case of its own on a server `closed` makes ready (again, when the
    previous case stopped it); the last server."""
    codec = default_registry().revision(ctx.revision).codec
    session = closed()
    for method, params in (("read_transport", {"n": 1, "timeout_sec": 0}), ("write_transport", {"data": codec.encode(b"x"), "timeout_sec": 0})):
        with ctx.case(method):
            session = session if session.alive else closed()
            expect.named(session.call(method, params), ("TransportClosedError",), f"{method} {when}")
            expect.still_serving(session, f"{method} {when}")
    return session


@check("transport.read-timeout", "a read with nothing pending answers IoTimeoutError after about timeout_sec, never zero bytes",
       must("when no byte arrives before timeout_sec the error is IoTimeoutError; zero bytes is never a valid reply", READ), needs=NEEDS)
def read_timeout(ctx: Context) -> None:
    session = opened(ctx)
    pending = drain(ctx, session)
    if pending and ctx.settings.device != "echo":
        raise CheckSkipped(f"the device sent {len(pending)} bytes unprompted; an idle read cannot be timed")
    started = time.monotonic()
    data = read(ctx, session, 1, IDLE_READ_SEC)
    elapsed = time.monotonic() - started
    if data is not None:
        if ctx.settings.device == "echo":
            raise CheckFailed(f"read_transport returned {data!r} though the echo device was sent nothing")
        raise CheckSkipped("the device sent data unprompted; an idle read cannot be timed")
    if elapsed < IDLE_READ_SEC * 0.8:
        raise CheckFailed(f"read_transport(n=1, timeout_sec={IDLE_READ_SEC}) answered IoTimeoutError after {elapsed:.3f} s:"
                          f" before the deadline [{READ}]")
    if elapsed > IDLE_READ_SEC + LATE_SLACK_SEC:
        raise CheckFailed(f"read_transport(n=1, timeout_sec={IDLE_READ_SEC}) answered after {elapsed:.3f} s: long past the deadline [{READ}]")


@check("transport.write-timeout", "write_transport with a deadline returns null (or IoTimeoutError); empty data is a no-op",
       must("every byte is written before the reply, or IoTimeoutError when timeout_sec passes; empty data is a no-op", WRITE), needs=NEEDS)
def write_timeout(ctx: Context) -> None:
    codec = default_registry().revision(ctx.revision).codec
    session = opened(ctx)
    drain(ctx, session)
    expect.result(session.call("write_transport", {"data": codec.encode(b""), "timeout_sec": 1.0}), "empty data is a no-op")
    payload = bytes(range(16))
    reply = session.call("write_transport", {"data": codec.encode(payload), "timeout_sec": 2.0})
    if ctx.settings.device != "echo":
        if reply.error is not None:
            expect.named(reply, ("IoTimeoutError",), "a write either completes or times out")
        return
    expect.result(reply, "a 16-byte write to an echo device")
    _read_exactly(ctx, session, payload, random.Random(1))


@check("transport.echo-integrity", "random payloads from 1 byte to 1 MiB come back from an echo device intact, through many reads",
       must("read_transport returns the device's bytes, at least 1 and at most n per call, in the revision's encoding", READ),
       needs=(*NEEDS, Need.ECHO))
def echo_integrity(ctx: Context) -> None:
    rng = random.Random(0x5EED)
    session = opened(ctx)
    drain(ctx, session)
    for size in ECHO_SIZES:
        payload = rng.randbytes(size)
        for start in range(0, size, WRITE_CHUNK):
            chunk = payload[start:start + WRITE_CHUNK]
            write(ctx, session, chunk)
            _read_exactly(ctx, session, chunk, rng, f" (payload of {size} bytes, offset {start})")


@check("transport.read-at-most-n", "a read never returns more than n bytes",
       must("read_transport returns at least 1 and at most n bytes", READ), needs=(*NEEDS, Need.ECHO))
def read_at_most_n(ctx: Context) -> None:
    session = opened(ctx)
    drain(ctx, session)
    payload = b"0123456789"
    write(ctx, session, payload)
    got = bytearray()
    while len(got) < len(payload):
        data = read(ctx, session, 3, 2.0)
        if data is None:
            raise CheckFailed(f"the echo device returned {len(got)} of {len(payload)} bytes, then IoTimeoutError")
        got += data
    if bytes(got) != payload:
        raise CheckFailed(f"wrote {payload!r}, read back {bytes(got)!r}")


def _read_exactly(ctx: Context, session: Session, expected: bytes, rng: random.Random, where: str = "") -> None:
    got = bytearray()
    while len(got) < len(expected):
        data = read(ctx, session, rng.randint(1, MAX_READ), 5.0)
        if data is None:
            raise CheckFailed(f"the echo device returned {len(got)} of {len(expected)} bytes, then IoTimeoutError{where}")
        got += data
        if not expected.startswith(got):
            at = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b) if len(got) <= len(expected) else len(expected)
            raise CheckFailed(f"echoed bytes differ from the bytes written at byte {at}{where}")
