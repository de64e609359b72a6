"""The SDK's malicious archives (tests/server_sdk/test_mlf.py) through the host template's generate_project:
each is refused with the bad member named, and no project directory or stray file is left behind."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest

from host_project import TEMPLATE_DIR, launch
from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ServerError
from microtvm_project_api.sample_model import standalone_crt_dir

SDK_CASES_FILE = Path(__file__).resolve().parents[1] / "server_sdk" / "test_mlf.py"


def _sdk_cases() -> ModuleType:
    """The SDK's test module, loaded by path: its CASES and build() are the malicious archive set."""
    spec = importlib.util.spec_from_file_location("sdk_malicious_archives", SDK_CASES_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SDK = _sdk_cases()


@pytest.fixture(scope="module")
def template() -> Iterator[ProjectApiClient]:
    with launch(TEMPLATE_DIR, 2) as client:
        yield client


@pytest.mark.parametrize("name, members, message", SDK.CASES, ids=[c[0] for c in SDK.CASES])
def test_malicious_archive_is_refused_by_generate_project(template: ProjectApiClient, tmp_path: Path, name, members, message) -> None:
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    archive = SDK.build(sandbox / "evil.tar", *members)
    project = sandbox / "project"
    with pytest.raises(ServerError) as caught:
        template.generate_project(archive, standalone_crt_dir(), project, {"app": "model"})
    assert caught.value.message == message.format(box=project.resolve(), target=(project / "model").resolve())
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.tar", "sandbox"]


BAD_TEMPLATES = [
    ("no-template", [SDK.entry("metadata.json", b"{}")],
     "generate_project: the archive has no templates/model_config.h.template, which app 'model' needs"),
    ("unknown-placeholder", [SDK.entry("templates/model_config.h.template", b"#define X $unknown\n")],
     "generate_project: cannot render the archive's templates/model_config.h.template: KeyError('unknown')"),
]


@pytest.mark.parametrize("name, members, message", BAD_TEMPLATES, ids=[c[0] for c in BAD_TEMPLATES])
def test_an_unusable_project_template_is_refused_for_the_model_app(template: ProjectApiClient, tmp_path: Path, name, members,
                                                                  message) -> None:
    archive = SDK.build(tmp_path / "odd.tar", *members)
    with pytest.raises(ServerError) as caught:
        template.generate_project(archive, standalone_crt_dir(), tmp_path / "project", {"app": "model"})
    assert caught.value.message == message
    assert not (tmp_path / "project").exists()


def test_a_missing_standalone_crt_dir_is_refused(template: ProjectApiClient, archive: Path, tmp_path: Path) -> None:
    with pytest.raises(ServerError) as caught:
        template.generate_project(archive, tmp_path / "no-crt", tmp_path / "project", {})
    assert caught.value.message == f"generate_project: standalone_crt_dir {tmp_path / 'no-crt'} is not a directory"
    assert not (tmp_path / "project").exists()
