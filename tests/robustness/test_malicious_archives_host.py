"""The SDK's malicious-archive set (tests/server_sdk/test_mlf.py), sent through generate_project of the
reference host platform over the wire: each is refused naming the bad member, and nothing is written."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ServerError

TESTS = Path(__file__).resolve().parents[1]
HOST_TEMPLATE = TESTS.parent / "examples" / "host"


def _sdk_archive_cases() -> Any:
    spec = importlib.util.spec_from_file_location("sdk_malicious_archives", TESTS / "server_sdk" / "test_mlf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SDK = _sdk_archive_cases()


@pytest.fixture(scope="module")
def host_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProjectApiClient]:
    """One host template server for the whole set, run from a copy of examples/host."""
    template = tmp_path_factory.mktemp("host") / "template"
    shutil.copytree(HOST_TEMPLATE, template, ignore=shutil.ignore_patterns("__pycache__"))
    with ProjectApiClient.launch(template) as client:
        assert client.server_info.is_template
        yield client


@pytest.mark.parametrize("name, members, message", SDK.CASES, ids=[case[0] for case in SDK.CASES])
def test_the_host_template_refuses_each_malicious_archive(host_template: ProjectApiClient, tmp_path: Path, name: str,
                                                          members: list[Any], message: str) -> None:
    sandbox = tmp_path / "box" / "inner"
    sandbox.mkdir(parents=True)
    (tmp_path / "crt").mkdir()
    archive = SDK.build(sandbox / "evil.tar", *members)
    project_dir = sandbox / "target"
    before = SDK.snapshot(tmp_path)
    with pytest.raises(ServerError) as caught:
        host_template.generate_project(archive, tmp_path / "crt", project_dir)
    extraction = project_dir / "model"  # the SDK's messages name the extraction directory's parent as {box}
    expected = message.format(box=extraction.parent, target=extraction.resolve())
    assert caught.value.code == -32000
    assert caught.value.message == expected
    assert SDK.snapshot(tmp_path) == before
    assert not Path("/tmp/evil.txt").exists()
