"""Two servers of one host project: a build or flash while another runs is refused at once, naming the one that
runs (they would race on `make clean`, build/ and device/); once it has finished, both work. Flashing stages the
image under a name of its own."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from host_project import generate, launch

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ServerError

pytestmark = pytest.mark.timeout(120)
SLOW_CC = "sleep 1; cc"  # make runs each compile through the shell: every object takes a second more


def test_a_build_or_flash_during_another_build_is_refused_naming_it(archive: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(archive, project, 2)
    lock = project / "project.lock"
    slow = ProjectApiClient.launch(project, env={**os.environ, "CC": SLOW_CC})
    with slow as first, launch(project, 2) as second:
        building = threading.Thread(target=first.build, args=({"clean": True},))
        building.start()
        holder = f"build by process {first.server.process.pid}"
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text().strip() == holder):
            assert time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.01)
        for method in ("build", "flash"):
            with pytest.raises(ServerError) as caught:
                getattr(second, method)()
            assert caught.value.message == f"{method}: {project} is busy: {holder} holds {lock}; {method} again when it has finished"
        building.join()
        second.build()
        second.flash()
    assert (project / "device" / "firmware").is_file()


def test_flashing_stages_under_a_name_of_its_own(archive: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(archive, project, 2)
    (project / "device" / "firmware.new").mkdir(parents=True)  # where an older flash staged, taken by something else
    with launch(project, 2) as client:
        client.build()
        client.flash()
        client.flash()
    assert sorted(os.listdir(project / "device")) == ["firmware", "firmware.new"]
    assert os.access(project / "device" / "firmware", os.X_OK)
