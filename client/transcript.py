"""Recording of a session as JSON Lines, for bug reports and for checking a session against the spec later.

One object per line (non-ASCII characters as JSON escapes, so any JSON the wire carries can be written), flushed per line:
`{"time": <unix seconds>, "direction": "request" | "reply", "message": <the JSON as sent or received>}`;
a reply line that is not JSON is kept as `{"time": ..., "direction": "reply", "raw": <text>}`.
"""

from __future__ import annotations

import json
import os
import time
from typing import IO, Any


class Transcript:
    """Writes request and reply records to a text file (opened here from a path, or given open)."""

    def __init__(self, target: str | os.PathLike[str] | IO[str]) -> None:
        if isinstance(target, (str, os.PathLike)):
            self._file: IO[str] = open(target, "w", encoding="utf-8")
            self._owned = True
        else:
            self._file = target
            self._owned = False

    def request(self, message: dict[str, Any]) -> None:
        """Record a request object as sent."""
        self._write({"time": time.time(), "direction": "request", "message": message})

    def reply(self, message: Any) -> None:
        """Record a reply as received (any JSON value)."""
        self._write({"time": time.time(), "direction": "reply", "message": message})

    def raw_reply(self, line: bytes) -> None:
        """Record a reply line that is not JSON, as text."""
        self._write({"time": time.time(), "direction": "reply", "raw": line.decode("utf-8", "replace")})

    def close(self) -> None:
        """Close the file if this transcript opened it."""
        if self._owned and not self._file.closed:
            self._file.close()

    def _write(self, record: dict[str, Any]) -> None:
        # ASCII escapes: a string the wire may carry (a lone surrogate such as \\ud800) has no UTF-8 encoding
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def __enter__(self) -> "Transcript":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
