"""Recording of a typed client's session as a transcript (schema/transcript.json, protocol/transcript.py), for bug
reports, for `spec check-transcript` and for `microtvm-project replay`."""

from __future__ import annotations

import os
import time
from typing import IO, Any

from microtvm_project_api.protocol.transcript import (
    Header,
    RevisionFollower,
    entry_bytes,
    header_entry,
    message_entry,
    now_rfc3339,
    package_version,
    without_newline,
)

CLIENT_NAME = "microtvm-project-api typed client"


class Transcript:
    """Writes one launch's session to a file (opened here from a path, or given open in binary or text mode):
    the header first, then each request and reply line as it went."""

    LAUNCH = "1"

    def __init__(self, target: str | os.PathLike[str] | IO[str] | IO[bytes], project_dir: str | os.PathLike[str] | None = None) -> None:
        if isinstance(target, (str, os.PathLike)):
            self._file: IO[Any] = open(target, "wb")
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self._binary = "b" in getattr(self._file, "mode", "b")
        self._started = time.time()
        self._revision = RevisionFollower()
        directory = None if project_dir is None else os.path.abspath(project_dir)
        self._write(header_entry(Header(now_rfc3339(self._started), directory, None, CLIENT_NAME, package_version(),
                                        CLIENT_NAME, package_version())))
        self._write({"kind": "launch", "launch": self.LAUNCH, "time": 0.0, "project_dir": directory or ""})

    def request_line(self, line: bytes | bytearray) -> None:
        """Record a request line as sent (its newline optional)."""
        line = without_newline(line)
        self._revision.request(line)
        self._write(message_entry(self.LAUNCH, "request", self._offset(), self._revision.revision, line))

    def reply_line(self, line: bytes | bytearray) -> None:
        """Record a reply line as received, JSON or not (its newline optional)."""
        line = without_newline(line)
        self._write(message_entry(self.LAUNCH, "reply", self._offset(), self._revision.revision, line))
        self._revision.reply(line)

    def close(self) -> None:
        """Close the file if this transcript opened it."""
        if self._owned and not self._file.closed:
            self._file.close()

    def _offset(self) -> float:
        return max(0.0, time.time() - self._started)

    def _write(self, entry: dict[str, Any]) -> None:
        data = entry_bytes(entry)
        self._file.write(data if self._binary else data.decode("ascii"))
        self._file.flush()

    def __enter__(self) -> "Transcript":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
