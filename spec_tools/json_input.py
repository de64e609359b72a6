"""Reading a JSON file the spec tools are given (a schema file, an ignore file): bounded, and every failure one line.

The file is untrusted input: it may be a FIFO or a device (opened without blocking, refused unless a regular
file), huge (read up to a bound), not UTF-8, not JSON, nested deeper than the parser recurses, or hold an integer
longer than Python converts. Each ends in JsonInputError naming the file, never in a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any


class JsonInputError(ValueError):
    """A file that cannot be read as JSON; the message names the file (and line and column for a syntax error)."""


def read_json(path: Path, max_bytes: int) -> Any:
    """The JSON value in the regular file at `path`, at most `max_bytes` long."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise JsonInputError(f"{path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise JsonInputError(f"{path}: not a regular file")
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise JsonInputError(f"{path}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise JsonInputError(f"{path}: larger than {max_bytes} bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise JsonInputError(f"{path}: nested too deeply to read") from None
    except ValueError as exc:  # an integer longer than sys.get_int_max_str_digits()
        raise JsonInputError(f"{path}: not JSON this tool reads: {exc}") from None
