"""The Check unit: a stable id, the spec rule it enforces, what it needs, and the function that judges.

Checks register themselves with the `check` decorator into CHECKS; a check function receives the
run's Context and either returns (pass) or raises CheckFailed / CheckSkipped / CheckBlocked. Any
other exception is a harness error, blamed on the kit, not on the server. In revision 1 a check may
also record behaviour the server inherits from TVM's server module (Context.inherit): the check
then ends INHERITED, which never fails the run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from microtvm_project_api.conformance.context import Context


class Level(str, enum.Enum):
    """How binding a rule is (RFC 2119): a broken MUST fails the run, a broken SHOULD only warns."""

    MUST = "MUST"
    SHOULD = "SHOULD"


class Need(str, enum.Enum):
    """What a check needs before it can run; the runner checks each, and an unmet need skips (or blocks) it with the reason."""

    TEMPLATE = "template project"
    GENERATED = "generated project"
    ECHO = "echo device (--device echo)"
    TRANSPORT = "transport methods"


@dataclass(frozen=True)
class Rule:
    """The spec sentence a check enforces, its level, and where the spec says it."""

    level: Level
    text: str
    ref: str

    def __str__(self) -> str:
        return f"{self.level.value}: {self.text} [{self.ref}]"


def must(text: str, ref: str) -> Rule:
    """A MUST rule: breaking it fails the run."""
    return Rule(Level.MUST, text, ref)


def should(text: str, ref: str) -> Rule:
    """A SHOULD rule: breaking it is reported as a warning."""
    return Rule(Level.SHOULD, text, ref)


class Outcome(str, enum.Enum):
    """How a check ended.

    WARN is a failed SHOULD; XFAIL a failure listed as expected; STALE an expected failure that
    passed; INHERITED a pass except for behaviour of TVM's server module that revision 2 fixes;
    BLOCKED a check that could not run because another check's failure stands in its way.
    """

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    INHERITED = "inherited"
    SKIP = "skip"
    BLOCKED = "blocked"
    ERROR = "error"
    XFAIL = "xfail"
    STALE = "stale"


class CheckFailed(Exception):
    """The server broke the check's rule: what was sent, what came back, what was expected (`why`), the rule when it is
    not the check's own, and the server's cause (its exception, innermost frames, stderr tail); str() renders them."""

    def __init__(self, why: str, *, sent: str = "", got: str = "", rule: str = "", cause: str = "") -> None:
        self.why, self.sent, self.got, self.rule, self.cause = why, sent, got, rule, cause
        super().__init__(self.render())

    def render(self) -> str:
        """The failure as the text report shows it: sent, got, why and rule, then the cause."""
        why = " ".join(filter(None, [self.why, f"[{self.rule}]" if self.rule else ""]))
        lines = [f"sent {self.sent}", f"  got  {self.got}"] if self.sent or self.got else []
        lines += [f"  {why}" if lines else why] if why else []
        return "\n".join(lines) + self.cause


class CheckSkipped(Exception):
    """The check's needs are not met; the message is the reason."""


class OptionMissing(CheckSkipped):
    """A check skipped because an option the platform requires for a method got no value: the run judged less than it
    could, which is not a green run unless the user accepts a partial verdict."""

    def __init__(self, option: str, method: str) -> None:
        super().__init__(f"option {option} is required for {method}: pass --option {option}=VALUE")
        self.option = option
        self.method = method


class CheckBlocked(Exception):
    """An earlier failure, reported by the check `by`, keeps this check from running; `reason` says it in one line."""

    def __init__(self, by: str, reason: str) -> None:
        super().__init__(f"blocked by {by}: {reason}")
        self.by = by
        self.reason = reason


@dataclass(frozen=True)
class Check:
    """One declarative unit of the kit."""

    id: str
    title: str
    rule: Rule
    run: Callable[["Context"], None]
    revisions: tuple[int, ...] = (1, 2)
    needs: tuple[Need, ...] = ()
    inherits: tuple[str, ...] = ()
    """Keys of revisions/v1.json#/x-server-module this check reports as inherited in revision 1, instead of failing."""
    owns: tuple[str, ...] = ()
    """Methods whose hang this check reports wherever it happens (any other check is then blocked by it)."""

    @property
    def group(self) -> str:
        """The group is the id's prefix: `jsonrpc.parse-error` belongs to `jsonrpc`."""
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Case:
    """One judged case of a check (a request and its reply, one option, one method): its outcome and, when it failed,
    what was sent, what came back, what was expected, the rule and the server's cause (an inherited case: what came
    back, with the behaviour of TVM's server module it is)."""

    id: str
    outcome: Outcome
    sent: str = ""
    got: str = ""
    expected: str = ""
    rule: str = ""
    cause: str = ""

    @classmethod
    def failed(cls, case_id: str, failure: CheckFailed, outcome: Outcome = Outcome.FAIL) -> "Case":
        """The case a CheckFailed describes."""
        return cls(case_id, outcome, failure.sent, failure.got, failure.why, failure.rule, failure.cause)

    def render(self) -> str:
        """The case's text: as CheckFailed renders it, or the finding of an inherited case."""
        return CheckFailed(self.expected, sent=self.sent, got=self.got, rule=self.rule, cause=self.cause).render()


@dataclass
class Result:
    """What one check did in one revision: its outcome, a message, and the exchanges on the wire."""

    check: Check
    outcome: Outcome
    message: str = ""
    exchanges: list[str] = field(default_factory=list)
    seconds: float = 0.0
    revision: int | None = None
    blocked_by: str | None = None
    missing_option: tuple[str, str] | None = None
    """For a check skipped (or judged only in part) because a required option got no value: that option and the method that
    requires it."""
    cases: list[Case] = field(default_factory=list)
    """What the check judged, case by case (a failed check: at least its failing cases)."""


def missing_options(results: list[Result]) -> dict[str, list[Result]]:
    """The required options that got no value, each with the checks skipped for it."""
    out: dict[str, list[Result]] = {}
    for result in results:
        if result.missing_option is not None:
            out.setdefault(result.missing_option[0], []).append(result)
    return out


CHECKS: list[Check] = []


def check(
    check_id: str, title: str, rule: Rule, revisions: Sequence[int] = (1, 2), needs: Sequence[Need] = (),
    inherits: Sequence[str] = (), owns: Sequence[str] = (),
) -> Callable[[Callable[["Context"], None]], Callable[["Context"], None]]:
    """Register the decorated function as a check with this id, rule, revisions, needs, inheritable behaviours and owned methods."""

    def register(function: Callable[["Context"], None]) -> Callable[["Context"], None]:
        """Add `function` to CHECKS under this id (ids are unique)."""
        if any(c.id == check_id for c in CHECKS):
            raise ValueError(f"duplicate check id {check_id}")
        CHECKS.append(Check(check_id, title, rule, function, tuple(revisions), tuple(needs), tuple(inherits), tuple(owns)))
        return function

    return register


def inherited_ref(key: str) -> str:
    """Where the spec states one behaviour of TVM's server module and what revision 2 fixed."""
    return f"revisions/v1.json#/x-server-module/{key}"


def all_checks() -> list[Check]:
    """Every check of the kit, in run order (the order of the group modules, then of definition)."""
    from microtvm_project_api.conformance import checks  # noqa: F401  (importing registers them)

    return list(CHECKS)
