"""`microtvm-project record`: any client's session recorded behind the launch convention, the platform's own launch
script kept working, projects generated meanwhile recorded too, the directory byte-identical once recording is off,
and the transcript bounded."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from golden_sessions import drive_loopback, record_session

from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT
from microtvm_project_api.sessions.recording import ASIDE, tree_digest

CLI = [sys.executable, "-m", "microtvm_project_api.cli.main"]
OWN_LAUNCH_SCRIPT = """#!/bin/sh
# the platform's own launch script: leaves a mark, then runs the server with this interpreter
echo "launched in $(basename "$(dirname "$0")")" >> "$(dirname "$0")/../launches.txt"
exec {python} "$@"
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=120)


def entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def wire(path: Path) -> list[tuple[str, dict]]:
    return [(e["direction"], json.loads(e["text"])) for e in entries(path) if e["kind"] == "message"]


def test_a_tvm_shaped_session_is_recorded_whole_and_the_directory_is_restored(platform_copy, tmp_path: Path) -> None:
    template = platform_copy("loopback")
    before = tree_digest(template)
    transcript = tmp_path / "session.jsonl"
    assert cli("record", template, "--output", transcript).returncode == 0
    assert (template / LAUNCH_SCRIPT).is_file() and (template / ASIDE).is_dir()
    drive_loopback(template, tmp_path)
    assert "microtvm-project record" in (tmp_path / "generated" / LAUNCH_SCRIPT).read_text()  # the generated project records too
    off = cli("record", "--off", template)
    assert (off.returncode, off.stderr, off.stdout) == (0, "", f"record: recording is off in {template}; it is as it was before recording\n")
    assert tree_digest(template) == before
    kinds = [e["kind"] for e in entries(transcript)]
    assert kinds[0] == "header" and kinds.count("launch") == 2 and kinds.count("exit") == 2
    header, launches = entries(transcript)[0], [e for e in entries(transcript) if e["kind"] == "launch"]
    assert header["platform"]["directory"] == str(template.resolve())
    assert [e["project_dir"] for e in launches] == [str(template.resolve()), str((tmp_path / "generated").resolve())]
    methods = [m.get("method") for d, m in wire(transcript) if d == "request"]
    assert methods == ["server_info_query", "generate_project", "server_info_query", "build", "flash", "open_transport",
                       "write_transport", "read_transport", "read_transport", "read_transport", "close_transport", "write_transport"]
    assert [m["error"]["message"] for d, m in wire(transcript) if "error" in m] == ["IoTimeoutError", "TransportClosedError"]
    assert {e["revision"] for e in entries(transcript)[4:] if e["kind"] == "message" and e["launch"] == launches[1]["launch"]} == {None, 1}
    checked = cli("spec", "check-transcript", transcript)
    assert checked.returncode == 0, checked.stdout


def test_the_platforms_own_launch_script_keeps_working_behind_the_relay(platform_copy, tmp_path: Path) -> None:
    template = platform_copy("loopback")
    (template / LAUNCH_SCRIPT).write_text(OWN_LAUNCH_SCRIPT.format(python=sys.executable))
    (template / LAUNCH_SCRIPT).chmod(0o750)
    before = tree_digest(template)
    transcript = tmp_path / "session.jsonl"
    assert cli("record", template, "--output", transcript).returncode == 0
    drive_loopback(template, tmp_path)
    # the template's and the generated project's, each from its own directory
    assert (tmp_path / "launches.txt").read_text() == "launched in loopback-copy\nlaunched in generated\n"
    generated = tmp_path / "generated"
    assert cli("record", "--off", generated).returncode == 0  # the template's own script back in the generated project
    assert (generated / LAUNCH_SCRIPT).read_text() == OWN_LAUNCH_SCRIPT.format(python=sys.executable)
    assert cli("record", "--off", template).returncode == 0
    assert tree_digest(template) == before
    assert len([e for e in entries(transcript) if e["kind"] == "launch"]) == 2


def test_a_change_to_what_recording_touched_is_reported_at_off(platform_copy, tmp_path: Path) -> None:
    template = platform_copy("loopback")
    assert cli("record", template, "--output", tmp_path / "s.jsonl").returncode == 0
    (template / ASIDE / "stray").write_text("x")
    off = cli("record", "--off", template)
    assert off.returncode == 1
    assert off.stderr.strip().endswith(f"recording off, but {ASIDE}, {ASIDE}/stray differ from before recording (changed while recording was on)")


