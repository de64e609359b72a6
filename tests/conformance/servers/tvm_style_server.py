"""A revision 1 platform as deployed ones are written: a handler on TVM's server module (the stand-in beside it).

Correct as a platform (`defect=None`): the conformance kit must pass it in revision 1, reporting
only what it inherits from the module. Like TVM-era templates it relies on what TVM's client
sends: generate_project copies `include/`, `src/` and `CMakeLists.txt` from the standalone CRT,
and every method reads its options by indexing, since TVM's client sends every declared option to
every method (null when unset). A project directory holding `model.tar` is a generated project;
the device is an in-memory echo. Each `defect` is one defect of the platform's own code.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import tvm_server_module as server

CRT_ITEMS = ("include", "src", "CMakeLists.txt")
OPTION_METHODS = ["generate_project", "build", "flash", "open_transport"]
OPTIONS = [
    server.ProjectOption("verbose", type="bool", optional=OPTION_METHODS, default=False, help="Log every step."),
    server.ProjectOption("project_type", type="str", optional=["generate_project"], choices=["host_driven", "aot_demo"],
                         default="host_driven", help="Which kind of project to generate."),
    server.ProjectOption("serial_number", type="str", optional=["flash", "open_transport"], help="Serial number of the board."),
]


class BoardError(Exception):
    """A failure of the platform's own board support code."""


class Handler(server.ProjectAPIHandler):
    def __init__(self, defect: str | None) -> None:
        self.defect = defect
        self.is_template = not Path("model.tar").exists()
        self.device: bytearray | None = None

    def server_info_query(self, tvm_version):
        name = 5 if self.defect == "info_breaks_schema" else "tvm-style"
        return server.ServerInfo(name, self.is_template, None if self.is_template else "model.tar", OPTIONS)

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        project_dir.mkdir()
        if self.defect != "generate_without_server_copy":
            shutil.copy2("microtvm_api_server.py", project_dir / "microtvm_api_server.py")
        shutil.copy2(model_library_format_path, project_dir / "model.tar")
        for item in CRT_ITEMS:
            source = standalone_crt_dir / item
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, project_dir / "crt" / item)
        (project_dir / "project_type").write_text(options["project_type"])

    def build(self, options):
        self._log(options, f"building a {options['project_type']} project")
        Path("build").mkdir(exist_ok=True)

    def flash(self, options):
        if self.defect == "flash_fails":
            raise RuntimeError("flash tool: no board with serial number None found")
        if not Path("build").is_dir():
            raise RuntimeError("nothing built")
        self._log(options, f"flashing board {options['serial_number']}")

    def open_transport(self, options):
        self._log(options, "opening the transport")
        self.device = bytearray()
        return server.TransportTimeouts(2.0, 10.0, 10.0)

    def close_transport(self):
        if self.device is None and self.defect == "close_twice_fails":
            raise RuntimeError("the transport is not open")
        self.device = None

    def read_transport(self, n, timeout_sec):
        if self.device is None:
            if self.defect == "crash_before_open":
                raise BoardError("serial port /dev/ttyACM0 is not open")
            raise server.TransportClosedError()
        if not self.device:
            if self.defect == "zero_byte_read":
                return b""
            time.sleep(timeout_sec if timeout_sec is not None else 3600)
            raise server.IoTimeoutError()
        data = bytes(self.device[:n])
        del self.device[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self.device is None:
            raise server.TransportClosedError()
        self.device += data

    def __repr__(self):
        if self.defect == "crashes_in_repr":  # the module dispatches __repr__ like a method: this platform's own crash
            os.kill(os.getpid(), signal.SIGSEGV)
        return "Handler()"

    def _log(self, options, message):
        if options["verbose"]:
            print(message, file=sys.stderr)


def main(defect: str | None = None) -> None:
    if defect == "crashes_on_start":
        raise BoardError("the board support package of this platform is not installed")
    server.main(Handler(defect))
