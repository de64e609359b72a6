"""`microtvm-project info | generate | build | flash`: a person driving a platform from the shell.

Platform options are given as `--option NAME=VALUE` (repeatable, split at the first `=`) and
converted by the type the server declares; `--help` with a project directory appends that
project's options, read from its server. Exit codes: 0 done, 1 the server or the protocol
failed (message, no traceback), 2 usage (bad arguments, unknown or invalid options, no server).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from typing import Any, Callable, Sequence

from microtvm_project_api.cli.terminal import print_error
from microtvm_project_api.client.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.client.errors import OptionsError, ServerNotFoundError
from microtvm_project_api.protocol.agreement import DEFAULT_TVM_VERSION
from microtvm_project_api.protocol.errors import ProjectApiError, RemoteError
from microtvm_project_api.protocol.interrupts import exit_status
from microtvm_project_api.protocol.options import DeclaredOption, convert_option_strings, option_methods, show_value
from microtvm_project_api.protocol.server_traceback import exception_line

logger = logging.getLogger("microtvm_project_api.cli")
PROGRESS_INTERVAL_SEC = 10.0
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add info, generate, build and flash to the `microtvm-project` command."""
    info = subparsers.add_parser("info", help="show a project's platform, revision, methods and options",
                                 description="Launch a project's server and show what it declares.")
    info.add_argument("project_dir", metavar="DIR", help="a template or generated project directory")
    info.add_argument("--json", action="store_true", help="print the server_info_query result as JSON")
    _add_session_arguments(info)
    info.set_defaults(handler=_handler(_info, info))

    generate = _operation_parser(subparsers, "generate", "generate a project from a template and a Model Library Format archive")
    generate.add_argument("template_dir", metavar="TEMPLATE_DIR", nargs="?", help="the platform's template project")
    generate.add_argument("mlf", metavar="MLF", nargs="?", help="the Model Library Format archive (.tar)")
    generate.add_argument("generated_dir", metavar="PROJECT_DIR", nargs="?", help="the directory to create")
    generate.add_argument("--standalone-crt-dir", metavar="DIR", help="the compiler's standalone C runtime sources (required)")
    generate.set_defaults(handler=_handler(_generate, generate), method="generate_project", project_arg="template_dir",
                          positionals={"template_dir": "TEMPLATE_DIR", "mlf": "MLF", "generated_dir": "PROJECT_DIR"})

    for name, summary in (("build", "build a generated project"), ("flash", "flash a built project onto its device")):
        operation = _operation_parser(subparsers, name, summary)
        operation.add_argument("project_dir", metavar="DIR", nargs="?", help="the generated project directory")
        operation.set_defaults(handler=_handler(_build_or_flash, operation), method=name, project_arg="project_dir",
                               positionals={"project_dir": "DIR"})


def _operation_parser(subparsers: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand taking platform options; its --help also lists the project's own options."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                                                            add_help=False)
    parser.add_argument("-h", "--help", action="store_true",
                        help="show this help; with a project directory, also the options its server declares")
    parser.add_argument("--option", metavar="NAME=VALUE", action="append", type=_name_value, default=[],
                        help="a platform option (repeatable; VALUE may contain '='); see --help with a project directory")
    _add_session_arguments(parser)
    return parser


def _add_session_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, metavar="SEC", help="deadline of each call in seconds (default: 600 for generate, build and flash, 30 otherwise)")
    parser.add_argument("--python", metavar="PATH", help="interpreter for microtvm_api_server.py (default: this one)")
    parser.add_argument("--transcript", metavar="FILE", help="record every request and reply as JSON lines")
    parser.add_argument("--tvm-version", default=DEFAULT_TVM_VERSION, help="the compiler version sent to the server (default: %(default)s)")


