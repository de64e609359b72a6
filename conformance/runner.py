"""Runs checks against one project: setup from server_info_query, selection and skips, outcomes, cleanup.

The CLI and the pytest plugin both drive a Runner, one check at a time.
"""

from __future__ import annotations

import time
import traceback
from typing import Iterable

from microtvm_project_api.conformance.check import Check, CheckFailed, CheckSkipped, Level, Need, Outcome, Result
from microtvm_project_api.conformance.context import Context, Settings, UsageError, check_revision, typed_options
from microtvm_project_api.protocol.launch import ServerNotFoundError, launch_command


class Runner:
    """One run: `start()` launches the server and learns what it declared, `run(check)` judges one check, `close()` cleans up."""

    def __init__(self, settings: Settings, expected_failures: Iterable[str] = ()) -> None:
        self.settings = settings
        self.expected_failures = set(expected_failures)
        self.ctx: Context | None = None

    def start(self) -> None:
        """Start the server of PROJECT_DIR; UsageError when there is none or the --option values do not fit it."""
        try:
            launch_command(self.settings.project_dir)
        except ServerNotFoundError as exc:
            raise UsageError(str(exc)) from None
        self.ctx = ctx = Context(self.settings)
        try:
            ctx.info = ctx.query_info(ctx.session(), strict=False)
        except (CheckSkipped, CheckFailed):
            ctx.info = {}
        ctx.exchanges.take()
        ctx.set_revision(check_revision(ctx.info.get("protocol_version"), self.settings.protocol_version))
        if ctx.info:
            ctx.options = typed_options(ctx.declared_options(), self.settings.options)

    def run(self, check: Check) -> Result:
        """Judge one check; never raises for anything the server does."""
        ctx = self.ctx
        assert ctx is not None, "Runner.start() first"
        started = time.monotonic()
        reason = self._skip_reason(check)
        if reason is not None:
            return Result(check, Outcome.SKIP, reason)
        try:
            check.run(ctx)
            outcome, message = Outcome.PASS, ""
        except CheckFailed as exc:
            outcome = Outcome.FAIL if check.rule.level is Level.MUST else Outcome.WARN
            message = str(exc)
        except CheckSkipped as exc:
            outcome, message = Outcome.SKIP, str(exc)
        except Exception as exc:  # the kit's own bug: blamed on the kit, not the server
            outcome = Outcome.ERROR
            message = f"harness error (a bug in the kit, not in the server): {exc!r}\n{traceback.format_exc(limit=6)}"
        finally:
            ctx.end_check()
        if check.id in self.expected_failures:
            if outcome is Outcome.FAIL:
                outcome = Outcome.XFAIL
            elif outcome is Outcome.PASS:
                outcome, message = Outcome.STALE, "listed as an expected failure, but it passes: remove it from the file"
        return Result(check, outcome, message, ctx.exchanges.take(), time.monotonic() - started)

    @property
    def revision(self) -> int | None:
        """The revision the run judges in, once started."""
        return None if self.ctx is None else self.ctx.revision

    def close(self) -> None:
        """Stop every server and remove everything the run created."""
        if self.ctx is not None:
            self.ctx.close()

    def _skip_reason(self, check: Check) -> str | None:
        ctx = self.ctx
        assert ctx is not None
        for pattern in self.settings.skip:
            if pattern in (check.id, check.group):
                return f"skipped by --skip {pattern}"
        if ctx.revision not in check.revisions:
            return f"applies to revision {', '.join(map(str, check.revisions))}; the server speaks revision {ctx.revision}"
        if Need.TEMPLATE in check.needs and ctx.info and not ctx.is_template:
            return "needs a template project; PROJECT_DIR is a generated project"
        if Need.ECHO in check.needs and self.settings.device != "echo":
            return "needs an echo device: pass --device echo"
        return None


def exit_status(results: list[Result]) -> int:
    """0 when every applicable MUST check passed, 1 when any failed (or an expected failure went stale), 2 on a harness error."""
    outcomes = {r.outcome for r in results}
    if outcomes & {Outcome.FAIL, Outcome.STALE}:
        return 1
    return 2 if Outcome.ERROR in outcomes else 0
