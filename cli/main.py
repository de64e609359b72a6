# PYTHON_ARGCOMPLETE_OK
"""`microtvm-project`: one command, subcommands contributed by the packages that implement them.

Each module in COMMAND_MODULES exposes `register(subparsers)`, adding its subcommands with a
`handler(args) -> int` default. Modules are imported only when their command is run (or for
--help), so `microtvm-project info` never imports the conformance kit. Shell completion is
argcomplete's (README, "Shell completion").
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from importlib import metadata
from typing import Any, Sequence

from microtvm_project_api.cli.extras import DISTRIBUTION, MissingExtraError
from microtvm_project_api.cli.terminal import print_error
from microtvm_project_api.protocol.interrupts import exit_status, sigterm_raises

# subcommand -> module that registers it
COMMAND_MODULES = {
    "info": "microtvm_project_api.client.cli",
    "generate": "microtvm_project_api.client.cli",
    "build": "microtvm_project_api.client.cli",
    "flash": "microtvm_project_api.client.cli",
    "conform": "microtvm_project_api.conformance.cli",
    "spec": "microtvm_project_api.spec_tools.cli",
    "migrate": "microtvm_project_api.cli.migrate",
    "record": "microtvm_project_api.sessions.cli",
    "replay": "microtvm_project_api.sessions.cli",
}
EXIT_USAGE, EXIT_STDOUT_CLOSED = 2, 128 + signal.SIGPIPE


def add_verbosity(parser: argparse.ArgumentParser, default: Any) -> None:
    """-v/--verbose and -q/--quiet on `parser`."""
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="more detail: debug messages (the server's own included), every slow step")
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="less: no progress lines or status line, only warnings and errors")


class SubcommandParser(argparse.ArgumentParser):
    """A subcommand's parser (nested ones too): -v and -q are accepted after the subcommand as well as before it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_verbosity(self, default=argparse.SUPPRESS)  # absent here: the top-level value stands


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with the subcommands of every module, or only of the module providing `only`."""
    parser = argparse.ArgumentParser(prog="microtvm-project", description="Drive and check microTVM Project API servers.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {metadata.version(DISTRIBUTION)}")
    add_verbosity(parser, default=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=SubcommandParser)
    modules = [COMMAND_MODULES[only]] if only in COMMAND_MODULES else list(dict.fromkeys(COMMAND_MODULES.values()))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command whose implementation is not installed yet
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. Ctrl-C, SIGTERM and a closed stdout end in one line or none, never a traceback."""
    try:
        try:
            with sigterm_raises():  # SIGTERM unwinds like Ctrl-C: servers stopped, temporary directories removed
                return _run(list(sys.argv[1:] if argv is None else argv))
        finally:
            sys.stdout.flush()  # here, not at interpreter exit, where a closed pipe could only be reported as a traceback
    except KeyboardInterrupt as exc:
        print("microtvm-project: interrupted", file=sys.stderr)
        return exit_status(exc)
    except BrokenPipeError:
        return _stdout_closed()


def _run(argv: list[str]) -> int:
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions: answer and exit
        import argcomplete

        argcomplete.autocomplete(build_parser())
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if args.verbose and args.quiet:
        parser.error("-v/--verbose and -q/--quiet exclude each other")
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except MissingExtraError as exc:
        print_error(f"{parser.prog} {args.command}: error: {exc}")
        return EXIT_USAGE


def _stdout_closed() -> int:
    """The reader of stdout went away (`| head`): end quietly with the status of a writer stopped by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
    os.close(devnull)
    return EXIT_STDOUT_CLOSED


if __name__ == "__main__":
    sys.exit(main())
