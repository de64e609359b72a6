"""pytest plugin: `pytest --microtvm-project DIR [--microtvm-device echo ...]` runs every conformance check as a test item.

The session collects a `microtvm-conformance` collector beside the platform's own tests, with one item
per check and revision (`microtvm-conformance::server_info.schema[v2]`), so `collected N items`,
--collect-only, -k, JUnit XML and CI integration come from pytest; pass, fail and skip (with the
reason) mirror the kit's outcomes, a blocked check is skipped naming the check that blocks it, and
an inherited finding passes with a warning. The server is asked what revisions it offers at
collection. The kit is imported only when the option is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generator, Iterator

import pytest

if TYPE_CHECKING:
    from microtvm_project_api.conformance.check import Check, Result
    from microtvm_project_api.conformance.runner import Runner

RUNNER_KEY = pytest.StashKey["Runner"]()
COLLECTOR_NAME = "microtvm-conformance"
"""The checks' collector: each item's node id is `microtvm-conformance::CHECK_ID[vREVISION]`."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The --microtvm-* options, mirroring `microtvm-project conform`."""
    group = parser.getgroup("microtvm", "microTVM Project API conformance")
    group.addoption("--microtvm-project", metavar="DIR", help="run the conformance checks against this template or generated project")
    group.addoption("--microtvm-device", choices=("none", "echo"), default="none", help="echo: the device echoes every byte")
    group.addoption("--microtvm-timeout", metavar="SEC", type=float, default=60.0, help="deadline for every call and for start-up")
    group.addoption("--microtvm-revision", "--microtvm-protocol-version", dest="microtvm_revision", choices=("auto", "1", "2"),
                    default="auto", help="the revision to judge (default: every revision the server offers)")
    group.addoption("--microtvm-python", metavar="PATH", help="interpreter for a server without launch script")
    group.addoption("--microtvm-start-timeout", metavar="SEC", type=float, default=300.0,
                    help="time a launch script may take to start the server")
    group.addoption("--microtvm-option", metavar="NAME=VALUE", action="append", default=[], help="a platform option (repeatable)")
    group.addoption("--microtvm-mlf", metavar="FILE", help="Model Library Format archive for generate_project")
    group.addoption("--microtvm-standalone-crt-dir", metavar="DIR", help="standalone CRT directory for generate_project")
    group.addoption("--microtvm-expected-failures", metavar="FILE", help="check ids known to fail, one per line")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """Add the checks' collector to what the session collects, so pytest counts, lists and selects their items as its own.
    (An old-style wrapper: `wrapper=True` needs pluggy 1.1, newer than what pytest 7 may come with.)"""
    project = collector.config.getoption("microtvm_project")
    if not project or not isinstance(collector, pytest.Session):
        yield
        return
    _check_project(project)
    _runner(collector.config)  # a usage error (a bad option) stops pytest here, before anything is collected
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.passed:
        report.result.append(ConformanceChecks.from_parent(collector, name=COLLECTOR_NAME, nodeid=COLLECTOR_NAME))


def _check_project(project: str) -> None:
    """The kit's extra is installed and the directory holds a server, or a usage error saying what is missing."""
    from microtvm_project_api.cli.extras import MissingExtraError, require
    from microtvm_project_api.protocol.launch import ServerNotFoundError, launch_command

    try:
        require("conformance", "pytest --microtvm-project")
        launch_command(Path(project))
    except MissingExtraError as exc:
        raise pytest.UsageError(str(exc)) from None
    except ServerNotFoundError as exc:
        raise pytest.UsageError(f"--microtvm-project: {exc}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the servers and remove what the run created."""
    runner = config.stash.get(RUNNER_KEY, None)
    if runner is not None:
        runner.close()


class ConformanceFailure(Exception):
    """A check failed: carries the kit's result for the report."""

    def __init__(self, result: "Result") -> None:
        super().__init__(result.message)
        self.result = result


class ConformanceChecks(pytest.Collector):
    """The conformance checks: one item per check and revision the server offers (asked when the run started)."""

    def collect(self) -> Iterator["ConformanceItem"]:
        from microtvm_project_api.conformance.check import all_checks

        for revision in _runner(self.config).revisions:
            for check in all_checks():
                yield ConformanceItem.from_parent(self, name=f"{check.id}[v{revision}]", check=check, revision=revision)


class ConformanceItem(pytest.Item):
    """One conformance check as a pytest test."""

    def __init__(self, *, check: "Check", revision: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.revision = revision

    def runtest(self) -> None:
        """Run the check; map its outcome to pytest's (skip, block and xfail with the reason)."""
        from microtvm_project_api.conformance.check import Outcome

        result = _runner(self.config).run(self.check, self.revision)
        if result.outcome in (Outcome.SKIP, Outcome.BLOCKED):
            pytest.skip(result.message)
        if result.outcome is Outcome.XFAIL:
            pytest.xfail(f"expected failure: {result.message.splitlines()[0] if result.message else ''}")
        if result.outcome in (Outcome.FAIL, Outcome.STALE, Outcome.ERROR):
            raise ConformanceFailure(result)
        if result.outcome is Outcome.WARN:
            self.warn(pytest.PytestWarning(f"{self.check.id} (SHOULD): {result.message}"))
        if result.outcome is Outcome.INHERITED:
            self.warn(pytest.PytestWarning(f"{self.check.id} (revision 1, inherited): {result.message}"))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The kit's own failure text: what was sent, what came back, the rule."""
        if isinstance(excinfo.value, ConformanceFailure):
            from microtvm_project_api.conformance.report import line

            return line(excinfo.value.result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the item comes from: the project under test and the check (line 0: warnings need a line)."""
        return (Path(str(self.config.getoption("microtvm_project"))), 0,
                f"conformance {self.check.id} (revision {self.revision}): {self.check.title}")


def _runner(config: pytest.Config) -> "Runner":
    """The run shared by every item: started at the first item, closed when pytest ends."""
    runner = config.stash.get(RUNNER_KEY, None)
    if runner is None:
        runner = _start(config)
        config.stash[RUNNER_KEY] = runner
    return runner


def _start(config: pytest.Config) -> "Runner":
    from microtvm_project_api.conformance import expected_failures
    from microtvm_project_api.conformance.check import all_checks
    from microtvm_project_api.conformance.cli import add_arguments, settings_from
    from microtvm_project_api.conformance.context import UsageError
    from microtvm_project_api.conformance.runner import Runner

    parser = argparse.ArgumentParser(prog="pytest --microtvm-project")
    add_arguments(parser)
    argv = [str(config.getoption("microtvm_project")), "--device", config.getoption("microtvm_device"),
            "--timeout", str(config.getoption("microtvm_timeout")), "--revision", config.getoption("microtvm_revision"),
            "--start-timeout", str(config.getoption("microtvm_start_timeout"))]
    argv += [a for value in config.getoption("microtvm_option") for a in ("--option", value)]
    for flag, name in (("--mlf", "microtvm_mlf"), ("--standalone-crt-dir", "microtvm_standalone_crt_dir"), ("--python", "microtvm_python")):
        if config.getoption(name):
            argv += [flag, config.getoption(name)]
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        raise pytest.UsageError(f"--microtvm-*: invalid arguments {argv}") from None
    try:
        settings = settings_from(args)
        path = config.getoption("microtvm_expected_failures")
        known = expected_failures.load(Path(path), {c.id for c in all_checks()}) if path else set()
        runner = Runner(settings, known)
        runner.start()
    except UsageError as exc:
        raise pytest.UsageError(f"--microtvm-project: {exc}") from None
    return runner
