"""Fixtures of the host platform tests: the sample archive, and projects generated, built and flashed once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from host_project import REVISIONS, generate, launch

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
