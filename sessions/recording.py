"""Recording on and off in a platform directory: `microtvm-project record DIR` and `record --off DIR`.

On: the directory's launch script (if any) is renamed `.microtvm-record-launch.sh` in the same directory (a script
that finds its files from its own path still does), a digest of the whole tree goes into `.microtvm-record/`, and a
recording launch script takes the original's place; it runs the relay (sessions/relay.py) in front of the real server.
Any client that follows the launch convention is then recorded, unchanged. Projects the platform generates while
recording is on get a copy of that script (the SDK copies the launch script), so their sessions are recorded too.

Off: the original launch script is moved back (the same file: content, mode and times), the aside folder is
removed, and the tree is compared with the digest taken before: a difference in what recording touched is an
error, one elsewhere (files the recorded sessions wrote) is reported. In a project generated while recording,
off puts back the launch script the template had.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, SERVER_FILE
from microtvm_project_api.protocol.transcript import Header, entry_bytes, header_entry, now_rfc3339, package_version

ASIDE = ".microtvm-record"
INNER = ".microtvm-record-launch.sh"
"""The platform's own launch script while recording is on, beside the recording one."""
STATE = "state.json"
MARKER = "# microtvm-project record: recording launch script"
INNER_MARKER = "# inner: "
MIN_MAX_BYTES = 4096
RECORDER = "microtvm-project record"


class RecordError(Exception):
    """Recording cannot be turned on or off as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Recording:
    """Where a recording writes and with which bounds."""

    output: Path
    max_bytes: int | None = None
    payload_digest: bool = False
    python: str = sys.executable
    client_name: str | None = None
    client_version: str | None = None


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (relative path -> kind, mode and content sha256, or a link's target)."""
    out: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                out[relative] = f"link {os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                out[relative] = f"dir {stat.S_IMODE(info.st_mode):o}"
            elif stat.S_ISREG(info.st_mode):
                out[relative] = f"file {stat.S_IMODE(info.st_mode):o} {_sha256(path)}"
            else:
                out[relative] = f"other {stat.S_IFMT(info.st_mode):o}"
    return out


def is_recording_script(path: Path) -> bool:
    try:
        with path.open("rb") as script:
            return MARKER.encode() in script.read(4096)
    except OSError:
        return False


def turn_on(directory: Path, recording: Recording) -> Path:
    """Install the recording launch script in `directory`; the transcript's path (its header written now)."""
    directory = directory.resolve()
    script = directory / LAUNCH_SCRIPT
    if not (directory / SERVER_FILE).is_file() and not script.is_file():
        raise RecordError(f"{directory}: no {SERVER_FILE} or {LAUNCH_SCRIPT}; is this a Project API project directory?")
    if (directory / ASIDE).exists() or (directory / INNER).exists() or is_recording_script(script):
        raise RecordError(f"{directory}: recording is on already; `microtvm-project record --off {directory}` turns it off")
    if recording.max_bytes is not None and recording.max_bytes < MIN_MAX_BYTES:
        raise RecordError(f"--max-bytes {recording.max_bytes} leaves no room for a session; give at least {MIN_MAX_BYTES}")
    output = recording.output.resolve()
    started = time.time()
    _write_header(output, directory, recording, started)
    tree = tree_digest(directory)
    aside = directory / ASIDE
    aside.mkdir()
    inner = None
    if script.is_file():
        inner = directory / INNER
        os.replace(script, inner)
    (aside / STATE).write_text(json.dumps({"tree": tree, "output": str(output), "had_launch_script": inner is not None}, indent=1))
    script.write_text(recording_script(recording, output, inner, started))
    script.chmod(0o755)
    return output


def recording_script(recording: Recording, output: Path, inner: Path | None, started: float) -> str:
    """The launch script that runs the relay in front of the real server."""
    command = [recording.python, "-m", "microtvm_project_api.sessions.relay", "--output", str(output), "--started", repr(started)]
    if recording.max_bytes is not None:
        command += ["--max-bytes", str(recording.max_bytes)]
    if recording.payload_digest:
        command.append("--payload-digest")
    command += ["--inner", str(inner)] if inner else ["--python", recording.python]
    return "\n".join([
        "#!/bin/sh",
        MARKER,
        "# Every line both ways goes on to the real server and into the transcript named below.",
        f"# `microtvm-project record --off DIR` puts back what was here. {INNER_MARKER}{inner or 'none'}",
        f"exec {shlex.join(command)} -- \"$@\"",
        "",
    ])


def turn_off(directory: Path) -> list[str]:
    """Put back what `turn_on` changed; the paths that differ from before recording because sessions wrote them."""
    directory = directory.resolve()
    aside = directory / ASIDE
    script = directory / LAUNCH_SCRIPT
    if not aside.is_dir():
        if is_recording_script(script):
            return _turn_off_generated(script)
        raise RecordError(f"{directory}: recording is not on (no {ASIDE}/ and no recording launch script)")
    try:
        state = json.loads((aside / STATE).read_text())
        tree, had_script = state["tree"], state["had_launch_script"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecordError(f"{directory}: {ASIDE}/{STATE} cannot be read ({exc}); put {LAUNCH_SCRIPT} back by hand from {aside}") from None
    if had_script:
        os.replace(directory / INNER, script)
    elif is_recording_script(script):
        script.unlink()
    (aside / STATE).unlink()
    try:
        aside.rmdir()
    except OSError:
        pass  # it holds what recording did not put there: reported below
    now = tree_digest(directory)
    changed = sorted(path for path in set(tree) | set(now) if tree.get(path) != now.get(path))
    touched = [path for path in changed if path in (LAUNCH_SCRIPT, INNER) or path.split("/")[0] == ASIDE]
    if touched:
        raise RecordError(f"{directory}: recording off, but {', '.join(touched)} differ from before recording "
                          "(changed while recording was on)")
    return changed


def _turn_off_generated(script: Path) -> list[str]:
    """A project generated while recording: the template's launch script back (the SDK copied it), or none."""
    inner = next((line.split(INNER_MARKER, 1)[1].strip() for line in script.read_text().splitlines() if INNER_MARKER in line), "none")
    local = script.parent / INNER
    if local.is_file():  # the relay's copy of the template's script, made when this project's server first ran
        os.replace(local, script)
        return []
    if inner == "none":
        script.unlink()
        return []
    if not Path(inner).is_file():
        raise RecordError(f"{script}: the template's own launch script ({inner}) is gone (recording is off there): "
                          f"copy the template's {LAUNCH_SCRIPT} here")
    shutil.copy2(inner, script)
    return []


def _write_header(output: Path, directory: Path, recording: Recording, started: float) -> None:
    header = Header(now_rfc3339(started), str(directory), None, recording.client_name, recording.client_version,
                    RECORDER, package_version(), recording.max_bytes, recording.payload_digest)
    try:
        with output.open("xb") as file:
            file.write(entry_bytes(header_entry(header)))
    except FileExistsError:
        raise RecordError(f"{output} exists; give another --output or remove it") from None
    except OSError as exc:
        raise RecordError(f"{output}: cannot write the transcript: {exc.strerror}") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
