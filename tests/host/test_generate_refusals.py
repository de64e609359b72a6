"""generate_project of the host template refuses inputs it cannot use, and leaves no project directory behind.

(The SDK's malicious-archive set goes through this template in tests/robustness/test_malicious_archives_host.py.)
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Iterator

import pytest
from host_project import TEMPLATE_DIR, launch

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ServerError
from microtvm_project_api.sample_model import standalone_crt_dir


@pytest.fixture(scope="module")
def template() -> Iterator[ProjectApiClient]:
    with launch(TEMPLATE_DIR, 2) as client:
        yield client


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


BAD_TEMPLATES = [
    ("no-template", {"metadata.json": b"{}"},
     "generate_project: the archive has no templates/model_config.h.template, which app 'model' needs"),
    ("unknown-placeholder", {"templates/model_config.h.template": b"#define X $unknown\n"},
     "generate_project: cannot render the archive's templates/model_config.h.template: KeyError('unknown')"),
    ("not-utf8", {"templates/model_config.h.template": b"\xff\xfe"},
     "generate_project: cannot render the archive's templates/model_config.h.template: UnicodeDecodeError("
     "'utf-8', b'\\xff\\xfe', 0, 1, 'invalid start byte')"),
    ("oversized", {"templates/model_config.h.template": b"x" * (64 * 1024 + 1)},
     "generate_project: templates/model_config.h.template is over 65536 bytes"),
]


@pytest.mark.parametrize("name, members, message", BAD_TEMPLATES, ids=[c[0] for c in BAD_TEMPLATES])
def test_an_unusable_project_template_is_refused_for_the_model_app(template: ProjectApiClient, tmp_path: Path, name, members,
                                                                  message) -> None:
    archive = _archive(tmp_path / "odd.tar", members)
    with pytest.raises(ServerError) as caught:
        template.generate_project(archive, standalone_crt_dir(), tmp_path / "project", {"app": "model"})
    assert caught.value.message == message
    assert not (tmp_path / "project").exists()


def test_a_missing_standalone_crt_dir_is_refused(template: ProjectApiClient, archive: Path, tmp_path: Path) -> None:
    with pytest.raises(ServerError) as caught:
        template.generate_project(archive, tmp_path / "no-crt", tmp_path / "project", {})
    assert caught.value.message == f"generate_project: standalone_crt_dir {tmp_path / 'no-crt'} is not a directory"
    assert not (tmp_path / "project").exists()
