"""What the command line shows while it works: colour on a terminal only, a live status line, timed slow steps,
and error messages cut to one readable line.

Colour and the status line need a terminal; NO_COLOR (any non-empty value) and TERM=dumb turn
colour off. Lines are printed through the Terminal so the status line is erased first and redrawn after.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

MAX_MESSAGE_CHARS = 500
"""An error message is cut after this many characters: a server's or a file's message may be megabytes long."""
STATUS_INTERVAL_SEC = 0.5
ANNOUNCE_AFTER_SEC = 1.0
"""A step still running after this long gets a "started" line (fast calls stay silent)."""
ANSI = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}


def one_line(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`message` as one line (line breaks become spaces) of at most `limit` characters, then how many were left out."""
    text = " ".join(message[:limit].splitlines())
    return text if len(message) <= limit else f"{text}... ({len(message) - limit} more characters)"


def print_error(message: str) -> None:
    """Print an error message on stderr as one line, cut after MAX_MESSAGE_CHARS characters (`one_line`)."""
    print(one_line(message), file=sys.stderr)


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when NO_COLOR is set (no-color.org) or TERM is dumb."""
    return _isatty(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Terminal:
    """Output of one command: `line()` on stdout, notes and the live status line on stderr."""

    def __init__(self, quiet: bool = False, verbose: bool = False, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.quiet = quiet
        self.verbose = verbose
        self.colour = colour_wanted(self.out)
        self.live = not quiet and _isatty(self.err) and os.environ.get("TERM") != "dumb"
        self._lock = threading.Lock()
        self._status: list[tuple[str, float]] = []
        self._drawn = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def paint(self, text: str, colour: str) -> str:
        """`text` in `colour` when colour is wanted, else unchanged."""
        return f"\x1b[{ANSI[colour]}m{text}\x1b[0m" if self.colour else text

    def line(self, text: str) -> None:
        """Print a line of the command's output (stdout)."""
        self._print(self.out, text)

    def note(self, text: str) -> None:
        """Print a progress line (stderr), unless quiet."""
        if not self.quiet:
            self._print(self.err, text)

    def push_status(self, text: str) -> None:
        """Show `text` with a running clock on the status line (a terminal only) until the matching pop."""
        with self._lock:
            self._status.append((text, time.monotonic()))
        if self.live and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="status-line", daemon=True)
            self._ticker.start()

    def pop_status(self) -> None:
        """End the innermost status; the line is erased when none is left."""
        with self._lock:
            if self._status:
                self._status.pop()
            if not self._status:
                self._erase()

    def close(self) -> None:
        """Stop the status line and erase it."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._erase()

    def _print(self, stream: TextIO, text: str) -> None:
        with self._lock:
            self._erase()
            stream.write(text + "\n")
            stream.flush()
            self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(STATUS_INTERVAL_SEC):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if not self.live or not self._status:
            return
        now = time.monotonic()
        text = " > ".join(name for name, _ in self._status) + f"  {now - self._status[0][1]:.0f} s"
        self.err.write("\r\x1b[K" + self.paint(text, "dim"))
        self.err.flush()
        self._drawn = True

    def _erase(self) -> None:
        if self._drawn:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self._drawn = False


class StepLog:
    """The kit's progress hook on a Terminal: a step on the status line, a line when it has run a while, its duration."""

    def __init__(self, terminal: Terminal, announce_after: float = ANNOUNCE_AFTER_SEC) -> None:
        self.terminal = terminal
        self.announce_after = 0.0 if terminal.verbose else announce_after
        self._timers: list[tuple[threading.Timer, threading.Event]] = []

    def step_started(self, name: str) -> None:
        """Status at once; the "started" line only if the step is still running after announce_after."""
        self.terminal.push_status(name)
        announced = threading.Event()

        def announce() -> None:
            announced.set()
            self.terminal.note(f"  {name}: started")

        timer = threading.Timer(self.announce_after, announce)
        timer.daemon = True
        self._timers.append((timer, announced))
        if self.announce_after:
            timer.start()
        else:
            announce()

    def step_finished(self, name: str, seconds: float, outcome: str) -> None:
        """The duration line, for a step whose start was announced."""
        self.terminal.pop_status()
        if not self._timers:
            return
        timer, announced = self._timers.pop()
        timer.cancel()
        if timer.is_alive():
            timer.join()
        if announced.is_set():
            self.terminal.note(f"  {name}: {outcome} after {seconds:.1f} s")
