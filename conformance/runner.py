"""Runs checks against one project: what revisions it offers, selection and skips, blocks, outcomes, cleanup.

The CLI and the pytest plugin both drive a Runner, one check at a time. A server offering several
revisions is judged in each (or in the one --revision names), each in its own sessions.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from typing import Any, Iterable

from microtvm_project_api.conformance import offer
from microtvm_project_api.conformance.check import (
    Case,
    Check,
    CheckBlocked,
    CheckFailed,
    CheckSkipped,
    Level,
    OptionMissing,
    Outcome,
    Result,
    missing_options,
)
from microtvm_project_api.conformance.context import STARTS, Context, Settings, UsageError, one_line, typed_options
from microtvm_project_api.generated.methods import LATEST_REVISION, REVISIONS
from microtvm_project_api.protocol.launch import ServerNotFoundError, launch_command

REVISION_CHECK = "server_info.revision"
MOVE_ON = ("the way out: move the server to the SDK (microtvm_project_api.server_sdk; a TVM-style handler keeps its code "
           "with server_sdk.tvm_compat), which speaks revision 2 as well as revision 1")


class Runner:
    """One run: `start()` asks the server what it offers, `run(check, revision)` judges one check, `close()` cleans up."""

    def __init__(self, settings: Settings, expected_failures: Iterable[str] = ()) -> None:
        self.settings = settings
        self.expected_failures = set(expected_failures)
        self.offer = offer.Offer()
        self.ctx: Context | None = None
        self.causes: dict[str, str] = {}
        """Each server cause (traceback, stderr tail) the text report printed, with the check@revision it was printed for."""

    def start(self) -> None:
        """Ask the server of PROJECT_DIR what it offers; UsageError when there is none or the --option values do not fit it."""
        try:
            launch_command(self.settings.project_dir)
        except ServerNotFoundError as exc:
            raise UsageError(str(exc)) from None
        self.offer = offer.ask(self.settings.project_dir, self.settings.timeout, self.settings.python, self.settings.start_timeout)
        if self.offer.any_info:
            typed_options(self.declared(), self.settings.options)

    def declared(self) -> list[dict[str, Any]]:
        """The options the server declared, read leniently."""
        options = self.offer.any_info.get("project_options")
        return [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []

    @property
    def revisions(self) -> list[int]:
        """The revisions judged: --revision, else every revision the server offers (the latest when it states none the spec knows)."""
        if self.settings.revision is not None:
            return [self.settings.revision]
        return sorted(self.offer.hellos) or [LATEST_REVISION]

    def header(self, revision: int) -> str:
        """The first line of a revision's report: never a revision the server did not state."""
        where = f"conformance of {self.settings.project_dir}"
        device = f"device {self.settings.device}"
        offered = ", ".join(map(str, sorted(self.offer.hellos)))
        if self.offer.failure is not None:
            return f"{where} (no revision stated: the server did not answer server_info_query; {device})"
        if revision not in self.offer.hellos:
            stated = ", ".join(map(repr, self.offer.stated))
            return f"{where} (revision {revision} asked for; the server states protocol_version {stated}; {device})"
        return f"{where} (protocol revision {revision}; the server offers {offered}; {device})"

    def run(self, check: Check, revision: int) -> Result:
        """Judge one check in `revision`; never raises for anything the server does."""
        ctx = self._context(revision)
        started = time.monotonic()
        ctx.begin_check(check.id)
        blocked_by = missing_option = None
        try:
            self._admit(ctx, check)
            check.run(ctx)
            outcome, message = Outcome.PASS, ""
        except CheckFailed as exc:
            ctx.cases.append(Case.failed(check.id, exc))
            outcome, message = Outcome.PASS, ""
        except CheckSkipped as exc:
            outcome, message = Outcome.SKIP, str(exc)
            missing_option = (exc.option, exc.method) if isinstance(exc, OptionMissing) else None
        except CheckBlocked as exc:
            outcome, message, blocked_by = Outcome.BLOCKED, str(exc), exc.by
        except Exception as exc:  # the kit's own bug: blamed on the kit, not the server
            outcome = Outcome.ERROR
            message = f"harness error (a bug in the kit, not in the server): {exc!r}\n{traceback.format_exc(limit=6)}"
        finally:
            ctx.end_check()
        if missing_option is None and ctx.missing_option is not None and outcome is not Outcome.BLOCKED:
            missing_option = (ctx.missing_option.option, ctx.missing_option.method)
        failed = [case for case in ctx.cases if case.outcome is Outcome.FAIL]
        if failed and outcome in (Outcome.PASS, Outcome.SKIP, Outcome.BLOCKED):  # a failure found beats a later skip or block
            outcome = Outcome.FAIL if check.rule.level is Level.MUST else Outcome.WARN
            message, blocked_by, missing_option = failure_text(failed, self.causes, f"{check.id}@{revision}"), None, None
        if ctx.findings and outcome in (Outcome.PASS, Outcome.FAIL, Outcome.WARN):
            if outcome is Outcome.PASS:
                outcome = Outcome.INHERITED
            message = "\n".join([*([message] if message else []), *ctx.findings, MOVE_ON])
        outcome, message = self._expected(check, revision, outcome, message)
        exchanges = ctx.transcript.take(failed=outcome in (Outcome.FAIL, Outcome.WARN, Outcome.XFAIL))
        cases = [dataclasses.replace(c, outcome=Outcome.WARN) if c.outcome is Outcome.FAIL and outcome is Outcome.WARN else c
                 for c in ctx.cases]
        result = Result(check, outcome, message, exchanges, time.monotonic() - started, revision, blocked_by, missing_option, cases)
        ctx.earlier[check.id] = result
        return result

    def close(self) -> None:
        """Stop every server and remove everything the run created."""
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None

    def _context(self, revision: int) -> Context:
        """The Context judging `revision`, made when the run moves to it (the previous one is closed)."""
        if self.ctx is not None and self.ctx.revision == revision:
            return self.ctx
        self.close()
        found = self.offer
        hello = found.hellos.get(revision, offer.hello(False))
        blocked = None
        if found.failure is not None:
            blocked = CheckBlocked(STARTS, f"the server does not start: {one_line(found.failure)}")
        elif revision not in found.hellos:
            blocked = CheckBlocked(REVISION_CHECK, self._revision_problem(revision))
        self.ctx = ctx = Context(self.settings, revision, hello, found.infos.get(revision, found.any_info), blocked)
        if found.failure is not None:
            ctx.server_broken(self.settings.project_dir, STARTS, found.failure)
        if ctx.info:
            ctx.options = typed_options(ctx.declared_options(), self.settings.options)
        return ctx

    def _revision_problem(self, revision: int) -> str:
        found = self.offer
        if found.unknown:
            return (f"the server states protocol_version {', '.join(map(repr, found.unknown))}, a revision the spec does not define"
                    f" (it defines {', '.join(map(str, REVISIONS))})")
        offered = ", ".join(map(str, sorted(found.hellos))) or "none"
        return f"the server does not offer revision {revision} (asked both ways, it answers in revision {offered})"

    def _admit(self, ctx: Context, check: Check) -> None:
        """Raise the reason a check does not run: --skip, another revision, a block, an unmet need."""
        for pattern in self.settings.skip:
            if pattern in (check.id, check.group):
                raise CheckSkipped(f"skipped by --skip {pattern}")
        if ctx.revision not in check.revisions:
            raise CheckSkipped(f"applies to revision {', '.join(map(str, check.revisions))}; judging revision {ctx.revision}")
        if ctx.blocked is not None and check.id != ctx.blocked.by:
            raise ctx.blocked
        for need in check.needs:
            ctx.meet(need)

    def _expected(self, check: Check, revision: int, outcome: Outcome, message: str) -> tuple[Outcome, str]:
        """Apply the expected-failures list: an entry names a check in every revision, or `id@N` in revision N."""
        if not {check.id, f"{check.id}@{revision}"} & self.expected_failures:
            return outcome, message
        if outcome is Outcome.FAIL:
            return Outcome.XFAIL, message
        if outcome is Outcome.PASS:
            return Outcome.STALE, "listed as an expected failure, but it passes: remove it from the file"
        return outcome, message


