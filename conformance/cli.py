"""`microtvm-project conform PROJECT_DIR`: run the conformance checks against a template or generated project.

Every revision the server offers is judged (or the one --revision names), each with its own
header. Exit status: 0 when every applicable MUST check passed, 1 when any failed, 2 when the kit
could not run at all (no server in PROJECT_DIR, bad arguments, a report it cannot write), 3 when
checks were skipped because an option the platform requires got no value (unless --allow-partial).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import Any, Iterator

from microtvm_project_api.cli import extras
from microtvm_project_api.cli.terminal import StepLog, Terminal
from microtvm_project_api.conformance import expected_failures, report
from microtvm_project_api.conformance.check import Check, Outcome, Result, all_checks, missing_options
from microtvm_project_api.conformance.context import Settings, UsageError
from microtvm_project_api.conformance.runner import NOT_RUN, Runner, exit_status

USAGE_ERROR = NOT_RUN
SERVER_LOGS = "microtvm_project_api.server"
SHOW_SECONDS_FROM = 1.0
"""A check that took this long shows its duration on its line."""
OUTCOME_COLOURS = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.ERROR: "red", Outcome.STALE: "red",
                   Outcome.WARN: "yellow", Outcome.SKIP: "dim", Outcome.XFAIL: "dim", Outcome.INHERITED: "yellow",
                   Outcome.BLOCKED: "dim"}
QUIET_SHOWN = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.STALE, Outcome.WARN})


def register(subparsers: Any) -> None:
    """Add the `conform` subcommand."""
    parser = subparsers.add_parser("conform", help="check a Project API server against the spec",
                                   description="Check a template or generated project's Project API server against the spec, over the wire only.",
                                   epilog="Revision 1 findings that TVM's server module causes are reported INHERITED, never as "
                                          "failures. A platform whose generate_project compiles the model or the C runtime needs "
                                          "the compiler's real CRT (--standalone-crt-dir, TVM's standalone_crt) and a real Model "
                                          "Library Format archive of a model it can build (--mlf). "
                                          "Exit status: 0 every applicable MUST check passed, 1 a check failed (or an expected "
                                          "failure passed), 2 the kit could not run (no server, bad arguments, a report path it "
                                          "cannot write), 3 checks were skipped because an option the platform requires got no "
                                          "value: the summary names each --option NAME=VALUE to pass (--allow-partial accepts "
                                          "the partial verdict: exit 0).")
    add_arguments(parser)
    parser.set_defaults(handler=handle)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the contract (shared with the pytest plugin, which builds the same Settings)."""
    parser.add_argument("project_dir", metavar="PROJECT_DIR", nargs="?", type=Path, help="a template or generated project directory")
    parser.add_argument("--device", choices=("none", "echo"), default="none",
                        help="echo: the device echoes every byte, enabling the data-integrity checks")
    parser.add_argument("--timeout", metavar="SEC", type=_positive_float, default=60.0,
                        help="deadline for every single call, the first reply of a server included (default 60)")
    parser.add_argument("--start-timeout", metavar="SEC", type=_positive_float, default=300.0,
                        help="time a launch script may take to start the server, on top of the first call's deadline (default 300)")
    parser.add_argument("--revision", "--protocol-version", dest="revision", choices=("auto", "1", "2"), default="auto",
                        help="the revision to judge (default auto: every revision the server offers, asked both ways)")
    parser.add_argument("--python", metavar="PATH",
                        help="interpreter for a microtvm_api_server.py without launch script (default: this one), e.g. the "
                             "virtualenv holding the platform's dependencies")
    parser.add_argument("--option", metavar="NAME=VALUE", action="append", default=[], type=_option,
                        help="a platform option, converted by the type the server declares (repeatable)")
    parser.add_argument("--mlf", metavar="FILE", type=Path,
                        help="Model Library Format archive for generate_project (default: the kit's sample model, plain C); "
                             "pass one the platform can build when it compiles the model")
    parser.add_argument("--standalone-crt-dir", metavar="DIR", type=Path,
                        help="the compiler's standalone C runtime for generate_project (default: a stand-in shaped like TVM's "
                             "standalone_crt: include/, src/, CMakeLists.txt, with no runtime in it); pass TVM's own "
                             "when the platform builds the runtime")
    parser.add_argument("--skip", metavar="ID_OR_GROUP", action="append", default=[], help="skip a check or a group (repeatable)")
    parser.add_argument("--list-checks", action="store_true", help="list every check with its rule and exit")
    parser.add_argument("--junit-xml", metavar="FILE", type=Path, help="write a JUnit XML report")
    parser.add_argument("--report-json", metavar="FILE", type=Path, help="write a JSON report with check ids and spec references")
    parser.add_argument("--allow-partial", action="store_true",
                        help="accept a partial verdict: checks skipped because a required option got no value do not make "
                             "the exit status 3")
    parser.add_argument("--expected-failures", metavar="FILE", type=Path,
                        help="check ids known to fail, one per line (ID for every revision, ID@N for revision N); "
                             "an entry that passes is reported stale")


