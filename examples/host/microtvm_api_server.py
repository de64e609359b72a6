"""The reference host platform: a template project whose "device" is a firmware process on this machine.

generate_project extracts the Model Library Format archive safely and writes a Makefile and the
firmware sources (app `echo` or `model`); build runs make with the system C compiler; flash
installs the built image into the project's device/ directory (the host's stand-in for a board's
flash); open_transport starts the flashed firmware on a pseudo-terminal, publishes the terminal's path
at device/tty, and opens it with the SDK's pyserial transport, so the bytes travel the path of a real
UART; with the option serial_url it opens that pyserial URL instead, such as the rfc2217:// address of
an exporter (ser2net, labgrid) serving device/tty, as a board farm's host serves a board.

It serves TVM's shipped client in revision 1 and the typed client in revision 2, with no setting:
the client's server_info_query chooses (revision agreement).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import tty
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from microtvm_project_api.protocol.errors import InvalidParamsError, ServerError, TransportClosedError
from microtvm_project_api.server_sdk import ProjectApiHandler, ProjectOption, TransportTimeouts, main
from microtvm_project_api.server_sdk.project import generate_from_template
from microtvm_project_api.server_sdk.transports.serial import SerialTransport

FIRMWARE_SOURCE_DIR = "firmware"
FIRMWARE_SOURCES = ("echo.c", "model.c", "serial_io.c", "serial_io.h")
CONFIG_TEMPLATE = Path("templates") / "model_config.h.template"
BUILT_IMAGE = Path("build") / "firmware"
DEVICE_DIR = "device"
LINE_LINK = "tty"
BUILD_LOG = "build.log"
PROJECT_LOCK = "project.lock"
BUILD_TIMEOUT_SEC = 300.0
MAX_WORKSPACE_BYTES = 16 * 1024 * 1024
MAX_TEMPLATE_BYTES = 64 * 1024
DETAIL_TAIL_BYTES = 8 * 1024
FIRMWARE_STOP_GRACE_SEC = 2.0
# The host firmware runs as soon as the port opens (no boot to wait for); the margins are for a loaded machine.
SESSION_TIMEOUTS = TransportTimeouts(
    session_start_retry_timeout_sec=2.0,
    session_start_timeout_sec=10.0,
    session_established_timeout_sec=10.0,
)

logger = logging.getLogger("microtvm_host")


class HostPlatform(ProjectApiHandler):
    """The host platform's server: template and generated project alike (the archive tells them apart)."""

    platform_name = "host"
    project_options = (
        ProjectOption("app", "str", "firmware to build: 'echo' writes back every byte it reads, "
                      "'model' answers each input frame with the model's output frame",
                      optional=["generate_project"], default="echo", choices=["echo", "model"]),
        ProjectOption("workspace_size_bytes", "int", "bytes of the static workspace given to the model "
                      f"(at least the model's workspace; at most {MAX_WORKSPACE_BYTES})",
                      optional=["generate_project"], default=4096),
        ProjectOption("verbose", "bool", "log the compiler's output and the firmware's lifecycle at info level",
                      optional=["generate_project", "build", "flash", "open_transport"], default=False),
        ProjectOption("clean", "bool", "remove previous build outputs first, forcing a full rebuild",
                      optional=["build"], default=False),
        ProjectOption("serial_url", "str", "reach the firmware through this pyserial URL instead of opening its line "
                      f"here, e.g. rfc2217://HOST:PORT?ign_set_control from an exporter serving {DEVICE_DIR}/{LINE_LINK}",
                      optional=["open_transport"]),
    )

    def __init__(self, project_dir: Path | None = None) -> None:
        super().__init__(project_dir)
        self._firmware: subprocess.Popen[bytes] | None = None
        self._line: int | None = None
        self._serial: SerialTransport | None = None

    def generate_project(self, model_library_format_path: Path, standalone_crt_dir: Path, project_dir: Path,
                         options: dict[str, Any]) -> None:
        """A new project: the archive extracted safely, this server, the firmware sources, Makefile and config."""
        workspace = options["workspace_size_bytes"]
        if not 1 <= workspace <= MAX_WORKSPACE_BYTES:
            raise InvalidParamsError(f"generate_project: /options/workspace_size_bytes: must be between 1 and "
                                     f"{MAX_WORKSPACE_BYTES}, got {workspace}")
        if not standalone_crt_dir.is_dir():
            raise ServerError(f"generate_project: standalone_crt_dir {standalone_crt_dir} is not a directory")
        extracted = generate_from_template(self.server_file(), model_library_format_path, project_dir)
        try:
            _write_firmware_project(self.server_file().parent / FIRMWARE_SOURCE_DIR, extracted, project_dir,
                                    options["app"], workspace)
        except BaseException:
            shutil.rmtree(project_dir, ignore_errors=True)
            raise
        _log(options, "generated %s (app %s, workspace %d bytes)", project_dir, options["app"], workspace)

    def build(self, options: dict[str, Any]) -> None:
        """Run make (after `make clean` when asked); a failure's message carries the compiler's first error."""
        self._refuse_in_template("build")
        with _project_lock(self.project_dir, "build"):
            if options["clean"]:
                self._make(["clean"], options)
            self._make([], options)

    def flash(self, options: dict[str, Any]) -> None:
        """Install build/firmware into device/, refusing when there is no built image."""
        self._refuse_in_template("flash")
        with _project_lock(self.project_dir, "flash"):
            image = self.project_dir / BUILT_IMAGE
            if not image.is_file():
                raise ServerError(f"flash: no built firmware at {image}; run build first")
            device = self.project_dir / DEVICE_DIR
            device.mkdir(exist_ok=True)
            _install(image, device / "firmware")
        _log(options, "flashed %s into %s", image, device)

    def open_transport(self, options: dict[str, Any]) -> TransportTimeouts:
        """Start the flashed firmware on a fresh pseudo-terminal (a reset, when it was running), publish the line at
        device/tty and open it: directly, or through `serial_url` (an exporter serving device/tty)."""
        image = self.project_dir / DEVICE_DIR / "firmware"
        if not image.is_file():
            raise ServerError(f"open_transport: nothing flashed at {image}; run flash first")
        self.close_transport()
        # The firmware holds the pty's master side (the far end of the cable); the slave side is the board's serial
        # device, opened by its path with pyserial exactly as /dev/ttyACM0 would be, here or by an exporter. The server
        # keeps one slave descriptor until close_transport, so the firmware never sees a hang-up while the line is being
        # opened, however long an exporter takes.
        wire, self._line = os.openpty()
        try:
            tty.setraw(self._line)
            port = os.ttyname(self._line)
            _publish(self.project_dir / DEVICE_DIR / LINE_LINK, port)
            self._firmware = subprocess.Popen([str(image)], stdin=wire, stdout=wire, cwd=self.project_dir / DEVICE_DIR)
            self._serial = SerialTransport(options.get("serial_url") or port)
            self._serial.open()
        except TransportClosedError as exc:  # the line would not open: the message names the URL and why
            self.close_transport()
            raise ServerError(f"open_transport: {exc.detail}") from None
        except BaseException:
            self.close_transport()
            raise
        finally:
            os.close(wire)
        _log(options, "firmware %d running behind %s, opened as %s", self._firmware.pid, port, self._serial.url)
        return SESSION_TIMEOUTS

    def close_transport(self) -> None:
        """Close the line, then stop and reap the firmware and withdraw device/tty; a no-op when nothing is open."""
        serial_line, self._serial = self._serial, None
        firmware, self._firmware = self._firmware, None
        line, self._line = self._line, None
        if serial_line is not None:
            serial_line.close()
        if firmware is not None:
            _stop(firmware)
        if line is not None:
            os.close(line)
            (self.project_dir / DEVICE_DIR / LINE_LINK).unlink(missing_ok=True)

    def read_transport(self, n: int, timeout_sec: float | None) -> bytes:
        return self._open_line().read(n, timeout_sec)

    def write_transport(self, data: bytes, timeout_sec: float | None) -> None:
        self._open_line().write(data, timeout_sec)

    def _refuse_in_template(self, method: str) -> None:
        """The template directory is never built in or flashed from: that would write into the platform's own files.

        (Revision 1 has no supported_methods to say so, and TVM's tools expect every method there.)
        """
        if self.is_template():
            raise ServerError(f"{method}: {self.project_dir} is the template; generate a project and {method} that")

    def _open_line(self) -> SerialTransport:
        if self._serial is None:
            raise TransportClosedError("the transport is not open; call open_transport first")
        return self._serial

    def _make(self, targets: list[str], options: dict[str, Any]) -> None:
        """Run make in the project, its output appended to build.log; ServerError naming the first diagnostic."""
        # A make that runs us (make demo) must not pass its flags or jobserver on; diagnostics in plain ASCII English.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")} | {"LC_ALL": "C"}
        log_path = self.project_dir / BUILD_LOG
        start = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("ab") as log:
            try:
                status = subprocess.run(["make", *targets], cwd=self.project_dir, stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, env=env, timeout=BUILD_TIMEOUT_SEC).returncode
            except subprocess.TimeoutExpired:
                raise ServerError(f"build: make {' '.join(targets)} did not finish in {BUILD_TIMEOUT_SEC:.0f} s") from None
        output = _tail(log_path, start)
        _log(options, "make %s:\n%s", " ".join(targets), output)
        if status != 0:
            raise ServerError(f"build failed: make exited with status {status}: {_first_diagnostic(output)}",
                              {"detail": output})


