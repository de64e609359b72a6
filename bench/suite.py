"""The timed figures, measured in interleaved rounds: every round measures the floors and every subject once,
so a burst of load from elsewhere on the machine hits baselines and subjects alike."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

from bench import floors
from bench.measure import Samples, seconds_per_op
from bench.subjects import SUBJECTS, Session, round_trip

CHUNKS = (64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024)
MB = 1e6


@dataclass(frozen=True)
class Config:
    """How long to measure: rounds (runs of every figure) and the least time one sample takes."""

    rounds: int = 5
    sample_seconds: float = 0.15


class Figures:
    """Samples keyed by a path such as ("throughput_MBps", "ours-v2", "65536")."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, ...], Samples] = {}

    def add(self, path: tuple[str, ...], unit: str, value: float, higher_is_better: bool = False) -> None:
        """One more run of the figure at `path`."""
        self.samples.setdefault(path, Samples(unit, higher_is_better)).add(value)

    def __getitem__(self, path: tuple[str, ...]) -> Samples:
        return self.samples[path]

    def as_tree(self) -> dict[str, object]:
        """Nested dictionaries by path, for results.json."""
        tree: dict[str, object] = {}
        for path, samples in self.samples.items():
            node = tree
            for key in path[:-1]:
                node = node.setdefault(key, {})  # type: ignore[assignment]
            node[path[-1]] = samples.as_dict()  # type: ignore[index]
        return tree


def run(config: Config, progress: Callable[[str], None]) -> Figures:
    """Every timed figure, `config.rounds` times, the order of the subjects rotating from round to round."""
    figures = Figures()
    names = list(SUBJECTS)
    for index in range(config.rounds):
        progress(f"round {index + 1}/{config.rounds}")
        measure_floors(figures, config)
        for name in names[index % len(names):] + names[: index % len(names)]:
            measure_subject(figures, config, name)
    return figures


def measure_floors(figures: Figures, config: Config) -> None:
    """Interpreter launch, line ping-pong, pipe bandwidth and the codecs, once each."""
    figures.add(("launch_ms", "floor"), "ms", 1e3 * floors.launch_seconds())
    with floors.echo_child() as child:
        figures.add(("calls_per_s", "floor"), "calls/s", 1 / floors.ping_pong_seconds(child, config.sample_seconds), True)
    with floors.stream_child() as child:
        figures.add(("pipe_MBps",), "MB/s", floors.pipe_bytes_per_second(child) / MB, True)
    for codec in floors.CODECS:
        for chunk in CHUNKS:
            rate = floors.codec_bytes_per_second(codec, chunk, config.sample_seconds / 3)
            figures.add(("codec_MBps", codec, str(chunk)), "MB/s", rate / MB, True)


def measure_subject(figures: Figures, config: Config, name: str) -> None:
    """Launch one subject, then its call rates and its loopback throughput at every chunk size."""
    start = time.perf_counter()
    session = SUBJECTS[name]()
    try:
        figures.add(("launch_ms", name), "ms", 1e3 * (time.perf_counter() - start))
        per_call = seconds_per_op(session.server_info, config.sample_seconds)
        figures.add(("calls_per_s", "server_info_query", name), "calls/s", 1 / per_call, True)
        session.open()
        figures.add(("calls_per_s", "write_transport_1B", name), "calls/s", 1 / one_byte_writes(session, config), True)
        for chunk in CHUNKS:
            data = os.urandom(chunk)
            per_trip = seconds_per_op(lambda data=data: round_trip(session, data), config.sample_seconds, min_ops=2)
            figures.add(("throughput_MBps", name, str(chunk)), "MB/s", chunk / per_trip / MB, True)
    finally:
        session.close()


def one_byte_writes(session: Session, config: Config) -> float:
    """Mean seconds of a 1-byte write_transport; the bytes are read back afterwards, untimed."""
    written = 0

    def write_one() -> None:
        nonlocal written
        session.write(b"\x5a")
        written += 1

    per_call = seconds_per_op(write_one, config.sample_seconds)
    while written:
        written -= len(session.read(written))
    return per_call
