"""A test server that exercises every error path of the SDK loop: copied into a temporary project as
microtvm_api_server.py. FIXTURE_VARIANT selects it: "full" (default), "minimal" (implements nothing),
"bad_declaration" (breaks the ProjectOption rules), "blocking_generate" (generate_project makes the project
directory and waits). It offers both revisions (the test's first server_info_query
picks one) unless FIXTURE_REVISIONS lists the ones to offer ("1", "2", "1,2"; "" and "3" break main's rule)."""

import json
import os
import sys
import time

from microtvm_project_api.protocol.errors import ServerError
from microtvm_project_api.server_sdk import IoTimeoutError, ProjectApiHandler, ProjectOption, UnsupportedTVMVersionError, main
from microtvm_project_api.server_sdk.project import new_project_dir


class Unprintable(Exception):
    """A platform exception whose text cannot be made: str() of it raises."""

    def __str__(self):
        raise ValueError("no text")


class FullHandler(ProjectApiHandler):
    platform_name = "fixture"
    project_options = (
        ProjectOption("board", "str", "Target board.", required=("build",), choices=("a", "b")),
        ProjectOption("jobs", "int", "Parallel jobs.", optional=("build",), default=2),
        ProjectOption("scale", "float", "A factor.", optional=("build",)),
        ProjectOption("verbose", "bool", "Chatty.", optional=("build", "flash"), default=False),
        ProjectOption("serial", "str", "Device serial number.", optional=("flash",)),
        ProjectOption("forever", "bool", "Return infinite (not JSON) timeouts.", optional=("open_transport",), default=False),
    )

    def check_tvm_version(self, tvm_version):
        if tvm_version == "0.1":
            raise UnsupportedTVMVersionError(f"tvm {tvm_version} is too old")

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        raise RuntimeError("boom")

    def build(self, options):
        if options["jobs"] == 13:
            raise Unprintable()
        (self.project_dir / "seen_options.json").write_text(json.dumps(options))

    def flash(self, options):
        raise ServerError("bad data", {"detail": 5})

    def open_transport(self, options):
        retry = float("inf") if options["forever"] else -1
        return {"session_start_retry_timeout_sec": retry, "session_start_timeout_sec": 1, "session_established_timeout_sec": 1}

    def close_transport(self):
        raise KeyError("close always fails")

    def read_transport(self, n, timeout_sec):
        return b"" if n == 1 else b"x" * (n + 1)

    def write_transport(self, data, timeout_sec):
        raise IoTimeoutError(f"{len(data)} bytes not written")


class MinimalHandler(ProjectApiHandler):
    platform_name = "minimal"


class BadDeclarationHandler(ProjectApiHandler):
    platform_name = "bad"
    project_options = (ProjectOption("x", "int", "both", required=("build",), optional=("build",), default="one"),)


class BlockingGenerateHandler(ProjectApiHandler):
    """generate_project makes the project directory and waits in it, for a signal to unwind it."""

    platform_name = "blocking"

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        with new_project_dir(project_dir):
            (project_dir / "half-made").write_text("")
            time.sleep(3600)


HANDLERS = {"full": FullHandler, "minimal": MinimalHandler, "bad_declaration": BadDeclarationHandler,
            "blocking_generate": BlockingGenerateHandler}

if __name__ == "__main__":
    handler = HANDLERS[os.environ.get("FIXTURE_VARIANT", "full")]
    offered = os.environ.get("FIXTURE_REVISIONS")
    sys.exit(main(handler) if offered is None else main(handler, revisions=[int(r) for r in offered.split(",") if r]))
