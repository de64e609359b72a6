"""pytest plugin: `pytest --microtvm-replay DIR FOLDER` replays every transcript (`*.jsonl`) found under the paths
given against the platform in DIR, one test per transcript, failing with the first divergence. Inert unless the
option is given. `--microtvm-replay-mlf` and `--microtvm-replay-crt` give generate_project's inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from microtvm_project_api.sessions.replay import ReplayError, ReplaySettings, replay_file


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("microtvm-replay", "replay recorded Project API sessions")
    group.addoption("--microtvm-replay", metavar="DIR", help="replay each transcript (*.jsonl) collected against the platform in DIR")
    group.addoption("--microtvm-replay-mlf", metavar="PATH", help="the Model Library Format archive for generate_project")
    group.addoption("--microtvm-replay-crt", metavar="PATH", help="the standalone CRT directory for generate_project")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".jsonl" and parent.config.getoption("microtvm_replay"):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


class ReplayDiverged(Exception):
    """A replayed reply differs from the recorded one (or the replay could not run)."""


class TranscriptFile(pytest.File):
    def collect(self) -> Any:
        yield TranscriptItem.from_parent(self, name=self.path.stem)


class TranscriptItem(pytest.Item):
    """One transcript replayed against the platform."""

    def runtest(self) -> None:
        option = self.config.getoption
        settings = ReplaySettings(mlf=_path(option("microtvm_replay_mlf")), standalone_crt_dir=_path(option("microtvm_replay_crt")))
        try:
            outcome = replay_file(self.path, Path(option("microtvm_replay")), settings)
        except ReplayError as exc:
            raise ReplayDiverged(f"could not replay: {exc}") from None
        if outcome.divergence is not None:
            raise ReplayDiverged(outcome.render())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ReplayDiverged):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"replay {self.path.name}"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
