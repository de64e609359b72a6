"""A server that exits at once, launched many times: each launch gives the server's exit as a ServerExitedError naming
the command, the exit status and the stderr tail (never a ValueError from a pipe a drain thread already closed), and
no launch leaves a descriptor open."""

from __future__ import annotations

from pathlib import Path

import pytest
from leak_check import open_fds

from microtvm_project_api.protocol.launch import LAUNCH_SCRIPT, SERVER_FILE, ServerExitedError, ServerProcess

LAUNCHES = 40
FAILING_SCRIPT = "#!/bin/sh\necho 'the vendor interpreter is not installed' >&2\nexit 3\n"


def exits_at_once(tmp_path: Path, kind: str) -> tuple[Path, str | None]:
    """A project whose server ends before reading anything: started by /bin/true, or by a launch script that fails."""
    project = tmp_path / kind
    project.mkdir()
    (project / SERVER_FILE).write_text("")
    if kind == "true":
        return project, "/bin/true"
    script = project / LAUNCH_SCRIPT
    script.write_text(FAILING_SCRIPT)
    script.chmod(0o755)
    return project, None


@pytest.mark.parametrize("kind, exit_code, stderr_tail", [("true", 0, []), ("script", 3, ["the vendor interpreter is not installed"])])
def test_a_server_that_exits_at_once_is_its_exit_never_a_closed_pipe_and_leaks_nothing(tmp_path, kind, exit_code, stderr_tail) -> None:
    project, python = exits_at_once(tmp_path, kind)
    before = open_fds()
    for _ in range(LAUNCHES):
        server = ServerProcess(project, python=python)
        try:
            with pytest.raises(ServerExitedError) as exited:
                server.send_line(b'{"jsonrpc":"2.0","method":"server_info_query","params":{},"id":1}\n', 5.0)
                server.read_line(5.0)
        finally:
            server.close(grace=0.5)
        assert exited.value.exit_code == exit_code
        assert exited.value.stderr_tail == stderr_tail
        assert exited.value.command == server.command
        assert f"(exit code {exit_code}); started as {server.command[0]} " in str(exited.value)
    after = open_fds()
    assert {fd: target for fd, target in after.items() if before.get(fd) != target} == {}, "descriptors leaked by the launches"


def test_a_start_that_fails_after_the_server_started_kills_it_and_closes_every_descriptor(tmp_path, monkeypatch, group_alive) -> None:
    project, python = exits_at_once(tmp_path, "script")
    (project / LAUNCH_SCRIPT).write_text("#!/bin/sh\nexec sleep 30\n")
    started: list[int] = []

    def interrupted(self: ServerProcess, max_line_bytes: int) -> None:
        started.append(self.process.pid)
        raise KeyboardInterrupt

    monkeypatch.setattr(ServerProcess, "_start_session", interrupted)
    before = open_fds()
    with pytest.raises(KeyboardInterrupt):
        ServerProcess(project, python=python)
    assert {fd: target for fd, target in open_fds().items() if before.get(fd) != target} == {}
    assert started and not group_alive(started[0])
