"""The entry point of a microtvm_api_server.py: TVM's launch convention (--read-fd, --write-fd, --debug).

`main(MyHandler)` parses the arguments, logs to stderr (stdout and the reply fd stay clean),
serves until end of file on the request fd and returns 0, so a server ends with
`sys.exit(main(MyHandler))`. The server offers revisions 1 and 2: TVM's shipped client gets revision 1, the
typed client revision 2, with no setting on either side; `revisions=` restricts what it offers.

SIGTERM (what a client sends first when it stops a server, on a deadline or at close) and SIGINT
raise Interrupted in the main thread, as SIGINT's KeyboardInterrupt would: the call in progress
unwinds through its cleanups (generate_project removes the project directory it was making), the
transport is closed, and main returns 128 + the signal's number. A second signal does not
interrupt that cleanup.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Callable, Iterable, Iterator, Sequence

from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.server_sdk.handler import ProjectApiHandler
from microtvm_project_api.server_sdk.loop import Server

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

logger = logging.getLogger(__name__)


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived while serving (a BaseException, like KeyboardInterrupt, so handlers do not swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def build_parser() -> argparse.ArgumentParser:
    """The launch convention's command line."""
    parser = argparse.ArgumentParser(description="A microTVM Project API server.")
    parser.add_argument("--read-fd", type=int, required=True, help="inherited fd the requests arrive on")
    parser.add_argument("--write-fd", type=int, required=True, help="inherited fd the replies are written to")
    parser.add_argument("--debug", action="store_true", help="log debug messages to stderr")
    return parser


def main(handler: ProjectApiHandler | Callable[[], ProjectApiHandler], argv: Sequence[str] | None = None,
         revisions: Iterable[int] = REVISIONS) -> int:
    """Serve `handler` (an instance, or a class or factory called with no argument) in `revisions`; 0 at end of file, 128 + N on signal N."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.debug else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    instance = handler if isinstance(handler, ProjectApiHandler) else handler()
    server = Server(instance, revisions)
    try:
        with _stop_signals_interrupt():
            server.serve(args.read_fd, args.write_fd)
    except Interrupted as stop:
        logger.warning("%s; the call in progress was abandoned and cleaned up", stop)
        return 128 + stop.signum
    return 0


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT raise Interrupted in the main thread (once); the previous handlers after it."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set signal handlers
        yield
        return
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    for each in STOP_SIGNALS:  # a second signal must not break into the cleanup the first one started
        signal.signal(each, _already_stopping)
    raise Interrupted(signum)


def _already_stopping(signum: int, frame: FrameType | None) -> None:
    """Stopping is under way; the signal adds nothing (the client's SIGKILL after its grace period still ends it)."""
