"""SDK servers, with no setting anywhere, driven by a client shaped like TVM's (revision 1: null options, every option
to every method, base85) through every method, and by the typed client in revision 2: the loopback example, the
host example (a real firmware over a pty), and a server with a required option and options without a default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tvm_era import SERVERS
from tvm_shaped_client import IoTimeoutError, ServerError, TransportClosedError, TvmShapedClient

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.sample_model import run, standalone_crt_dir, write_mlf_archive
from microtvm_project_api.sample_model.frames import infer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SERVER_FILE = "microtvm_api_server.py"
PAYLOAD = bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def no_revision_variable(monkeypatch) -> None:
    """The variables the examples used to read are gone from the environment the servers inherit."""
    for name in ("LOOPBACK_PROTOCOL_REVISION", "MICROTVM_HOST_PROTOCOL_REVISION"):
        monkeypatch.delenv(name, raising=False)


def copy_server(source: Path, directory: Path) -> Path:
    directory.mkdir()
    shutil.copy2(source, directory / SERVER_FILE)
    return directory


def test_tvms_client_drives_the_loopback_example_through_every_method(mlf, tmp_path) -> None:
    template = copy_server(EXAMPLES / "loopback" / SERVER_FILE, tmp_path / "loopback")
    project = tmp_path / "generated"
    with TvmShapedClient(template, {"build_type": "debug"}) as client:
        assert (client.info["protocol_version"], client.info["platform_name"]) == (1, "loopback")
        assert all(set(option) == {"name", "type", "required", "optional", "default", "choices", "help"}
                   for option in client.info["project_options"])
        client.generate_project(mlf, tmp_path / "crt", project)
    with TvmShapedClient(project, {"build_type": "debug"}) as client:
        assert client.options() == {"verbose": False, "build_type": "debug"}
        client.build()
        assert (project / "build" / "build_type").read_text() == "debug"
        client.flash()
        assert client.open_transport()["session_start_timeout_sec"] == 5.0
        client.write_transport(PAYLOAD, 5.0)
        assert client.read_transport(len(PAYLOAD), 5.0) == PAYLOAD
        with pytest.raises(IoTimeoutError):
            client.read_transport(1, 0)
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.write_transport(b"x", 0)
    assert client.process.returncode == 0
    with ProjectApiClient.launch(project) as typed:
        assert (typed.revision, typed.codec.name) == (2, "base64")


def test_an_sdk_server_with_a_required_option_and_options_without_default(tmp_path) -> None:
    project = copy_server(SERVERS / "sdk_required_options.py", tmp_path / "required")
    with TvmShapedClient(project, {"board": "b"}) as client:
        assert client.options() == {"board": "b", "serial_number": None, "jobs": None, "verbose": False}
        client.build()
        client.flash()
        client.open_transport()
        client.write_transport(b"\x00\x01\x02", 1.0)
        assert client.read_transport(10, 1.0) == b"\x00\x01\x02"
        client.close_transport()
    seen = {method: json.loads((project / f"{method}.json").read_text()) for method in ("build", "flash", "open_transport")}
    assert seen == {"build": {"board": "b", "jobs": None, "verbose": False},
                    "flash": {"board": "b", "serial_number": None},
                    "open_transport": {"board": "b", "serial_number": None}}
    with TvmShapedClient(project) as unset:
        with pytest.raises(ServerError) as refused:
            unset.flash()
    assert (refused.value.code, refused.value.message) == (
        -32602, "flash: /options/board: option 'board' is required by flash and was sent as null (not set)")
    with ProjectApiClient.launch(project) as typed:
        assert typed.revision == 2
        typed.build({"board": "a", "jobs": 4})
        typed.flash({"board": "a", "serial_number": "S2"})
    assert json.loads((project / "flash.json").read_text()) == {"board": "a", "serial_number": "S2"}


@pytest.mark.skipif(shutil.which("cc") is None, reason="the host platform builds its firmware with cc")
@pytest.mark.timeout(300)
def test_tvms_client_drives_the_host_example_to_an_inference(tmp_path) -> None:
    archive = write_mlf_archive(tmp_path / "sample.tar")
    project = tmp_path / "generated"
    with TvmShapedClient(EXAMPLES / "host", {"app": "model"}) as template:
        assert (template.info["protocol_version"], template.info["platform_name"]) == (1, "host")
        template.generate_project(archive, standalone_crt_dir(), project)
    with TvmShapedClient(project, {"app": "model"}) as client:
        assert client.options() == {"app": "model", "workspace_size_bytes": 4096, "verbose": False, "clean": False, "serial_url": None}
        client.build()
        client.flash()
        client.open_transport()
        tensor = bytes(range(16))
        assert infer(client, tensor) == run(tensor)
        with pytest.raises(IoTimeoutError):
            client.read_transport(1, 0)
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.read_transport(1, 0)
    assert client.process.returncode == 0
    with ProjectApiClient.launch(project) as typed:
        assert typed.revision == 2
        typed.open_transport()
        assert infer(typed, tensor) == run(tensor)
        typed.close_transport()
