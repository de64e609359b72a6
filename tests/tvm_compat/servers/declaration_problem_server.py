# A platform written for TVM's server module whose first option is declared in a way TVM's module accepted and the
# spec does not: one variant for each such declaration, its platform name and that option filled in by
# tvm_era.platform_source. Build and flash record the options they get; the device is an in-memory loopback.
import json
import pathlib
import shutil
import time

from tvm.micro.project_api import server

HERE = pathlib.Path(__file__).resolve().parent
IS_TEMPLATE = not (HERE / "model.tar").exists()

PROJECT_OPTIONS = [
    PROBLEM_DECLARATION,
    server.ProjectOption("verbose", optional=["build"], type="bool", default=False, help="Say more."),
]


class Handler(server.ProjectAPIHandler):
    loopback = None

    def server_info_query(self, tvm_version):
        return server.ServerInfo(platform_name="PLATFORM_NAME", is_template=IS_TEMPLATE,
                                 model_library_format_path="" if IS_TEMPLATE else str(HERE / "model.tar"),
                                 project_options=PROJECT_OPTIONS)

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        project_dir.mkdir()
        shutil.copy2(__file__, project_dir / "microtvm_api_server.py")
        shutil.copy2(model_library_format_path, project_dir / "model.tar")

    def build(self, options):
        (HERE / "build.json").write_text(json.dumps(options, sort_keys=True))

    def flash(self, options):
        (HERE / "flash.json").write_text(json.dumps(options, sort_keys=True))

    def open_transport(self, options):
        self.loopback = bytearray()
        return server.TransportTimeouts(session_start_retry_timeout_sec=1.0, session_start_timeout_sec=5.0,
                                        session_established_timeout_sec=0.0)

    def close_transport(self):
        self.loopback = None

    def read_transport(self, n, timeout_sec):
        if self.loopback is None:
            raise server.TransportClosedError()
        if not self.loopback:
            time.sleep(timeout_sec or 0)
            raise server.IoTimeoutError()
        data = bytes(self.loopback[:n])
        del self.loopback[:n]
        return data

    def write_transport(self, data, timeout_sec):
        if self.loopback is None:
            raise server.TransportClosedError()
        self.loopback += data


if __name__ == "__main__":
    server.main(Handler())
