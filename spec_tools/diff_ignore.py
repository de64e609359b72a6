"""The ignore file of `spec diff`: breaking changes a project has accepted, each with the reason (like oasdiff's and buf's).

A JSON array of objects `{"where": ..., "what": ..., "reason": ...}`; `where` and `what` are a
change exactly as `spec diff --format json` reports it, so an entry is copied from that output
and given a reason. An accepted change is still shown, marked accepted, and no longer fails the
check; an entry that matches no change is listed, and does not fail either (the diff's base moves on).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from microtvm_project_api.spec_tools.json_input import JsonInputError, read_json

MAX_BYTES = 1024 * 1024
FIELDS = ("where", "what", "reason")


class IgnoreFileError(Exception):
    """The ignore file cannot be used; the message names the file, the entry and what is wrong."""


@dataclass(frozen=True)
class AcceptedBreak:
    """One accepted breaking change: where and what (as the diff reports them) and why it is accepted."""

    where: str
    what: str
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        return self.where, self.what


def load(path: Path) -> list[AcceptedBreak]:
    """The entries of the ignore file at `path`; IgnoreFileError for anything that is not a list of complete entries."""
    try:
        entries = read_json(path, MAX_BYTES)
    except JsonInputError as exc:
        raise IgnoreFileError(str(exc)) from None
    if not isinstance(entries, list):
        raise IgnoreFileError(f'{path}: expected a JSON array of {{"where", "what", "reason"}} objects')
    accepted, seen = [], set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or set(entry) != set(FIELDS):
            raise IgnoreFileError(f"{path}: entry {number}: expected exactly the members {', '.join(FIELDS)}")
        blank = [name for name in FIELDS if not isinstance(entry[name], str) or not entry[name].strip()]
        if blank:
            raise IgnoreFileError(f"{path}: entry {number}: {', '.join(blank)} must be a non-empty string")
        item = AcceptedBreak(entry["where"], entry["what"], entry["reason"].strip())
        if item.key in seen:
            raise IgnoreFileError(f"{path}: entry {number}: {item.where}: {item.what} is listed twice")
        seen.add(item.key)
        accepted.append(item)
    return accepted
