"""The recording relay: started by a recording launch script in place of the server, it starts the real server (or
the platform's own launch script) on pipes of its own and copies every byte both ways as it arrives, writing each
whole line to the transcript after it has been passed on, so the session never waits for the recording.

    python -m microtvm_project_api.sessions.relay --output FILE [--max-bytes N] [--payload-digest]
        [--inner SCRIPT | --python PATH] --started EPOCH -- SERVER_PY --read-fd R --write-fd W [--debug]

The server runs in the relay's working directory and process group with its stdout and stderr, so the client's
process-group stop reaches it. The relay exits with the server's status once both directions have ended. Several
relays may append to one transcript (a template's server and a generated project's): each entry is written whole
under an exclusive lock. Standard library and protocol/ only: it starts on every launch.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from typing import Any, Sequence

from microtvm_project_api.generated.methods import METHODS
from microtvm_project_api.protocol.transcript import (
    Digest,
    RevisionFollower,
    entry_bytes,
    id_key,
    json_or_none,
    message_bytes,
    message_entry,
    recorded_payload,
)
from microtvm_project_api.protocol.wire import write_parts

CHUNK = 64 * 1024
DIGEST_MIN_BYTES = 512
"""With --payload-digest, a request or reply line at least this long that carries a payload keeps only its digest."""
UNLOCKED_BYTES = 64 * 1024
"""An entry up to this long is written without the lock: one append write() of it is never split in practice; a longer
one could be written in parts, which another relay's entry must not come between."""
LIMIT_LINE_BYTES = 512
"""Room kept for the limit entry: the file ends with it, padded to exactly --max-bytes."""
PAYLOADS = {**{name: ("params", next(iter(e.payload_params))) for name, e in METHODS.items() if e.payload_params},
            **{name: ("result", next(iter(e.payload_result))) for name, e in METHODS.items() if e.payload_result}}
"""Each method carrying a payload, with the member holding it (params or result) and its name: from the method table."""


class TranscriptFile:
    """Appends entries to a transcript shared with other relays, within its size limit."""

    def __init__(self, path: str, max_bytes: int | None, started: float) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.max_bytes = max_bytes
        self.started = started
        self.stopped = False

    def offset(self) -> float:
        """Seconds since the header's recorded_at."""
        return max(0.0, time.time() - self.started)

    def write(self, entry: dict[str, Any] | bytes) -> None:
        """Write one entry (or its line) whole, with one write() in append mode, which other relays' writes never split;
        with a size limit, under a lock, or, when it would not leave room for the limit entry, end the file with that."""
        if self.stopped:
            return
        data = entry if isinstance(entry, bytes) else entry_bytes(entry)
        if self.max_bytes is None and len(data) <= UNLOCKED_BYTES:
            write_parts(self.fd, (data,))
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(self.fd).st_size
            if self.max_bytes is None or size + len(data) + LIMIT_LINE_BYTES <= self.max_bytes:
                write_parts(self.fd, (data,))
                return
            self.stopped = True
            if size + LIMIT_LINE_BYTES <= self.max_bytes:  # no other relay has ended the file yet
                write_parts(self.fd, (self._limit_entry(self.max_bytes - size),))
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        print(f"microtvm-project record: the transcript reached its limit of {self.max_bytes} bytes (--max-bytes); "
              "this session goes on unrecorded", file=sys.stderr, flush=True)

    def _limit_entry(self, room: int) -> bytes:
        message = (f"recording stopped: the next entry would pass the limit of {self.max_bytes} bytes (--max-bytes); "
                   "the sessions went on unrecorded")
        line = entry_bytes({"kind": "limit", "time": round(self.offset(), 6), "max_bytes": self.max_bytes, "message": message})
        return line[:-1] + b" " * (room - len(line)) + b"\n"  # JSON allows trailing spaces: the file ends at max_bytes


class Direction:
    """One direction of the relay: bytes in, passed on at once, whole lines handed to the recorder."""

    def __init__(self, name: str, source: int, target: int) -> None:
        self.name = name
        self.source = source
        self.target = target
        self.pending = bytearray()
        self.open = True
        self.target_open = True


class Recorder:
    """Turns whole lines into message entries: the revision agreed on this launch, payloads digested if asked."""

    def __init__(self, transcript: TranscriptFile, launch: str, payload_digest: bool) -> None:
        self.transcript = transcript
        self.launch = launch
        self.payload_digest = payload_digest
        self.revision = RevisionFollower()
        self.methods: dict[Any, str] = {}

    def line(self, direction: str, line: bytes, partial: bool = False) -> None:
        """Record one whole line (without its newline) that went in `direction`."""
        if self.transcript.stopped:
            return
        digests: tuple[Digest, ...] = ()
        if self.payload_digest and len(line) >= DIGEST_MIN_BYTES:
            line, digests = self._digested(direction, line)
        elif self.payload_digest and direction == "request":
            self._note_method(line)
        offset, revision = self.transcript.offset(), self.revision.revision
        entry = message_entry(self.launch, direction, offset, revision, line, partial, digests) if partial or digests \
            else message_bytes(self.launch, direction, offset, revision, line)
        (self.revision.request if direction == "request" else self.revision.reply)(line)
        self.transcript.write(entry)

    def _note_method(self, line: bytes) -> None:
        message = json_or_none(line)
        if isinstance(message, dict) and message.get("method") in PAYLOADS:
            self.methods[id_key(message.get("id"))] = message["method"]

    def _digested(self, direction: str, line: bytes) -> tuple[bytes, tuple[Digest, ...]]:
        """The line with its payload string emptied and the payload's digest; the line as it is when it has none."""
        message = json_or_none(line)
        if not isinstance(message, dict):
            return line, ()
        if direction == "request":
            method = message.get("method")
            if method in PAYLOADS:
                self.methods[id_key(message.get("id"))] = method
        else:
            method = self.methods.pop(id_key(message.get("id")), None)
        member, name = PAYLOADS.get(method, (None, None)) if isinstance(method, str) else (None, None)
        if member != ("params" if direction == "request" else "result"):
            return line, ()
        holder = message.get(member)
        payload = recorded_payload(holder.get(name), self.revision.revision) if isinstance(holder, dict) else None
        if payload is None or not isinstance(holder, dict):
            return line, ()
        holder[name] = ""
        digest = Digest(f"/{member}/{name}", len(payload), hashlib.sha256(payload).hexdigest())
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"), (digest,)


