"""The kit's progress hook: it says when a slow step starts and how it ended; the caller decides what to show.

The command line passes a reporter (live status on a terminal, timed lines in a log); the pytest
plugin and library callers get SILENT.
"""

from __future__ import annotations

from typing import Protocol

from microtvm_project_api.generated.methods import LONG_RUNNING_METHODS

SLOW_METHODS = LONG_RUNNING_METHODS
"""Methods that run a platform's tools (code generation, compiler, flasher): `x-long-running` in the method table."""


class Progress(Protocol):
    """What the kit reports while it works."""

    def step_started(self, name: str) -> None:
        """A slow step began (a generate_project, build or flash call)."""

    def step_finished(self, name: str, seconds: float, outcome: str) -> None:
        """The step began last ended after `seconds`: outcome "done", "error reply" or "failed"."""


class _Silent:
    """Reports nothing."""

    def step_started(self, name: str) -> None:
        pass

    def step_finished(self, name: str, seconds: float, outcome: str) -> None:
        pass


SILENT: Progress = _Silent()
