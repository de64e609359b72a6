# A platform written for TVM's server module that builds on its helpers: default_project_options for the usual
# options, and read_with_timeout / write_with_timeout over the pipes of its "device", a `cat` process that echoes
# every byte. The tests move it to the SDK by changing only the first line.
import json
import pathlib
import shutil
import subprocess
import tarfile

from tvm.micro.project_api import server

HERE = pathlib.Path(__file__).resolve().parent
IS_TEMPLATE = not (HERE / "model.tar").exists()

PROJECT_OPTIONS = server.default_project_options(
    project_type={"choices": ["echo"]},
    board={"choices": ["cat"], "optional": ["build", "flash", "open_transport"]},
) + [
    server.ProjectOption("echo_command", optional=["open_transport"], type="str", default="cat",
                         help="The program that plays the device."),
]


class Handler(server.ProjectAPIHandler):
    def __init__(self):
        super().__init__()
        self._device = None

    def server_info_query(self, tvm_version):
        return server.ServerInfo(platform_name="catsim", is_template=IS_TEMPLATE,
                                 model_library_format_path="" if IS_TEMPLATE else HERE / "model.tar",
                                 project_options=PROJECT_OPTIONS)

    def generate_project(self, model_library_format_path, standalone_crt_dir, project_dir, options):
        project_dir.mkdir()
        shutil.copy2(__file__, project_dir / "microtvm_api_server.py")
        shutil.copy2(model_library_format_path, project_dir / "model.tar")
        if options.get("extra_files_tar"):
            with tarfile.open(options["extra_files_tar"]) as tar:
                tar.extractall(project_dir)
        (project_dir / "generate_options.json").write_text(json.dumps(options, sort_keys=True))

    def build(self, options):
        (HERE / "build_options.json").write_text(json.dumps(options, sort_keys=True))

    def flash(self, options):
        if not (HERE / "build_options.json").exists():
            raise server.ServerError(message="flash: build first")

    def open_transport(self, options):
        self.close_transport()
        self._device = subprocess.Popen([shutil.which(options["echo_command"])], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, bufsize=0)
        return server.TransportTimeouts(session_start_retry_timeout_sec=2.0, session_start_timeout_sec=5.0,
                                        session_established_timeout_sec=5.0)

    def close_transport(self):
        device, self._device = self._device, None
        if device is not None:
            device.stdin.close()
            device.stdout.close()
            device.wait()

    def read_transport(self, n, timeout_sec):
        if self._device is None:
            raise server.TransportClosedError()
        return server.read_with_timeout(self._device.stdout.fileno(), n, timeout_sec)

    def write_transport(self, data, timeout_sec):
        if self._device is None:
            raise server.TransportClosedError()
        server.write_with_timeout(self._device.stdin.fileno(), data, timeout_sec)


if __name__ == "__main__":
    server.main(Handler())