def failure_text(failed: list[Case], printed: dict[str, str] | None = None, where: str = "") -> str:
    """The message of a failed check: its one failing case, or each failing case under its id.

    A server cause already in `printed` (cause -> the check@revision it was printed for) is named instead of printed
    again; a new one is added to it as printed for `where`.
    """
    printed = {} if printed is None else printed
    texts = []
    for case in failed:
        if case.cause and case.cause in printed:
            case = dataclasses.replace(case, cause=f"\n  server cause: the same as printed for {printed[case.cause]}")
        elif case.cause:
            printed[case.cause] = where
        texts.append(case.render())
    if len(texts) == 1:
        return texts[0]
    return "\n".join(f"case {case.id}:\n  " + text.replace("\n", "\n  ") for case, text in zip(failed, texts))


PASSED, FAILED, NOT_RUN, PARTIAL = 0, 1, 2, 3
"""Exit statuses: every applicable MUST check passed; one failed; the kit could not run (or a harness error); checks
were skipped because a required option got no value (without --allow-partial)."""


def exit_status(results: list[Result], allow_partial: bool = False) -> int:
    """PASSED when every applicable MUST check passed, FAILED when any failed (or an expected failure went stale, or a
    check was blocked by a check that did not fail), NOT_RUN on a harness error, PARTIAL when checks were skipped for a
    required option given no value and `allow_partial` is off (skips for what the platform lacks never count)."""
    outcomes = {r.outcome for r in results}
    failed = {(r.revision, r.check.id) for r in results if r.outcome in (Outcome.FAIL, Outcome.XFAIL)}
    unexplained = any(r.outcome is Outcome.BLOCKED and (r.revision, r.blocked_by) not in failed for r in results)
    if outcomes & {Outcome.FAIL, Outcome.STALE} or unexplained:
        return FAILED
    if Outcome.ERROR in outcomes:
        return NOT_RUN
    return PARTIAL if missing_options(results) and not allow_partial else PASSED


