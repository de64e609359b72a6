"""Fixtures of the host platform tests: the sample archive, projects generated, built and flashed once per session,
and a real ser2net exporting a device over RFC 2217."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from host_project import REVISIONS, generate, launch
from ser2net import Ser2net, find_ser2net

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.sample_model import write_mlf_archive


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app(name): the firmware app (echo or model) the `session` fixture flashes")


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample Model Library Format archive."""
    return write_mlf_archive(tmp_path_factory.mktemp("mlf") / "sample.tar")


@pytest.fixture(scope="session")
def flashed(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], Path]:
    """(app, revision) -> a project generated, built and flashed through the client in that revision, made once."""
    made: dict[tuple[str, int], Path] = {}

    def get(app: str, revision: int) -> Path:
        if (app, revision) not in made:
            project = tmp_path_factory.mktemp(f"{app}-v{revision}") / "project"
            generate(archive, project, revision, app=app)
            with launch(project, revision) as client:
                client.build()
                client.flash()
            made[app, revision] = project
        return made[app, revision]

    return get


@pytest.fixture(params=REVISIONS, ids=[f"v{r}" for r in REVISIONS])
def revision(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def session(flashed: Callable[[str, int], Path], revision: int, request: pytest.FixtureRequest) -> Iterator[ProjectApiClient]:
    """A client session with a flashed project of the app named by the test's `app` marker."""
    app = request.node.get_closest_marker("app").args[0]
    with launch(flashed(app, revision), revision) as client:
        yield client


SER2NET_MISSING = "ser2net is not installed (Debian and Ubuntu: apt-get install ser2net; .ci/run installs it)"


@pytest.fixture
def ser2net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Ser2net]]:
    """(device path, **Ser2net options) -> a ser2net exporting it at `.url`; all stopped at the end, and nothing of
    them left (process groups gone, ports closed). Skips, saying why, only when ser2net is not installed."""
    executable = find_ser2net()
    if executable is None:
        pytest.skip(SER2NET_MISSING)
    started: list[Ser2net] = []

    def start(device: Path, **options: bool) -> Ser2net:
        exporter = Ser2net(executable, device, tmp_path_factory.mktemp("ser2net"), **options)
        started.append(exporter)
        exporter.start()
        return exporter

    yield start
    for exporter in started:
        exporter.stop()
    for exporter in started:
        exporter.assert_nothing_left()
