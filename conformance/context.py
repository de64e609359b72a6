"""What every check sees: the run's settings, the revision judged, the server under test, and everything the run created.

One Context judges one revision. The primary session (the server of PROJECT_DIR) and the
generated project's session are started lazily, shared between checks and restarted when a check
left them dead; every session starts with the server_info_query that gets the judged revision.
Every process and directory a check creates is tracked here and removed at the end of the check
or of the run, whether the check passed or not. A failure that keeps later checks from running
(a server that does not start, a failed generate_project, build or flash) blocks them in one
line naming the check that reports it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

from microtvm_project_api.conformance.check import (
    Case,
    CheckBlocked,
    CheckFailed,
    CheckSkipped,
    Need,
    OptionMissing,
    Outcome,
    Result,
    all_checks,
    inherited_ref,
)
from microtvm_project_api.conformance.progress import SILENT, Progress
from microtvm_project_api.conformance.session import ExchangeLog, Hangs, Reply, Session
from microtvm_project_api.protocol.option_rules import rules
from microtvm_project_api.protocol.options import parse_option_string

STARTS, GENERATE, GENERATED_STARTS = "process.starts", "template.generate-project", "template.generated-server-starts"


class UsageError(Exception):
    """The kit cannot run with these arguments (exit status 2)."""


@dataclass
class Settings:
    """The command line, parsed: what to check and how."""

    project_dir: Path
    device: str = "none"
    timeout: float = 60.0
    revision: int | None = None
    options: dict[str, str] = field(default_factory=dict)
    mlf: Path | None = None
    standalone_crt_dir: Path | None = None
    skip: tuple[str, ...] = ()
    python: str | None = None
    start_timeout: float = 300.0
    progress: Progress = field(default=SILENT, compare=False, repr=False)


class Context:
    """Shared state of the judging of one revision."""

    def __init__(self, settings: Settings, revision: int, hello: dict[str, Any], info: dict[str, Any],
                 blocked: CheckBlocked | None = None) -> None:
        self.settings = settings
        self.revision = revision
        self.hello = hello
        self.info = info
        self.blocked = blocked
        """When set, every check but the one it names is blocked (the server does not start, or does not offer the revision)."""
        self.transcript = ExchangeLog()
        self.workdir = Path(tempfile.mkdtemp(prefix="microtvm-conform-"))
        self.options: dict[str, Any] = {}
        self.hangs = Hangs(owners={method: c.id for c in all_checks() for method in c.owns})
        self.findings: list[str] = []
        self.cases: list[Case] = []
        self.missing_option: OptionMissing | None = None
        """Set when the running check judged only part of what it judges, for want of a required option's value."""
        self._inherited_in_case: list[str] = []
        self._check_sessions: list[Session] = []
        self._shared: dict[Path, Session] = {}
        self._broken: dict[Path, tuple[str, str]] = {}
        self._generated: Path | CheckSkipped | CheckBlocked | None = None
        self.generation_error: CheckFailed | None = None
        self._device_info: tuple[Session, dict[str, Any]] | None = None
        self._steps: dict[tuple[str, int], Reply | CheckFailed] = {}
        self.earlier: dict[str, Result] = {}
        """The results of the checks judged so far in this revision, by id."""

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def current(self) -> str:
        """The id of the check that is running."""
        return self.hangs.current_check

    def begin_check(self, check_id: str) -> None:
        """The check `check_id` starts: hangs and broken servers are reported by their owner, blocked for others."""
        self.hangs.current_check = check_id
        self.findings = []
        self.cases = []
        self.missing_option = None

    def server_broken(self, project_dir: Path, by: str, failure: str) -> None:
        """The server of `project_dir` does not start; the check `by` reports `failure`, every other check is blocked."""
        self._broken[project_dir] = (by, one_line(failure))

    def start(self, project_dir: Path | None = None, stdin: int | IO[bytes] = subprocess.DEVNULL) -> Session:
        """A fresh server for the running check only; it is closed when the check ends."""
        where = project_dir or self.settings.project_dir
        self._refuse_broken(where)
        session = self._new_session(where, stdin)
        self._check_sessions.append(session)
        return session

    def query_info(self, session: Session, strict: bool = True) -> dict[str, Any]:
        """server_info_query (as it gets the judged revision) on `session`; CheckFailed unless it returns an object
        (valid for the revision when `strict`).

        Checks about something else read the server's declarations leniently, so that one schema
        defect fails server_info.schema rather than every check.
        """
        reply = session.call("server_info_query", self.hello, validate=strict)
        if reply.error is not None or not isinstance(reply.result, dict):
            raise reply.failed("server_info_query failed")
        return reply.result

    def session(self, project_dir: Path | None = None) -> Session:
        """The shared, running server of `project_dir` (PROJECT_DIR by default), restarted if a check killed it."""
        where = project_dir or self.settings.project_dir
        current = self._shared.get(where)
        if current is not None and current.alive:
            return current
        self._refuse_broken(where)
        session = self._shared[where] = self._new_session(where)
        try:
            self.query_info(session, strict=False)
        except CheckFailed as exc:
            session.kill()
            owner = STARTS if where == self.settings.project_dir else GENERATED_STARTS
            self.server_broken(where, owner, str(exc))
            self._refuse_broken(where)
            raise
        return session

    @contextmanager
    def case(self, case_id: str) -> Iterator[None]:
        """Judge one case of the running check: its failure is recorded and the check goes on with its next case, so
        that it reports every failing case (a skip or a block still ends the whole check)."""
        self._inherited_in_case = []
        try:
            yield
        except CheckFailed as exc:
            self.cases.append(Case.failed(case_id, exc))
            return
        outcome = Outcome.INHERITED if self._inherited_in_case else Outcome.PASS
        self.cases.append(Case(case_id, outcome, got="; ".join(self._inherited_in_case)))

    def inherit(self, key: str, what: str) -> None:
        """Record behaviour inherited from TVM's server module (revision 1 only): the check ends INHERITED unless it fails."""
        if self.revision != 1:
            raise RuntimeError(f"inherited behaviour {key!r} recorded in revision {self.revision}")
        self._inherited_in_case.append(f"{what} [{inherited_ref(key)}]")
        head = f"inherited from TVM's server module [{inherited_ref(key)}]: "
        for index, finding in enumerate(self.findings):
            if finding.startswith(head):
                self.findings[index] = f"{finding}; {what}"
                return
        self.findings.append(head + what)

    def end_check(self) -> None:
        """Close every server the finished check started for itself, and every transport it left open on a shared server
        (quietly: a close that fails stops that server, which the next check restarts)."""
        while self._check_sessions:
            self._check_sessions.pop().close()
        for session in self._shared.values():
            if session.alive and session.transport_open:
                try:
                    reply = session.call("close_transport", {}, validate=False)
                except (CheckFailed, CheckBlocked):
                    session.kill()
                    continue
                if reply.error is not None:
                    session.kill()

    def close(self) -> None:
        """End of the revision: stop every server, remove every directory it created."""
        self.end_check()
        for session in self._shared.values():
            session.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def new_path(self, name: str) -> Path:
        """A path that does not exist yet inside the run's own directory (removed at the end)."""
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir)) / name

    def _new_session(self, where: Path, stdin: int | IO[bytes] = subprocess.DEVNULL) -> Session:
        return Session(where, self.settings.timeout, self.transcript, self.revision, stdin, self.hangs,
                       python=self.settings.python, start_allowance=self.settings.start_timeout, hello=self.hello,
                       progress=self.settings.progress)

    def _refuse_broken(self, where: Path) -> None:
        if where in self._broken:
            by, reason = self._broken[where]
            if by != self.current:
                raise CheckBlocked(by, f"the server of {where} does not start: {reason}")

    # -- needs -------------------------------------------------------------------------------------

    def meet(self, need: Need) -> None:
        """Skip (or block) the running check unless `need` is met."""
        if need is Need.ECHO and self.settings.device != "echo":
            raise CheckSkipped("needs an echo device: pass --device echo")
        if need is Need.TEMPLATE and self.info and not self.is_template:
            raise CheckSkipped("needs a template project; PROJECT_DIR is a generated project")
        if need is Need.GENERATED:
            self.generated_project()
        if need is Need.TRANSPORT:
            self.require("open_transport", self.device_info())

    # -- what the server declared ------------------------------------------------------------------

    @property
    def is_template(self) -> bool:
        """Whether PROJECT_DIR's server reports is_template true."""
        return bool(self.info.get("is_template"))

    def declared_options(self, info: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The options a server declared that are objects with a name (server_info.schema judges the rest)."""
        options = (self.info if info is None else info).get("project_options")
        return [o for o in options if isinstance(o, dict) and isinstance(o.get("name"), str)] if isinstance(options, list) else []

    def supported(self, method: str, info: dict[str, Any] | None = None) -> bool:
        """Whether the server implements `method`: declared in revision 2; in revision 1 by project kind."""
        info = self.info if info is None else info
        if self.revision >= 2:
            methods = info.get("supported_methods")
            return isinstance(methods, list) and method in methods
        if method == "generate_project":
            return bool(info.get("is_template"))
        return method == "server_info_query" or not info.get("is_template")

    def require(self, method: str, info: dict[str, Any] | None = None) -> None:
        """Skip the check when the server does not implement `method`."""
        if not self.supported(method, info):
            raise CheckSkipped(f"the server does not support {method} (checked by template.unsupported-methods)")

    def options_for(self, method: str, info: dict[str, Any] | None = None) -> dict[str, Any]:
        """The options of a call to `method`, sent as the judged revision's client sends them; skip when a required one is missing.

        Revision 1, as TVM's client: every option the server declares, the user's --option value or
        else its declared default (null when none), the same dict to every method
        (revisions/v1.json#/x-tvm-client/options). Revision 2: the user's --option values, all of
        them (options declared only for other methods are accepted and ignored).
        """
        info = self.info if info is None else info
        declared = self.declared_options(info)
        for option in declared:
            if method in option_methods(option, "required") and option["name"] not in self.options:
                raise OptionMissing(option["name"], method)
        if self.revision == 1:
            return {**{o["name"]: o.get("default") for o in declared}, **self.options}
        return dict(self.options)

    # -- projects ------------------------------------------------------------------------------------

    def mlf(self) -> Path:
        """The Model Library Format archive for generate_project: --mlf, else the kit's sample archive."""
        if self.settings.mlf is not None:
            return self.settings.mlf
        path = self.workdir / "sample_model.tar"
        if not path.exists():
            from microtvm_project_api.sample_model import write_mlf_archive

            write_mlf_archive(path)
        return path

    def standalone_crt_dir(self) -> Path:
        """--standalone-crt-dir, else the sample model's stand-in, shaped like TVM's (include/, src/, CMakeLists.txt)."""
        if self.settings.standalone_crt_dir is not None:
            return self.settings.standalone_crt_dir
        from microtvm_project_api.sample_model import standalone_crt_dir

        return standalone_crt_dir()

    def generate_params(self, project_dir: Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Params of a generate_project call into `project_dir`, with the run's options unless others are given."""
        return {
            "model_library_format_path": str(self.mlf().resolve()),
            "standalone_crt_dir": str(self.standalone_crt_dir().resolve()),
            "project_dir": str(project_dir),
            "options": self.options_for("generate_project") if options is None else options,
        }

    def generated_project(self) -> Path:
        """A project generated from the template (once per run), or PROJECT_DIR when it is a generated project.

        CheckSkipped when the template cannot generate with the given options; CheckBlocked by
        template.generate-project when generate_project failed.
        """
        if not self.is_template:
            return self.settings.project_dir
        if self._generated is None:
            self._generated = self._generate()
        if isinstance(self._generated, Exception):
            raise self._generated
        return self._generated

    def device_session(self) -> Session:
        """The shared server of the project that owns the device (the generated project)."""
        project = self.generated_project()
        return self.session(project) if project != self.settings.project_dir else self.session()

    def device_info(self) -> dict[str, Any]:
        """server_info of the device project (its own options and supported methods)."""
        project = self.generated_project()
        if project == self.settings.project_dir:
            return self.info
        session = self.device_session()
        if self._device_info is None or self._device_info[0] is not session:
            self._device_info = (session, self.query_info(session, strict=False))
        return self._device_info[1]

    def prepare_device(self) -> None:
        """Build and flash the device project, as open_transport needs on a real platform: its first build and flash,
        made once whoever needs them first and judged by template.build and template.flash.

        Flashing is left out when the user skips template.flash (no board attached). A failure
        blocks the check, naming the template check that reports it.
        """
        info = self.device_info()
        for method in ("build",) if self.flash_skipped else ("build", "flash"):
            if self.supported(method, info):
                self.device_ready(method)

    def device_call(self, method: str, number: int = 1, judge: bool = False) -> Reply:
        """The reply to the `number`th call of `method` (build or flash) on the device project since it was generated.

        Each call is made once per revision, by whichever check needs it first, so that template.build judges the
        first build of a freshly generated project and template.build-again the second, whoever asked for them. A call
        that got no reply raises its failure for the check that `judge`s it and blocks any other by the method's owner.
        """
        info = self.device_info()
        self.require(method, info)
        options = self.options_for(method, info)
        for n in range(1, number + 1):
            if (method, n) not in self._steps:
                try:
                    self._steps[method, n] = self.device_session().call(method, {"options": options})
                except CheckFailed as exc:
                    self._steps[method, n] = exc
        step = self._steps[method, number]
        if isinstance(step, CheckFailed):
            if judge:
                raise step
            raise CheckBlocked(self.hangs.owners.get(method, self.current), f"{method} failed: {one_line(str(step))}")
        return step

    def device_ready(self, method: str, number: int = 1) -> None:
        """The `number`th call of `method` succeeded; else the check is blocked by the check that owns `method`."""
        reply = self.device_call(method, number)
        if reply.error is not None:
            raise CheckBlocked(self.hangs.owners.get(method, self.current), f"{method} failed: {reply.summary()}")

    @property
    def flash_skipped(self) -> bool:
        """Whether the user skipped flashing (--skip template.flash or template): no board is attached."""
        return bool({"template", "template.flash"} & set(self.settings.skip))

    def excuse_unflashed(self, reply: Reply, info: dict[str, Any]) -> None:
        """Skip rather than fail when open_transport was refused on a platform that flashes while flashing is skipped."""
        if reply.error is not None and self.flash_skipped and self.supported("flash", info):
            raise CheckSkipped(f"open_transport failed, and flashing is skipped (--skip): {reply.summary()}")

    def _generate(self) -> Path | CheckSkipped | CheckBlocked:
        """Generate the run's project; a failure the server is to blame for is kept in generation_error."""
        try:
            self.require("generate_project")
            target = self.new_path("project")
            reply = self.session().call("generate_project", self.generate_params(target))
        except CheckSkipped as exc:
            return exc
        except CheckFailed as exc:
            self.generation_error = exc
            return CheckBlocked(GENERATE, f"generate_project failed: {one_line(str(exc))}")
        if reply.error is not None:
            self.generation_error = reply.failed("expected a result: generate_project into a fresh directory")
            return CheckBlocked(GENERATE, f"generate_project failed: {reply.summary()}")
        return target


def one_line(failure: str) -> str:
    """The gist of a failure message in one line: what came back, without the rule."""
    lines = [line.strip() for line in failure.splitlines() if line.strip()]
    gist = next((line[4:].strip() for line in lines if line.startswith("got ")), lines[0] if lines else "")
    return gist.split(" [MUST", 1)[0][:200]


def option_methods(option: dict[str, Any], member: str) -> list[str]:
    """The method names in an option's `required` or `optional` list (absent, null or malformed: none)."""
    value = option.get(member)
    return [m for m in value if isinstance(m, str)] if isinstance(value, list) else []


def typed_options(declared: list[dict[str, Any]], given: dict[str, str]) -> dict[str, Any]:
    """The user's --option values converted by declared type (protocol.options' one rule; text for an undeclared type);
    UsageError for a name the server does not declare or a value that does not convert."""
    by_name = {o.get("name"): o for o in declared}
    out = {}
    for name, text in given.items():
        if name not in by_name:
            raise UsageError(f"--option {name}: the server declares no such option; it declares: {', '.join(map(str, by_name)) or 'none'}")
        kind = by_name[name].get("type")
        try:
            out[name] = parse_option_string(kind, text) if kind in rules().value_types else text
        except ValueError as exc:
            raise UsageError(f"--option {name}={text}: not a {kind} value ({exc})") from None
    return out
