"""`microtvm-project`: one command, subcommands contributed by the packages that implement them.

Each module in COMMAND_MODULES exposes `register(subparsers)`, adding its subcommands with a
`handler(args) -> int` default. Modules are imported only when their command is run (or for
--help), so `microtvm-project info` never imports the conformance kit.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Sequence

# subcommand -> module that registers it
COMMAND_MODULES = {
    "info": "microtvm_project_api.client.cli",
    "generate": "microtvm_project_api.client.cli",
    "build": "microtvm_project_api.client.cli",
    "flash": "microtvm_project_api.client.cli",
    "conform": "microtvm_project_api.conformance.cli",
    "spec": "microtvm_project_api.spec_tools.cli",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with the subcommands of every module, or only of the module providing `only`."""
    parser = argparse.ArgumentParser(prog="microtvm-project", description="Drive and check microTVM Project API servers.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages, the server's own included")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
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
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
