# A platform written for TVM that carries a copy of TVM's server module beside it as server.py (as many
# third-party platforms did). It moves to the SDK by replacing server.py with one line; this file is unchanged.

import os
import pathlib
import shutil
import time

import server

HERE = pathlib.Path(__file__).resolve().parent
IS_TEMPLATE = not (HERE / "model.tar").exists()

PROJECT_OPTIONS = [
    server.ProjectOption("project_type", required=["generate_project"], type="str", choices=["echo", "noop"],
                         help="What the generated firmware does."),
    server.ProjectOption("warning_as_error", optional=["build"], type="bool", default=False,
                         help="Treat warnings as errors."),
    server.ProjectOption("gdb_port", optional=["open_transport"], type="int", help="Attach a debugger on this port."),
]


class Handler(server.ProjectAPIHandler):
    def __init__(self):
        super().__init__()
        self.channel = None

    def server_info_query(self, tvm_version):
        if tvm_version.startswith("0.7."):
            raise server.UnsupportedTVMVersionError(f"TVM {tvm_version} is too old for this platform")
        return server.ServerInfo(platform_name="copysim", is_template=IS_TEMPLATE,
                                 model_library_format_path=None if IS_TEMPLATE else str(HERE / "model.tar"),
                                 project_options=PROJECT_OPTIONS)

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        os.makedirs(project_dir)
        for name in ("microtvm_api_server.py", "server.py"):
            shutil.copy2(HERE / name, os.path.join(project_dir, name))
        shutil.copy2(model_library_format_path, os.path.join(project_dir, "model.tar"))
        with open(os.path.join(project_dir, "project_type.txt"), "w") as f:
            f.write(options["project_type"])

    def build(self, options):
        if (HERE / "project_type.txt").read_text() == "noop":
            raise server.ServerError(message="build: a noop project has nothing to build")
        with open(HERE / "built.txt", "w") as f:
            f.write(repr(sorted(options.items())))

    def flash(self, options):
        (HERE / "flashed.txt").write_text(repr(sorted(options.items())))

    def open_transport(self, options):
        self.channel = []
        return server.TransportTimeouts(session_start_retry_timeout_sec=1.0, session_start_timeout_sec=3.0,
                                        session_established_timeout_sec=3.0)

    def close_transport(self):
        self.channel = None

    def read_transport(self, n, timeout_sec):
        if self.channel is None:
            raise server.TransportClosedError()
        if not self.channel:  # nothing else writes while this call waits: wait out the deadline, then give up
            time.sleep(timeout_sec or 0)
            raise server.IoTimeoutError()
        data = self.channel.pop(0)
        if len(data) > n:
            self.channel.insert(0, data[n:])
            data = data[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self.channel is None:
            raise server.TransportClosedError()
        if data:
            self.channel.append(bytes(data))


if __name__ == "__main__":
    server.main(Handler())