@contextmanager
def _project_lock(project_dir: Path, method: str) -> Iterator[None]:
    """Hold the project's lock (an flock on project.lock) through a build or flash: two at once, from two servers of
    one project, would race on `make clean`, build/ and device/. The second is refused at once, naming the first."""
    lock_path = project_dir / PROJECT_LOCK
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another server"
            raise ServerError(f"{method}: {project_dir} is busy: {holder} holds {lock_path}; "
                              f"{method} again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{method} by process {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _install(image: Path, destination: Path) -> None:
    """Copy `image` to `destination` atomically, through a staging file of its own (never a fixed name two could share)."""
    staged = tempfile.NamedTemporaryFile(dir=destination.parent, prefix=f".{destination.name}.", delete=False)
    try:
        with staged, image.open("rb") as source:
            shutil.copyfileobj(source, staged)
        shutil.copymode(image, staged.name)
        os.replace(staged.name, destination)
    except BaseException:
        Path(staged.name).unlink(missing_ok=True)
        raise


def _write_firmware_project(firmware: Path, extracted: Path, project_dir: Path, app: str, workspace: int) -> None:
    """Copy the firmware sources and Makefile, write config.mk and render include/model_config.h from the archive."""
    (project_dir / "src").mkdir()
    for name in FIRMWARE_SOURCES:
        shutil.copy2(firmware / name, project_dir / "src" / name)
    shutil.copy2(firmware / "Makefile", project_dir / "Makefile")
    (project_dir / "config.mk").write_text(f"# Written by generate_project.\nAPP := {app}\n", encoding="utf-8")
    template = extracted / CONFIG_TEMPLATE
    if not template.is_file():
        if app == "model":
            raise ServerError(f"generate_project: the archive has no {CONFIG_TEMPLATE}, which app 'model' needs")
        return
    with template.open("rb") as stream:
        text = stream.read(MAX_TEMPLATE_BYTES + 1)
    if len(text) > MAX_TEMPLATE_BYTES:
        raise ServerError(f"generate_project: {CONFIG_TEMPLATE} is over {MAX_TEMPLATE_BYTES} bytes")
    try:
        rendered = string.Template(text.decode("utf-8")).substitute(workspace_size_bytes=workspace)
    except (KeyError, ValueError) as exc:
        raise ServerError(f"generate_project: cannot render the archive's {CONFIG_TEMPLATE}: {exc!r}") from None
    (project_dir / "include").mkdir()
    (project_dir / "include" / "model_config.h").write_text(rendered, encoding="utf-8")


def _tail(path: Path, start: int) -> str:
    """What was appended to `path` after byte `start`, at most DETAIL_TAIL_BYTES of its end."""
    with path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(max(start, size - DETAIL_TAIL_BYTES))
        return stream.read().decode("utf-8", "replace")


def _first_diagnostic(output: str) -> str:
    """The compiler's (or make's) first error line in `output`, else its last line."""
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"\berror\b", line, re.IGNORECASE)]
    return (errors[:1] or lines[-1:] or ["no output"])[0]


def _publish(link: Path, target: str) -> None:
    """Point the symbolic link `link` at `target`, replacing it atomically (an exporter may be resolving it)."""
    staged = link.with_name(link.name + ".new")
    staged.unlink(missing_ok=True)
    staged.symlink_to(target)
    os.replace(staged, link)


def _stop(firmware: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after a grace period; always reaped."""
    if firmware.poll() is None:
        firmware.send_signal(signal.SIGTERM)
        try:
            firmware.wait(FIRMWARE_STOP_GRACE_SEC)
        except subprocess.TimeoutExpired:
            firmware.kill()
    firmware.wait()


def _log(options: dict[str, Any], message: str, *args: Any) -> None:
    logger.log(logging.INFO if options.get("verbose") else logging.DEBUG, message, *args)


if __name__ == "__main__":
    sys.exit(main(HostPlatform))
