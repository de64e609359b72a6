"""Three TVM-era platforms (written here from a description of TVM's server module, not its code), moved to the SDK by
their one-line change, driven through every method by a client shaped like TVM's (revision 1) and by the typed
client (revision 2)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from tvm_era import PLATFORMS
from tvm_shaped_client import IoTimeoutError, ServerError, TransportClosedError, TvmShapedClient, UnsupportedTVMVersionError

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol import errors

USER_OPTIONS = {
    "module_style_server.py": {"board": "sim_a"},
    "copy_style": {"project_type": "echo"},
    "helpers_style_server.py": {"project_type": "echo", "board": "cat"},
}
PLATFORM_NAMES = {"module_style_server.py": "modulesim", "copy_style": "copysim", "helpers_style_server.py": "catsim"}
EVERY_METHOD = ["server_info_query", "generate_project", "build", "flash", "open_transport", "close_transport",
                "read_transport", "write_transport"]
PAYLOAD = bytes(range(256)) * 3


def read_all(client: Any, n: int) -> bytes:
    """n bytes through read_transport, however the device splits them."""
    data = b""
    while len(data) < n:
        data += client.read_transport(n - len(data), 5.0)
    return data


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tvms_client_drives_every_method_in_revision_1(platform, template, mlf, tmp_path) -> None:
    options = USER_OPTIONS[platform]
    project = tmp_path / "generated"
    with TvmShapedClient(template(platform), options) as client:
        assert (client.info["protocol_version"], client.info["platform_name"]) == (1, PLATFORM_NAMES[platform])
        assert client.info["is_template"] is True and client.info["model_library_format_path"] is None
        assert "supported_methods" not in client.info
        client.generate_project(mlf, tmp_path / "crt", project)
    assert (project / "model.tar").read_bytes() == mlf.read_bytes()
    with TvmShapedClient(project, options) as client:
        assert client.info["is_template"] is False
        assert client.info["model_library_format_path"] == str(project / "model.tar")
        sent = client.options()
        assert None in sent.values(), "TVM's client sends null for the options nobody set"
        client.build()
        client.flash()
        timeouts = client.open_transport()
        assert set(timeouts) == {"session_start_retry_timeout_sec", "session_start_timeout_sec", "session_established_timeout_sec"}
        client.write_transport(PAYLOAD, 5.0)
        assert read_all(client, len(PAYLOAD)) == PAYLOAD
        with pytest.raises(IoTimeoutError):
            client.read_transport(16, 0.0)
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.read_transport(1, 0.0)
        with pytest.raises(TransportClosedError):
            client.write_transport(b"x", 0.0)
        assert [request["params"].get("options") for request in client.sent if "options" in request["params"]] == [sent] * 3
    assert client.process.returncode == 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_typed_client_drives_every_method_in_revision_2(platform, template, mlf, tmp_path) -> None:
    options = USER_OPTIONS[platform]
    project = tmp_path / "generated"
    with ProjectApiClient.launch(template(platform)) as client:
        assert (client.revision, client.server_info.platform_name) == (2, PLATFORM_NAMES[platform])
        assert client.supported_methods == EVERY_METHOD
        client.generate_project(mlf, tmp_path / "crt", project, {k: v for k, v in options.items()
                                                                  if k in ("project_type", "board")})
    with ProjectApiClient.launch(project) as client:
        assert client.revision == 2 and client.codec.name == "base64"
        assert client.supported_methods == [m for m in EVERY_METHOD if m != "generate_project"]
        build_options = {"board": options["board"]} if "board" in options else {}
        client.build(build_options)
        client.flash(build_options)
        client.open_transport()
        client.write_transport(PAYLOAD, 5.0)
        assert read_all(client, len(PAYLOAD)) == PAYLOAD
        with pytest.raises(errors.IoTimeoutError):
            client.read_transport(16, 0.0)
        client.close_transport()
        with pytest.raises(errors.TransportClosedError):
            client.read_transport(1, 0.0)
        assert not client.over


def test_revision_1_hands_every_option_tvms_client_sent_revision_2_the_methods_own(template, mlf, tmp_path) -> None:
    """What TVM-era code relies on (options[name] for every declared name, with the value the user set) holds in revision
    1; revision 2 hands a method the options declared for it."""
    project = tmp_path / "generated"
    with TvmShapedClient(template("module_style_server.py"), {"board": "sim_b", "serial_number": "S1"}) as client:
        client.generate_project(mlf, tmp_path, project)
    with TvmShapedClient(project, {"board": "sim_b", "serial_number": "S1", "verbose": True}) as client:
        client.build()
        client.flash()
    # build declares verbose and board (checked); serial_number is flash's and open_transport's: passed as sent
    assert json.loads((project / "build" / "options.json").read_text()) == {"board": "sim_b", "serial_number": "S1", "verbose": True}
    assert json.loads((project / "flashed.json").read_text()) == {"board": "sim_b", "serial_number": "S1", "verbose": True}
    with TvmShapedClient(project, {"board": "sim_a"}) as client:
        client.build()
    assert json.loads((project / "build" / "options.json").read_text()) == {"board": "sim_a", "serial_number": None, "verbose": False}
    with ProjectApiClient.launch(project) as client:
        client.build({"board": "sim_a", "serial_number": "S2"})
    assert json.loads((project / "build" / "options.json").read_text()) == {"board": "sim_a", "verbose": False}


def test_a_required_option_left_unset_is_refused_naming_it(template) -> None:
    with TvmShapedClient(template("copy_style")) as client:
        with pytest.raises(ServerError) as refused:
            client.generate_project(Path("model.tar"), Path("crt"), Path("never"))
    assert (refused.value.code, refused.value.message) == (
        -32602, "generate_project: /options/project_type: option 'project_type' is required by generate_project "
                "and was sent as null (not set)")


def test_option_values_are_checked_against_the_declarations(template, mlf, tmp_path) -> None:
    with TvmShapedClient(template("module_style_server.py"), {"board": "sim_z"}) as client:
        client.generate_project(mlf, tmp_path, tmp_path / "generated")
    with TvmShapedClient(tmp_path / "generated", {"board": "sim_z"}) as client:
        with pytest.raises(ServerError) as refused:
            client.build()
    assert (refused.value.code, refused.value.message) == (-32602, "build: /options/board: 'sim_z' is not one of the choices ['sim_a', 'sim_b']")
    assert not (tmp_path / "generated" / "build").exists()


def test_named_and_generic_errors_keep_their_names(template, mlf, tmp_path) -> None:
    with pytest.raises(UnsupportedTVMVersionError) as refused:
        TvmShapedClient(template("copy_style"), tvm_version="0.7.0")
    assert refused.value.data["detail"] == "TVM 0.7.0 is too old for this platform"
    project = tmp_path / "noop"
    with TvmShapedClient(template("copy_style"), {"project_type": "noop"}) as client:
        client.generate_project(mlf, tmp_path, project)
    with TvmShapedClient(project) as client:
        with pytest.raises(ServerError) as failed:
            client.build()
    assert (failed.value.code, failed.value.message) == (-32000, "build: a noop project has nothing to build")
    with pytest.raises(errors.UnsupportedTVMVersionError):
        ProjectApiClient.launch(project, tvm_version="0.7.1")


def evil_tar(path: Path, name: str) -> Path:
    with tarfile.open(path, "w") as tar:
        member = tarfile.TarInfo(name)
        member.size = 4
        tar.addfile(member, io.BytesIO(b"evil"))
    return path


def test_an_unsafe_model_archive_is_refused_before_the_platform_sees_it(template, tmp_path) -> None:
    project = tmp_path / "generated"
    with TvmShapedClient(template("module_style_server.py")) as client:
        with pytest.raises(ServerError) as refused:
            client.generate_project(evil_tar(tmp_path / "evil.tar", "../escaped.txt"), tmp_path, project)
    assert (refused.value.code, refused.value.message) == (-32000, "../escaped.txt: path '../escaped.txt' contains '..'")
    assert not project.exists() and not (tmp_path / "escaped.txt").exists()


def test_the_platforms_own_extractall_refuses_unsafe_members(template, mlf, tmp_path) -> None:
    """extra_files_tar is extracted by the platform's code with tarfile.extractall: the data filter refuses escapes."""
    extra = evil_tar(tmp_path / "extra.tar", "../../escaped.txt")
    project = tmp_path / "out" / "generated"
    (tmp_path / "out").mkdir()
    options = {"project_type": "echo", "board": "cat", "extra_files_tar": str(extra)}
    with TvmShapedClient(template("helpers_style_server.py"), options) as client:
        with pytest.raises(ServerError) as refused:
            client.generate_project(mlf, tmp_path, project)
    assert refused.value.code == -32000 and "../../escaped.txt" in refused.value.message
    assert not (tmp_path / "escaped.txt").exists()