def test_refusals_are_one_line_with_exit_2(platform_copy, tmp_path: Path) -> None:
    template = platform_copy("loopback")
    (tmp_path / "exists.jsonl").write_text("")
    cases = [
        (["record", tmp_path, "--output", tmp_path / "a.jsonl"], "no microtvm_api_server.py or launch_microtvm_api_server.sh"),
        (["record", template, "--output", tmp_path / "exists.jsonl"], "exists; give another --output or remove it"),
        (["record", template, "--output", tmp_path / "b.jsonl", "--max-bytes", "100"], "--max-bytes 100 leaves no room"),
        (["record", "--off", template], "recording is not on"),
    ]
    for args, reason in cases:
        done = cli(*args)
        assert (done.returncode, len(done.stderr.splitlines())) == (2, 1) and reason in done.stderr, (args, done.stderr)
    assert cli("record", template, "--output", tmp_path / "c.jsonl").returncode == 0
    again = cli("record", template, "--output", tmp_path / "d.jsonl")
    assert again.returncode == 2 and "recording is on already" in again.stderr
    assert cli("record", "--off", template).returncode == 0


def test_the_size_limit_ends_the_file_with_a_clear_entry_and_the_session_goes_on(platform_copy, tmp_path: Path) -> None:
    transcript = tmp_path / "bounded.jsonl"
    record_session("loopback", transcript, tmp_path, "--max-bytes", "6000")
    assert transcript.stat().st_size == 6000
    last = entries(transcript)[-1]
    assert last["kind"] == "limit" and last["max_bytes"] == 6000
    assert last["message"].startswith("recording stopped: the next entry would pass the limit of 6000 bytes (--max-bytes)")
    assert [e["kind"] for e in entries(transcript)].count("limit") == 1


@pytest.mark.parametrize("digest", [False, True], ids=["whole", "digest"])
def test_payload_digest_keeps_long_payloads_as_length_and_sha256(tmp_path: Path, digest: bool) -> None:
    import hashlib

    from tvm_shaped_client import TvmShapedClient

    template = tmp_path / "loopback"
    record_session("loopback", tmp_path / "setup.jsonl", tmp_path)  # leaves tmp_path/generated, made while recording
    (tmp_path / "generated" / LAUNCH_SCRIPT).unlink()
    transcript = tmp_path / "payloads.jsonl"
    options = ["--payload-digest"] if digest else []
    assert cli("record", tmp_path / "generated", "--output", transcript, *options).returncode == 0
    payload = bytes(range(256)) * 4096  # 1 MiB: each line crosses the relay in many reads
    with TvmShapedClient(tmp_path / "generated") as client:
        client.open_transport()
        client.write_transport(payload, 5.0)
        assert client.read_transport(len(payload), 5.0) == payload
    assert cli("record", "--off", tmp_path / "generated").returncode == 0
    messages = [e for e in entries(transcript) if e["kind"] == "message"]
    write, read = messages[-4], messages[-1]
    if digest:
        expected = [{"pointer": p, "length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()} for p in ("/params/data", "/result/data")]
        assert [write["digests"], read["digests"]] == [expected[:1], expected[1:]]
        assert json.loads(write["text"])["params"]["data"] == json.loads(read["text"])["result"]["data"] == ""
        assert transcript.stat().st_size < 4096
    else:
        assert base64.b85decode(json.loads(write["text"])["params"]["data"]) == payload
        assert base64.b85decode(json.loads(read["text"])["result"]["data"]) == payload
    assert template.is_dir()
    assert cli("spec", "check-transcript", transcript).returncode == 0


def test_a_server_that_dies_at_once_is_recorded_with_its_status_and_the_client_sees_it(tmp_path: Path) -> None:
    from microtvm_project_api.client.client import ProjectApiClient
    from microtvm_project_api.client.errors import ServerExitedError

    project = tmp_path / "dying"
    project.mkdir()
    (project / "microtvm_api_server.py").write_text("import sys\nprint('no such board', file=sys.stderr)\nsys.exit(3)\n")
    transcript = tmp_path / "dying.jsonl"
    assert cli("record", project, "--output", transcript).returncode == 0
    try:
        with pytest.raises(ServerExitedError) as died:
            ProjectApiClient.launch(project)
    finally:
        assert cli("record", "--off", project).returncode == 0
    assert died.value.exit_code == 3 and died.value.stderr_tail == ["no such board"]
    launch, request, exited = entries(transcript)[1:]
    assert (launch["kind"], request["direction"], exited["kind"], exited["status"]) == ("launch", "request", "exit", 3)


def test_files_the_sessions_wrote_are_named_at_off(platform_copy, tmp_path: Path) -> None:
    template = platform_copy("loopback")
    assert cli("record", template, "--output", tmp_path / "s.jsonl").returncode == 0
    (template / "build").mkdir()
    off = cli("record", "--off", template)
    assert off.returncode == 0 and off.stdout.endswith("what recording changed is undone\n")
    assert off.stderr == f"record: the recorded sessions themselves changed, in {template}: build\n"
