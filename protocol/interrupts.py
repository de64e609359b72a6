"""SIGTERM raised as an exception in the main thread, as SIGINT raises KeyboardInterrupt, so that `with` blocks
and `finally` clauses run: servers' process groups are stopped and reaped, temporary directories removed.

Client, CLI and kit share this one mechanism. It takes effect only in the main thread and only while SIGTERM has
its default action (a program that set its own handler keeps it); the default is restored when the last holder
lets go.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (a KeyboardInterrupt, so every path that handles Ctrl-C handles it the same way)."""


def exit_status(interrupt: KeyboardInterrupt) -> int:
    """The shell's status for a run ended by `interrupt`: 143 for SIGTERM, 130 for SIGINT."""
    return 128 + (signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT)


_holders = 0
_installed = False
_raised = False


def hold() -> bool:
    """Make SIGTERM raise Terminated until the matching release(); False (and no effect) outside the main thread."""
    global _holders, _installed, _raised
    if threading.current_thread() is not threading.main_thread():
        return False
    if _holders == 0 and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_terminated)
        _installed, _raised = True, False
    _holders += 1
    return True


def release() -> None:
    """Let go of one hold(); the last one restores SIGTERM's default action if hold() replaced it."""
    global _holders, _installed
    _holders -= 1
    if _holders == 0 and _installed:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _installed = False


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated in the main thread."""
    held = hold()
    try:
        yield
    finally:
        if held:
            release()


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    """Raise once: a second SIGTERM during the cleanup the first one started must not cut that cleanup short."""
    global _raised
    if not _raised:
        _raised = True
        raise Terminated(f"stopped by {signal.Signals(signum).name}")
