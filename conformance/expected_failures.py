"""The expected-failures file: check ids a platform knows it still fails, one per line, `#` starts a comment.

A listed check that fails is reported as xfail (not a failure); a listed check that passes is
reported stale, so the file cannot silently outlive the bug.
"""

from __future__ import annotations

from pathlib import Path

from microtvm_project_api.conformance.context import UsageError


def load(path: Path, known_ids: set[str]) -> set[str]:
    """The check ids listed in `path`; UsageError for an unreadable file or an id the kit does not have."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--expected-failures {path}: {exc}") from None
    ids = set()
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry not in known_ids:
            raise UsageError(f"{path}:{number}: {entry!r} is not a check id (see --list-checks)")
        ids.add(entry)
    return ids
