"""The entry point of a microtvm_api_server.py: TVM's launch convention (--read-fd, --write-fd, --debug).

`main(MyHandler)` parses the arguments, logs to stderr (stdout and the reply fd stay clean),
serves until end of file on the request fd and returns 0, so a server ends with
`sys.exit(main(MyHandler))`. The server offers revisions 1 and 2: TVM's shipped client gets revision 1, the
typed client revision 2, with no setting on either side; `revisions=` restricts what it offers.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Iterable, Sequence

from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.loop import Server


def build_parser() -> argparse.ArgumentParser:
    """The launch convention's command line."""
    parser = argparse.ArgumentParser(description="A microTVM Project API server.")
    parser.add_argument("--read-fd", type=int, required=True, help="inherited fd the requests arrive on")
    parser.add_argument("--write-fd", type=int, required=True, help="inherited fd the replies are written to")
    parser.add_argument("--debug", action="store_true", help="log debug messages to stderr")
    return parser


def main(handler: ProjectApiHandler | Callable[[], ProjectApiHandler], argv: Sequence[str] | None = None,
         revisions: Iterable[int] = REVISIONS) -> int:
    """Serve `handler` (an instance, or a class or factory called with no argument) in `revisions`; 0 at end of file."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    instance = handler if isinstance(handler, ProjectApiHandler) else handler()
    Server(instance, revisions).serve(args.read_fd, args.write_fd)
    return 0
