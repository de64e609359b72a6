# A platform written for TVM's server module, imported as a module (the first line), as TVM's own templates did.
# Its "device" is an in-memory loopback; build and flash leave files that the tests read. The tests move it to the
# SDK by changing only the first line.
import json
import os
import pathlib
import shutil
import tarfile
import time

from tvm.micro.project_api import server

API_SERVER_DIR = pathlib.Path(os.path.dirname(__file__) or os.getcwd()).resolve()
MODEL_LIBRARY_FORMAT_RELPATH = "model.tar"
IS_TEMPLATE = not (API_SERVER_DIR / MODEL_LIBRARY_FORMAT_RELPATH).exists()

PROJECT_OPTIONS = [
    server.ProjectOption("verbose", optional=["build"], type="bool", default=False, help="Print what build does."),
    server.ProjectOption("board", required=["build", "flash"], type="str", choices=["sim_a", "sim_b"],
                         help="The simulated board."),
    server.ProjectOption("serial_number", optional=["flash", "open_transport"], type="str",
                         help="Which attached board to use."),
]


class Handler(server.ProjectAPIHandler):
    def __init__(self):
        super().__init__()
        self._loopback = None

    def server_info_query(self, tvm_version):
        return server.ServerInfo(
            platform_name="modulesim",
            is_template=IS_TEMPLATE,
            model_library_format_path="" if IS_TEMPLATE else API_SERVER_DIR / MODEL_LIBRARY_FORMAT_RELPATH,
            project_options=PROJECT_OPTIONS,
        )

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        project_dir = pathlib.Path(project_dir)
        project_dir.mkdir()
        shutil.copy2(__file__, project_dir / os.path.basename(__file__))
        shutil.copy2(model_library_format_path, project_dir / MODEL_LIBRARY_FORMAT_RELPATH)
        with tarfile.open(model_library_format_path) as tar:
            tar.extractall(project_dir / "model")
        (project_dir / "crt_path.txt").write_text(str(standalone_crt_dir))

    def build(self, options):
        build_dir = API_SERVER_DIR / "build"
        build_dir.mkdir(exist_ok=True)
        (build_dir / "options.json").write_text(json.dumps(options, sort_keys=True))

    def flash(self, options):
        if not (API_SERVER_DIR / "build").is_dir():
            raise server.ServerError(message="flash: nothing built yet")
        (API_SERVER_DIR / "flashed.json").write_text(json.dumps(options, sort_keys=True))

    def open_transport(self, options):
        self._loopback = bytearray()
        return server.TransportTimeouts(
            session_start_retry_timeout_sec=2.0, session_start_timeout_sec=5.0, session_established_timeout_sec=0.0)

    def close_transport(self):
        self._loopback = None

    def read_transport(self, n, timeout_sec):
        if self._loopback is None:
            raise server.TransportClosedError()
        if not self._loopback:
            time.sleep(timeout_sec or 0)
            raise server.IoTimeoutError()
        data = bytes(self._loopback[:n])
        del self._loopback[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self._loopback is None:
            raise server.TransportClosedError()
        self._loopback += data


if __name__ == "__main__":
    server.main(Handler())