def handle(args: argparse.Namespace) -> int:
    """Run the checks, print one line per check, write the reports; the exit status of the contract."""
    verbose, quiet = getattr(args, "verbose", False), getattr(args, "quiet", False)
    if not verbose:
        logging.getLogger(SERVER_LOGS).setLevel(logging.ERROR)  # failures carry the stderr tail they need
    checks = all_checks()
    if args.list_checks:
        print(report.check_listing(checks))
        return 0
    extras.require("conformance", "microtvm-project conform")
    terminal = Terminal(quiet=quiet, verbose=verbose)
    try:
        settings = dataclasses.replace(settings_from(args), progress=StepLog(terminal))
        known = expected_failures.load(args.expected_failures, {c.id for c in checks}) if args.expected_failures else set()
        _check_skips(args.skip, checks)
        runner = Runner(settings, known)
        results: list[Result] = []
        try:
            terminal.push_status("starting the server")
            runner.start()
            terminal.pop_status()
            for revision in runner.revisions:
                if not quiet:
                    terminal.line(runner.header(revision))
                shown = _judge(runner, checks, revision, results, terminal, quiet)
                for text in report.lines(shown, lambda result: result_line(result, terminal)):
                    terminal.line(text)
        finally:
            runner.close()
            terminal.close()
    except UsageError as exc:
        print(f"microtvm-project conform: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    status = exit_status(results, args.allow_partial)
    for text in partial_lines(results, args.allow_partial):
        print(text)
    print(f"{totals_line(results, len(runner.revisions) > 1)}: exit status {status}")
    try:
        if args.junit_xml:
            report.write_junit(results, args.junit_xml)
        if args.report_json:
            report.write_json(results, args.report_json, settings.project_dir, runner.revisions, sorted(runner.offer.hellos))
    except OSError as exc:
        print(f"microtvm-project conform: error: cannot write the report: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return status


def _judge(runner: Runner, checks: list[Check], revision: int, results: list[Result], terminal: Terminal,
           quiet: bool) -> Iterator[Result]:
    """Each check's result in `revision` as it ends (with a live status while it runs), also kept in `results`;
    with `quiet` only the failures."""
    for number, check in enumerate(checks, 1):
        terminal.push_status(f"[{number}/{len(checks)}] {check.id}")
        try:
            result = runner.run(check, revision)
        finally:
            terminal.pop_status()
        results.append(result)
        if not quiet or result.outcome in QUIET_SHOWN:
            yield result


def result_line(result: Result, terminal: Terminal) -> str:
    """The report's line of one check, its outcome in colour on a terminal and its duration when it was slow."""
    text = report.line(result)
    label, rest = text[:5], text[5:]
    head, newline, details = rest.partition("\n")
    if result.seconds >= SHOW_SECONDS_FROM:
        head += f" ({result.seconds:.1f} s)"
    return terminal.paint(label, OUTCOME_COLOURS[result.outcome]) + head + newline + details


def totals_line(results: list[Result], by_revision: bool = False) -> str:
    """The last line: how many checks ended how, and which failed (with their revision when several were judged)."""
    failed = [f"{r.check.id}@{r.revision}" if by_revision else r.check.id
              for r in results if r.outcome in (Outcome.FAIL, Outcome.STALE, Outcome.ERROR)]
    return f"{len(results)} checks: {report.totals(results)}" + (f" (failed: {', '.join(failed)})" if failed else "")


def partial_lines(results: list[Result], allowed: bool) -> list[str]:
    """One line per required option that got no value: how many checks it kept from running and the --option to pass."""
    out = []
    for name, skipped in missing_options(results).items():
        methods = ", ".join(dict.fromkeys(r.missing_option[1] for r in skipped if r.missing_option))
        out.append(f"NOT JUDGED: {len(skipped)} check{'s' if len(skipped) > 1 else ''} skipped or judged in part: option {name} is required for {methods} and got no value:"
                   f" pass --option {name}=VALUE" + (" (partial verdict accepted: --allow-partial)" if allowed else
                                                     " (or --allow-partial to accept a partial verdict)"))
    return out


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from parsed arguments; UsageError for what argparse cannot see (missing paths)."""
    if args.project_dir is None:
        raise UsageError("PROJECT_DIR is required (unless --list-checks)")
    if not args.project_dir.is_dir():
        raise UsageError(f"{args.project_dir} is not a directory")
    if args.mlf is not None and not args.mlf.is_file():
        raise UsageError(f"--mlf {args.mlf}: no such file")
    if args.standalone_crt_dir is not None and not args.standalone_crt_dir.is_dir():
        raise UsageError(f"--standalone-crt-dir {args.standalone_crt_dir}: no such directory")
    if args.python is not None and not os.access(args.python, os.X_OK):
        raise UsageError(f"--python {args.python}: not an executable file")
    for flag, path in (("--junit-xml", getattr(args, "junit_xml", None)), ("--report-json", getattr(args, "report_json", None))):
        if path is not None:
            _check_writable(flag, path)
    options: dict[str, str] = {}
    for name, value in args.option:
        if name in options:
            raise UsageError(f"--option {name} given twice")
        options[name] = value
    return Settings(
        project_dir=args.project_dir.resolve(),
        device=args.device,
        timeout=args.timeout,
        revision=None if args.revision == "auto" else int(args.revision),
        options=options,
        mlf=args.mlf.resolve() if args.mlf else None,
        standalone_crt_dir=args.standalone_crt_dir.resolve() if args.standalone_crt_dir else None,
        skip=tuple(args.skip),
        python=args.python,
        start_timeout=args.start_timeout,
    )


def _check_writable(flag: str, path: Path) -> None:
    """UsageError unless a report can be written at `path`: refused before any check runs, not after all of them."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory")
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: no such directory {parent}")
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise UsageError(f"{flag} {path}: not writable")


def _check_skips(skips: list[str], checks: list[Any]) -> None:
    names = {c.id for c in checks} | {c.group for c in checks}
    unknown = [s for s in skips if s not in names]
    if unknown:
        raise UsageError(f"--skip {', '.join(unknown)}: no such check or group (see --list-checks)")


def _option(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name, value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value
