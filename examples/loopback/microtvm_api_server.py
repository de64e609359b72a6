#!/usr/bin/env python3
"""The smallest complete Project API server: its "device" is an in-memory loopback (bytes written come back).

It is the SDK's tutorial and the fixture of the client, the conformance kit and the benchmarks.
As a template (no model.tar beside it) it generates projects: a copy of this file, the archive as
model.tar and its safe extraction, in a new directory whose server reports is_template false.

It speaks revision 1 to TVM's shipped client (base85 payloads, every ProjectOption member written) and
revision 2 to the typed client, with no setting: the client's server_info_query chooses.
"""

import sys
import time

from microtvm_project_api.server_sdk import (
    IoTimeoutError,
    ProjectApiHandler,
    ProjectOption,
    TransportClosedError,
    TransportTimeouts,
    main,
)
from microtvm_project_api.server_sdk.project import generate_from_template


class LoopbackHandler(ProjectApiHandler):
    """Builds nothing, flashes nothing, and echoes transport bytes."""

    platform_name = "loopback"
    project_options = (
        ProjectOption("verbose", "bool", "Log every call to stderr.", default=False,
                      optional=("generate_project", "build", "flash", "open_transport")),
        ProjectOption("build_type", "str", "Which build to make.", optional=("build",), default="release",
                      choices=("debug", "release")),
    )

    def __init__(self) -> None:
        super().__init__()
        self.echo: bytearray | None = None  # the device's buffer while the transport is open

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        generate_from_template(self.server_file(), model_library_format_path, project_dir)

    def build(self, options):
        (self.project_dir / "build").mkdir(exist_ok=True)
        (self.project_dir / "build" / "build_type").write_text(options["build_type"])

    def flash(self, options):
        if not (self.project_dir / "build").is_dir():
            raise RuntimeError("nothing to flash: call build first")

    def open_transport(self, options):
        self.echo = bytearray()
        return TransportTimeouts(session_start_retry_timeout_sec=1.0, session_start_timeout_sec=5.0,
                                 session_established_timeout_sec=10.0)

    def close_transport(self):
        self.echo = None

    def read_transport(self, n, timeout_sec):
        if self.echo is None:
            raise TransportClosedError("the transport is not open")
        if not self.echo:  # nothing else can write while we wait: sleep out a finite deadline, then give up
            time.sleep(timeout_sec or 0)
            raise IoTimeoutError(f"no byte to read within {timeout_sec} s")
        if n >= len(self.echo):  # all of it: hand the buffer over rather than copy it
            data, self.echo = self.echo, bytearray()
            return data
        with memoryview(self.echo) as view:
            data = bytes(view[:n])
        del self.echo[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self.echo is None:
            raise TransportClosedError("the transport is not open")
        self.echo += data


if __name__ == "__main__":
    sys.exit(main(LoopbackHandler))
