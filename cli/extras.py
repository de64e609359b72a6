"""Optional extras: a command whose extra is not installed says which one to install, instead of an ImportError.

What each extra holds is read from the installed package's metadata (pyproject.toml's
optional-dependencies), so the lists are written once.
"""

from __future__ import annotations

import re
from importlib import metadata

DISTRIBUTION = "microtvm-project-api"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


class MissingExtraError(Exception):
    """A command needs an extra that is not installed; the message names the extra and the pip command."""


def requirements(extra: str) -> list[str]:
    """The distribution names the extra `extra` of this package requires; KeyError for an extra it does not declare."""
    names = []
    for requirement in metadata.requires(DISTRIBUTION) or []:
        marker = _EXTRA.search(requirement)
        if marker and marker.group(1) == extra:
            match = _NAME.match(requirement)
            assert match is not None, requirement
            names.append(match.group())
    if not names:
        raise KeyError(f"{DISTRIBUTION} declares no extra {extra!r}")
    return names


def missing(extra: str) -> list[str]:
    """The distributions of `extra` that are not installed."""
    absent = []
    for name in requirements(extra):
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            absent.append(name)
    return absent


def require(extra: str, what: str) -> None:
    """Raise MissingExtraError saying how to install `extra` when any of its distributions is missing."""
    absent = missing(extra)
    if absent:
        raise MissingExtraError(f"{what} needs the {extra} extra ({', '.join(absent)} not installed): "
                                f"pip install '{DISTRIBUTION}[{extra}]'")
