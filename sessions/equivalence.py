"""When a replayed reply is the recorded one: the equivalence rules of `microtvm-project replay`.

Ignored, because they differ between any two runs of the same server:
- tracebacks: `traceback` in an error's `data`;
- paths: every absolute file system path in a string (the replay's project directory, archive and CRT are its
  own; a path is told from a JSON pointer such as `/options/board` by its first segment: /tmp, /home, /var, ...),
  and temporary names (`tmp...`);
- timing: the entries' time offsets (never compared).

Exact, because a client acts on them: everything else. That is the envelope (id, result or error), error codes
and messages once paths are set aside, the result's shape and values: option metadata, protocol_version,
platform_name, timeouts, and payload bytes (read_transport's data, compared decoded, or against the recorded
length and sha256 when the recording kept only those). A JSON integer and float of the same value are equal;
true and 1 are not. A reply line that is not JSON is equivalent to another that is not JSON, whatever the text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microtvm_project_api.generated.methods import METHODS
from microtvm_project_api.protocol.transcript import Digest, recorded_payload

PATH = re.compile(r"(?<![\w.~-])/([^\s\"'`,;:()\[\]{}<>/]+)[^\s\"'`,;:()\[\]{}<>]*")
ROOTS = {"tmp", "var", "home", "Users", "private", "opt", "usr", "root", "mnt", "srv", "work", "Volumes", "nix", "media", "run",
         *(Path(p).parts[1] for p in (tempfile.gettempdir(), os.path.expanduser("~"), os.getcwd()) if len(Path(p).parts) > 1)}
"""First segments that make an absolute path a file system path: a JSON pointer in a message (`/options/board`) is not."""
TEMPORARY_NAME = re.compile(r"\btmp[\w-]{4,}")
IGNORED_DATA = ("traceback",)


@dataclass(frozen=True)
class Difference:
    """Where two replies differ (a JSON pointer into the reply; "" for the whole) and how."""

    pointer: str
    why: str


def compare_replies(recorded: bytes, replayed: bytes, method: str | None, revision: int | None,
                    digests: tuple[Digest, ...] = ()) -> Difference | None:
    """The first difference between a recorded and a replayed reply line under the rules above; None when equivalent."""
    old, new = _parsed(recorded), _parsed(replayed)
    if old is _NOT_JSON or new is _NOT_JSON:
        if (old is _NOT_JSON) != (new is _NOT_JSON):
            return Difference("", "the recorded reply is not JSON" if old is _NOT_JSON else "the replayed reply is not JSON")
        return None
    if _outcome(old).split(" ")[0] != _outcome(new).split(" ")[0]:  # a result where an error was recorded, or the reverse
        return Difference("", f"{_outcome(new)}, recorded {_outcome(old)}")
    member = next(iter(METHODS[method].payload_result), None) if method in METHODS else None
    if member is not None:  # read_transport's bytes, by the method table
        difference = _compare_payload(old, new, member, revision, digests)
        if difference is not None:
            return difference
    return _compare(normalised(old), normalised(new), "")


def _outcome(reply: Any) -> str:
    """What a reply says happened: a result, or an error by code and message."""
    if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
        error = reply["error"]
        return f"error {error.get('code')} {_show(_normalise(error.get('message')))}"
    return "a result" if isinstance(reply, dict) and "result" in reply else "neither result nor error"


def normalised(reply: Any) -> Any:
    """The reply with what the rules ignore set aside: tracebacks dropped, paths and temporary names replaced."""
    reply = _strip_tracebacks(reply)
    return _normalise(reply)


def _strip_tracebacks(reply: Any) -> Any:
    if isinstance(reply, dict) and isinstance(reply.get("error"), dict) and isinstance(reply["error"].get("data"), dict):
        data = {k: v for k, v in reply["error"]["data"].items() if k not in IGNORED_DATA}
        return {**reply, "error": {**reply["error"], "data": data}}
    return reply


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return TEMPORARY_NAME.sub("<tmp>", PATH.sub(_path_placeholder, value))
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def _path_placeholder(match: re.Match[str]) -> str:
    return "<path>" if match.group(1) in ROOTS else match.group()


def _compare_payload(old: Any, new: Any, member: str, revision: int | None, digests: tuple[Digest, ...]) -> Difference | None:
    """A payload result's bytes, decoded in the session's revision; the payload members are then set aside."""
    old_data, new_data = _data(old, member), _data(new, member)
    if new_data is None:
        return None  # not a result with data: the general comparison says how the replies differ
    where = f"/result/{member}"
    replayed = recorded_payload(new_data, revision)
    digest = next((d for d in digests if d.pointer == where), None)
    if digest is not None:
        if replayed is None or (len(replayed), hashlib.sha256(replayed).hexdigest()) != (digest.length, digest.sha256):
            return Difference(where, f"{_describe(replayed)}, recorded {digest.length} bytes with sha256 {digest.sha256[:12]}...")
    elif old_data is not None:
        recorded = recorded_payload(old_data, revision)
        if recorded != replayed:
            return Difference(where, f"{_describe(replayed)}, recorded {_describe(recorded)}")
    old["result"][member] = new["result"][member] = "<payload>"
    return None


def _data(reply: Any, member: str) -> str | None:
    result = reply.get("result") if isinstance(reply, dict) else None
    data = result.get(member) if isinstance(result, dict) else None
    return data if isinstance(data, str) else None


def _describe(data: bytes | None) -> str:
    if data is None:
        return "a payload that does not decode"
    shown = data[:16].hex(" ")
    return f"{len(data)} bytes ({shown}{' ...' if len(data) > 16 else ''})"


def _compare(old: Any, new: Any, pointer: str) -> Difference | None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{pointer}/{key}"
            if key not in new:
                return Difference(where, "recorded, missing from the replayed reply")
            if key not in old:
                return Difference(where, "in the replayed reply, not recorded")
            difference = _compare(old[key], new[key], where)
            if difference is not None:
                return difference
        return None
    if isinstance(old, list) and isinstance(new, list):
        for index, (a, b) in enumerate(zip(old, new)):
            difference = _compare(a, b, f"{pointer}/{index}")
            if difference is not None:
                return difference
        if len(old) != len(new):
            return Difference(pointer, f"{len(new)} items, recorded {len(old)}")
        return None
    if _kind(old) != _kind(new) or old != new:
        return Difference(pointer, f"{_show(new)}, recorded {_show(old)}")
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


class _NotJson:
    pass


_NOT_JSON = _NotJson()


def _parsed(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return _NOT_JSON
