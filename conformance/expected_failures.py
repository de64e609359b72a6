"""The expected-failures file: check ids a platform knows it still fails, one per line, `#` starts a comment.

`ID` names the check in every revision judged, `ID@N` in revision N only. A listed check that
fails is reported as xfail (not a failure); a listed check that passes is reported stale, so the
file cannot silently outlive the bug.
"""

from __future__ import annotations

from pathlib import Path

from microtvm_project_api.conformance.context import UsageError
from microtvm_project_api.generated.methods import REVISIONS


def load(path: Path, known_ids: set[str]) -> set[str]:
    """The entries listed in `path` (ID or ID@N); UsageError for an unreadable file, an id the kit does not have, an unknown revision."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--expected-failures {path}: {exc}") from None
    ids = set()
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        check_id, at, revision = entry.partition("@")
        if check_id not in known_ids:
            raise UsageError(f"{path}:{number}: {check_id!r} is not a check id (see --list-checks)")
        if at and revision not in map(str, REVISIONS):
            raise UsageError(f"{path}:{number}: {entry!r}: revision {revision!r} is not one of {', '.join(map(str, REVISIONS))}")
        ids.add(entry)
    return ids
