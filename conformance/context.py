"""What every check sees: the run's settings, the server under test, and everything the run created.

The primary session (the server of PROJECT_DIR) and the generated project's session are started
lazily, shared between checks and restarted when a check left them dead. Every process and
directory a check creates is tracked here and removed at the end of the check or of the run,
whether the check passed or not.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from microtvm_project_api.conformance.check import CheckFailed, CheckSkipped
from microtvm_project_api.conformance.progress import SILENT, Progress
from microtvm_project_api.conformance.session import Reply, Session, Transcript
from microtvm_project_api.protocol.registry import LATEST_REVISION, REVISIONS

TVM_VERSION = "0.18.0"
OPTION_METHODS = ("generate_project", "build", "flash", "open_transport")
TRANSPORT_METHODS = ("open_transport", "close_transport", "read_transport", "write_transport")


class UsageError(Exception):
    """The kit cannot run with these arguments (exit status 2)."""


@dataclass
class Settings:
    """The command line, parsed: what to check and how."""

    project_dir: Path
    device: str = "none"
    timeout: float = 60.0
    protocol_version: int | None = None
    options: dict[str, str] = field(default_factory=dict)
    mlf: Path | None = None
    standalone_crt_dir: Path | None = None
    skip: tuple[str, ...] = ()
    progress: Progress = field(default=SILENT, compare=False, repr=False)


class Context:
    """Shared state of one conformance run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.transcript = Transcript()
        self.workdir = Path(tempfile.mkdtemp(prefix="microtvm-conform-"))
        self.info: dict[str, Any] = {}
        self.revision = settings.protocol_version or LATEST_REVISION
        self.known_revision = False
        self.options: dict[str, Any] = {}
        self.hung: dict[tuple[Path, str], str] = {}
        self._check_sessions: list[Session] = []
        self._shared: dict[Path, Session] = {}
        self._broken: dict[Path, str] = {}
        self._generated: Path | str | None = None
        self.generation_error: str | None = None
        self._device_info: tuple[Session, dict[str, Any]] | None = None
        self.built = False
        self._prepared: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self, project_dir: Path | None = None, stdin: int | IO[bytes] = subprocess.DEVNULL) -> Session:
        """A fresh server for the running check only; it is closed when the check ends."""
        session = Session(project_dir or self.settings.project_dir, self.settings.timeout, self.transcript, self.revision, stdin, self.hung,
                          progress=self.settings.progress)
        self._check_sessions.append(session)
        return session

    def query_info(self, session: Session, strict: bool = True) -> dict[str, Any]:
        """server_info_query on `session`; CheckFailed unless it returns an object (valid for the revision when `strict`).

        Checks about something else read the server's declarations leniently, so that one schema
        defect fails server_info.schema rather than every check.
        """
        reply = session.call("server_info_query", {"tvm_version": TVM_VERSION}, validate=strict)
        if reply.error is not None or not isinstance(reply.result, dict):
            raise CheckFailed(f"server_info_query failed: {reply.describe()}")
        return reply.result

    def session(self, project_dir: Path | None = None) -> Session:
        """The shared, running server of `project_dir` (PROJECT_DIR by default), restarted if a check killed it."""
        where = project_dir or self.settings.project_dir
        current = self._shared.get(where)
        if current is not None and current.alive:
            return current
        if where in self._broken:
            raise CheckSkipped(f"the server of {where} does not start (see process.starts): {self._broken[where]}")
        session = Session(where, self.settings.timeout, self.transcript, self.revision if self.known_revision else None,
                          hung=self.hung, progress=self.settings.progress)
        self._shared[where] = session
        try:
            self.query_info(session, strict=False)
        except CheckFailed as exc:
            session.kill()
            self._broken[where] = " ".join(line.strip() for line in str(exc).splitlines())[:600]
            raise CheckSkipped(f"the server of {where} does not start (see process.starts): {self._broken[where]}") from None
        return session

    def set_revision(self, revision: int) -> None:
        """Judge every reply from now on in `revision`."""
        self.revision = revision
        self.known_revision = True
        for session in self._shared.values():
            session.revision = revision

    def end_check(self) -> None:
        """Close every server the finished check started for itself."""
        while self._check_sessions:
            self._check_sessions.pop().close()

    def close(self) -> None:
        """End of run: stop every server, remove every directory the run created."""
        self.end_check()
        for session in self._shared.values():
            session.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def new_path(self, name: str) -> Path:
        """A path that does not exist yet inside the run's own directory (removed at the end)."""
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir)) / name

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
        """The user's --option values (all of them, as TVM sends every option to every method); skip when a required one is missing."""
        info = self.info if info is None else info
        for option in self.declared_options(info):
            if method in option_methods(option, "required") and option["name"] not in self.options:
                raise CheckSkipped(f"option {option['name']} is required for {method}: pass --option {option['name']}=VALUE")
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
        """--standalone-crt-dir, else the directory the sample model package provides."""
        if self.settings.standalone_crt_dir is not None:
            return self.settings.standalone_crt_dir
        from microtvm_project_api.sample_model import standalone_crt_dir

        return standalone_crt_dir()

    def generate_params(self, project_dir: Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """Params of a generate_project call into `project_dir`, with the user's options unless others are given."""
        return {
            "model_library_format_path": str(self.mlf().resolve()),
            "standalone_crt_dir": str(self.standalone_crt_dir().resolve()),
            "project_dir": str(project_dir),
            "options": self.options_for("generate_project") if options is None else options,
        }

    def generated_project(self) -> Path:
        """A project generated from the template (once per run), or PROJECT_DIR when it is a generated project."""
        if not self.is_template:
            return self.settings.project_dir
        if self._generated is None:
            self._generated = self._generate()
        if isinstance(self._generated, str):
            raise CheckSkipped(f"no generated project: {self._generated}")
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
        """Build and flash the device project once, as open_transport needs on a real platform; skip when that fails.

        Flashing is left out when the user skips template.flash (no board attached).
        """
        if self._prepared is None:
            self._prepared = self._build_and_flash()
        if self._prepared:
            raise CheckSkipped(f"the device project is not ready for open_transport: {self._prepared}")

    @property
    def flash_skipped(self) -> bool:
        """Whether the user skipped flashing (--skip template.flash or template): no board is attached."""
        return bool({"template", "template.flash"} & set(self.settings.skip))

    def excuse_unflashed(self, reply: Reply, info: dict[str, Any]) -> None:
        """Skip rather than fail when open_transport was refused on a platform that flashes while flashing is skipped."""
        if reply.error is not None and self.flash_skipped and self.supported("flash", info):
            raise CheckSkipped(f"open_transport failed, and flashing is skipped (--skip): {reply.error.get('message')}")

    def _build_and_flash(self) -> str:
        info = self.device_info()
        for method in ("build",) if self.flash_skipped else ("build", "flash"):
            if not self.supported(method, info):
                continue
            try:
                reply = self.device_session().call(method, {"options": self.options_for(method, info)})
            except (CheckSkipped, CheckFailed) as exc:
                return f"{method}: {str(exc).splitlines()[-1].strip()}"
            if reply.error is not None:
                return f"{method} failed (see template.{method}): {reply.error.get('message')}"
        return ""

    def _generate(self) -> Path | str:
        """Generate the run's project; a failure the server is to blame for is kept in generation_error."""
        try:
            self.require("generate_project")
            target = self.new_path("project")
            reply = self.session().call("generate_project", self.generate_params(target))
        except CheckSkipped as exc:
            return str(exc)
        except CheckFailed as exc:
            self.generation_error = str(exc)
            return "generate_project failed (see template.generate-project)"
        if reply.error is not None:
            self.generation_error = f"{reply.describe()}\n  expected a result: generate_project into a fresh directory"
            return "generate_project failed (see template.generate-project)"
        return target


def option_methods(option: dict[str, Any], member: str) -> list[str]:
    """The method names in an option's `required` or `optional` list (absent, null or malformed: none)."""
    value = option.get(member)
    return [m for m in value if isinstance(m, str)] if isinstance(value, list) else []


def parse_option_value(option: dict[str, Any], text: str) -> Any:
    """Convert a --option value to the option's declared type; UsageError when it does not convert."""
    kind = option.get("type")
    try:
        if kind == "bool":
            lowered = text.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if kind == "int":
            return int(text, 0)
        if kind == "float":
            return float(text)
    except ValueError as exc:
        raise UsageError(f"--option {option['name']}={text}: not a {kind} value ({exc})") from None
    return text


def typed_options(declared: list[dict[str, Any]], given: dict[str, str]) -> dict[str, Any]:
    """The user's --option values converted by declared type; UsageError for a name the server does not declare."""
    by_name = {o.get("name"): o for o in declared}
    out = {}
    for name, text in given.items():
        if name not in by_name:
            raise UsageError(f"--option {name}: the server declares no such option; it declares: {', '.join(map(str, by_name)) or 'none'}")
        out[name] = parse_option_value(by_name[name], text)
    return out


def check_revision(reported: Any, forced: int | None) -> int:
    """The revision to judge in: the forced one, else the reported one when it is known, else the latest."""
    if forced is not None:
        return forced
    return reported if reported in REVISIONS else LATEST_REVISION
