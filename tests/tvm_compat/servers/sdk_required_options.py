"""An SDK server (no TVM shape) declaring a required option and options without a default, the ones TVM's client
sends as null: build, flash and open_transport record what they received; the transport is a loopback."""

import json
import sys

from microtvm_project_api.server_sdk import (
    IoTimeoutError,
    ProjectApiHandler,
    ProjectOption,
    TransportClosedError,
    TransportTimeouts,
    main,
)


class RequiredOptionsHandler(ProjectApiHandler):
    platform_name = "required"
    project_options = (
        ProjectOption("board", "str", "The board.", required=("build", "flash", "open_transport"), choices=("a", "b")),
        ProjectOption("serial_number", "str", "Which attached board.", optional=("flash", "open_transport")),
        ProjectOption("jobs", "int", "Parallel build jobs.", optional=("build",)),
        ProjectOption("verbose", "bool", "Chatty.", optional=("build",), default=False),
    )

    def __init__(self):
        super().__init__()
        self.loopback = None

    def record(self, method, options):
        (self.project_dir / f"{method}.json").write_text(json.dumps(options, sort_keys=True))

    def build(self, options):
        self.record("build", options)

    def flash(self, options):
        self.record("flash", options)

    def open_transport(self, options):
        self.record("open_transport", options)
        self.loopback = bytearray()
        return TransportTimeouts(session_start_retry_timeout_sec=1, session_start_timeout_sec=1, session_established_timeout_sec=1)

    def close_transport(self):
        self.loopback = None

    def read_transport(self, n, timeout_sec):
        if self.loopback is None:
            raise TransportClosedError("not open")
        if not self.loopback:
            raise IoTimeoutError("nothing to read")
        data = bytes(self.loopback[:n])
        del self.loopback[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self.loopback is None:
            raise TransportClosedError("not open")
        self.loopback += data


if __name__ == "__main__":
    sys.exit(main(RequiredOptionsHandler))