def _name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _handler(run: Callable[[argparse.Namespace, argparse.ArgumentParser], int], parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """`run` with the exit code convention: error messages without tracebacks."""

    def handle(args: argparse.Namespace) -> int:
        try:
            return run(args, parser)
        except (OptionsError, ServerNotFoundError) as exc:
            print_error(f"{parser.prog}: error: {exc}")
            return EXIT_USAGE
        except ProjectApiError as exc:
            print_error(f"{parser.prog}: error: {type(exc).__name__}: {exc}")
            cause = exception_line(exc.server_traceback or "") if isinstance(exc, RemoteError) else ""
            if cause:
                print_error(f"{parser.prog}: the server raised: {cause}")
            return EXIT_FAILED
        except KeyboardInterrupt as exc:
            print(f"{parser.prog}: interrupted; the server was stopped", file=sys.stderr)
            return exit_status(exc)

    return handle


def _launch(args: argparse.Namespace, project_dir: str) -> ProjectApiClient:
    return ProjectApiClient.launch(project_dir, python=args.python, transcript=args.transcript, tvm_version=args.tvm_version,
                                   timeouts=CallTimeouts() if args.timeout is None else CallTimeouts(default=args.timeout), debug=getattr(args, "verbose", False))


def _info(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    with _launch(args, args.project_dir) as client:
        info = client.server_info
        if args.json:
            print(info.model_dump_json(indent=2))
            return EXIT_OK
        rows = [
            ("project", os.path.abspath(args.project_dir)),
            ("platform", info.platform_name),
            ("revision", f"{client.revision} (payloads in {client.codec.name})"),
            ("template", "yes" if info.is_template else "no"),
            ("model library format", info.model_library_format_path or "-"),
            ("methods", ", ".join(client.supported_methods)),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label + ':':<{width + 2}}{value}")
        print()
        print(options_table(client.project_options) if client.project_options else "options: none")
    return EXIT_OK


def _generate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.help:
        return _help(args, parser)
    _require(parser, args)
    if not args.standalone_crt_dir:
        parser.error("the following arguments are required: --standalone-crt-dir")
    with _launch(args, args.template_dir) as client:
        options = convert_option_strings(client.project_options, dict(args.option))
        with Progress("generate_project"):
            client.generate_project(args.mlf, args.standalone_crt_dir, args.generated_dir, options, timeout=args.timeout)
    print(f"generated {os.path.abspath(args.generated_dir)}")
    return EXIT_OK


def _build_or_flash(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.help:
        return _help(args, parser)
    _require(parser, args)
    with _launch(args, args.project_dir) as client:
        options = convert_option_strings(client.project_options, dict(args.option))
        with Progress(args.method):
            getattr(client, args.method)(options, timeout=args.timeout)
    return EXIT_OK


def _require(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    missing = [metavar for dest, metavar in args.positionals.items() if getattr(args, dest) is None]
    if missing:
        parser.error(f"the following arguments are required: {', '.join(missing)}")


def _help(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The subcommand's help, then the options the project's server declares for this method."""
    parser.print_help()
    project_dir = getattr(args, args.project_arg)
    if project_dir is None:
        print(f"\nGive a project directory to list its platform options, e.g. {parser.prog} DIR --help")
        return EXIT_OK
    with _launch(args, project_dir) as client:
        used = [o for o in client.project_options
                if args.method in option_methods(o, "required") + option_methods(o, "optional")]
        info = client.server_info
        print(f"\nplatform options of {project_dir} ({info.platform_name}, revision {client.revision}) for {args.method}:")
        print(options_table(used) if used else "  none")
    return EXIT_OK


def options_table(options: Sequence[DeclaredOption]) -> str:
    """Options as an aligned text table: name, type, default, choices, required for, optional for, help."""
    header = ("NAME", "TYPE", "DEFAULT", "CHOICES", "REQUIRED FOR", "OPTIONAL FOR", "HELP")
    rows = [header] + [
        (o.name, o.type.value, "-" if o.default is None else show_value(o.default),
         ", ".join(show_value(c) for c in o.choices) if o.choices else "-",
         ", ".join(option_methods(o, "required")) or "-", ", ".join(option_methods(o, "optional")) or "-", o.help)
        for o in options
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows)


class Progress:
    """Log the start of a long call, a line every PROGRESS_INTERVAL_SEC while it runs, and its duration at the end."""

    def __init__(self, method: str, interval: float = PROGRESS_INTERVAL_SEC) -> None:
        self.method = method
        self.interval = interval
        self._done = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> "Progress":
        self.started = time.monotonic()
        logger.info("%s: started", self.method)
        self._ticker.start()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._done.set()
        self._ticker.join()
        elapsed = time.monotonic() - self.started
        logger.info("%s: %s after %.1f s", self.method, "failed" if exc_type else "done", elapsed)

    def _tick(self) -> None:
        while not self._done.wait(self.interval):
            logger.info("%s: still running (%.0f s)", self.method, time.monotonic() - self.started)