def relay(directions: list[Direction], recorder: Recorder) -> None:
    """Copy both directions until the replies end (the server closed its reply pipe, as it does when it exits): the
    server's request pipe is then closed too, so the relay, like a server, is done when its server is."""
    poller = select.poll()
    by_fd = {d.source: d for d in directions}
    for each in directions:
        poller.register(each.source, select.POLLIN)
    while by_fd:
        for fd, _ in poller.poll():
            direction = by_fd.get(fd)
            if direction is None:
                continue
            chunk = os.read(fd, CHUNK)
            if not chunk:
                _finish(direction, recorder)
                poller.unregister(fd)
                del by_fd[fd]
                if direction.name == "reply":
                    for rest in by_fd.values():
                        _finish(rest, recorder)
                    return
                continue
            if direction.target_open:
                try:
                    write_parts(direction.target, (chunk,))
                except OSError:  # the reader went away (the server exited): the rest is only recorded
                    direction.target_open = False
                    os.close(direction.target)
            _record_lines(direction, chunk, recorder)


def _record_lines(direction: Direction, chunk: bytes, recorder: Recorder) -> None:
    start = 0
    if direction.pending:
        newline = chunk.find(b"\n")
        if newline < 0:
            direction.pending += chunk
            return
        direction.pending += chunk[:newline]
        recorder.line(direction.name, bytes(direction.pending))
        direction.pending.clear()
        start = newline + 1
    while True:
        newline = chunk.find(b"\n", start)
        if newline < 0:
            direction.pending += chunk[start:]
            return
        recorder.line(direction.name, chunk[start:newline])
        start = newline + 1


def _finish(direction: Direction, recorder: Recorder) -> None:
    """End of one direction: its partial last line recorded, its target closed so the other side sees the end."""
    if direction.pending:
        recorder.line(direction.name, bytes(direction.pending), partial=True)
        direction.pending.clear()
    if direction.target_open:
        direction.target_open = False
        os.close(direction.target)
    os.close(direction.source)


def inner_command(args: argparse.Namespace, server_args: list[str], read_fd: int, write_fd: int) -> list[str]:
    """The real server's command: the platform's launch script or the interpreter, with the relay's own fds."""
    rewritten = list(server_args)
    for flag, fd in (("--read-fd", read_fd), ("--write-fd", write_fd)):
        rewritten[rewritten.index(flag) + 1] = str(fd)
    return [local_inner(args.inner), *rewritten] if args.inner else [args.python, *rewritten]


def local_inner(inner: str) -> str:
    """The platform's launch script in the working directory: in a project generated while recording, a copy of the
    template's (as the SDK would have copied it), so a script that finds its files from its own path still does."""
    here = os.path.join(os.getcwd(), os.path.basename(inner))
    if os.path.dirname(inner) != os.getcwd() and not os.path.exists(here) and os.path.isfile(inner):
        shutil.copy2(inner, here)
    return here if os.path.exists(here) else inner


def client_fds(server_args: list[str]) -> tuple[int, int]:
    """The --read-fd and --write-fd the client gave."""
    try:
        return int(server_args[server_args.index("--read-fd") + 1]), int(server_args[server_args.index("--write-fd") + 1])
    except (ValueError, IndexError) as exc:
        raise SystemExit(f"microtvm-project record relay: expected SERVER_PY --read-fd R --write-fd W, got {server_args}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Start the real server behind the relay, copy and record until both directions end; the server's exit status."""
    parser = argparse.ArgumentParser(prog="microtvm-project record relay")
    parser.add_argument("--output", required=True)
    parser.add_argument("--max-bytes", type=int)
    parser.add_argument("--payload-digest", action="store_true")
    parser.add_argument("--inner", help="the platform's own launch script, kept aside")
    parser.add_argument("--python", default=sys.executable, help="the interpreter of a server without launch script")
    parser.add_argument("--started", type=float, required=True, help="the header's recorded_at, seconds since the epoch")
    parser.add_argument("server_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    server_args = args.server_args[1:] if args.server_args[:1] == ["--"] else args.server_args
    client_read, client_write = client_fds(server_args)
    signal.signal(signal.SIGINT, lambda *_: None)  # Ctrl-C is the server's to act on; the relay copies until the ends
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    transcript = TranscriptFile(args.output, args.max_bytes, args.started)
    launch = os.urandom(6).hex()
    try:
        server = subprocess.Popen(inner_command(args, server_args, request_read, reply_write), pass_fds=(request_read, reply_write))
    except OSError as exc:
        print(f"microtvm-project record relay: cannot start the server: {exc}", file=sys.stderr)
        return 127
    finally:
        os.close(request_read)
        os.close(reply_write)
    transcript.write({"kind": "launch", "launch": launch, "time": round(transcript.offset(), 6), "project_dir": os.getcwd()})
    recorder = Recorder(transcript, launch, args.payload_digest)
    relay([Direction("request", client_read, request_write), Direction("reply", reply_read, client_write)], recorder)
    status = server.wait()
    transcript.write({"kind": "exit", "launch": launch, "time": round(transcript.offset(), 6), "status": status})
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
