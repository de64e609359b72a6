"""The timed figures, measured in interleaved rounds: every round measures, in each placement (client and
server pinned to one CPU, then free), the floors and every subject once, so a burst of load from elsewhere
on the machine hits baselines and subjects alike."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from typing import Callable

from bench import floors
from bench.measure import Samples, seconds_per_op, timed_parts
from bench.placement import PLACEMENTS, placed
from bench.subjects import PAYLOAD_SUBJECTS, SUBJECTS, Session, one_way

CHUNKS = (64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024)
CALLS = ("server_info_query", "write_transport_1B", "read_transport_1B")
DIRECTIONS = ("write", "read")
READ_PREFILL = 64 * 1024
"""Bytes put in the loopback before timing 1-byte reads (one read takes one; the timing stops before they run out)."""
MB = 1e6


@dataclass(frozen=True)
class Config:
    """How long to measure: rounds (runs of every figure) and the least time one sample takes."""

    rounds: int = 5
    sample_seconds: float = 0.15


class Figures:
    """Samples keyed by a path such as ("oneway_MBps", "free", "write", "ours-v2", "65536")."""

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
    """Every timed figure, `config.rounds` times per placement, the order of the subjects rotating from round to round."""
    figures = Figures()
    names = list(SUBJECTS)
    progress("warm-up: every subject launched once (bytecode caches written, files in the page cache)")
    for name in names:
        SUBJECTS[name]().close()
    for index in range(config.rounds):
        for placement in PLACEMENTS:
            progress(f"round {index + 1}/{config.rounds}, {placement}")
            with placed(placement):
                measure_floors(figures, config, placement)
                for name in names[index % len(names):] + names[: index % len(names)]:
                    measure_subject(figures, config, placement, name)
    return figures


def measure_floors(figures: Figures, config: Config, placement: str) -> None:
    """Interpreter launch, line ping-pong, pipe bandwidth and the codecs, once each."""
    figures.add(("launch_ms", placement, "floor"), "ms", 1e3 * floors.launch_seconds())
    with floors.echo_child() as child:
        figures.add(("call_us", placement, "ping-pong", "floor"), "us", 1e6 * floors.ping_pong_seconds(child, config.sample_seconds))
    with floors.stream_child() as child:
        figures.add(("pipe_MBps", placement), "MB/s", floors.pipe_bytes_per_second(child) / MB, True)
    for codec in floors.CODECS:
        for chunk in CHUNKS:
            rate = floors.codec_bytes_per_second(codec, chunk, config.sample_seconds / 3)
            figures.add(("codec_MBps", placement, codec, str(chunk)), "MB/s", rate / MB, True)


def measure_subject(figures: Figures, config: Config, placement: str, name: str) -> None:
    """Launch one subject, then its per-call latencies and (payload subjects) its one-way throughput per chunk size."""
    start = time.perf_counter()
    session = SUBJECTS[name]()
    try:
        figures.add(("launch_ms", placement, name), "ms", 1e3 * (time.perf_counter() - start))
        session.open()
        for call, seconds in call_latencies(session, config).items():
            figures.add(("call_us", placement, call, name), "us", 1e6 * seconds)
        if name not in PAYLOAD_SUBJECTS:
            return
        for chunk in CHUNKS:
            data = os.urandom(chunk)
            for direction, seconds in zip(DIRECTIONS, timed_parts(functools.partial(one_way, session, data), config.sample_seconds)):
                figures.add(("oneway_MBps", placement, direction, name, str(chunk)), "MB/s", chunk / seconds / MB, True)
    finally:
        session.close()


def call_latencies(session: Session, config: Config) -> dict[str, float]:
    """Mean seconds of a server_info_query, a 1-byte write_transport and a 1-byte read_transport on an open loopback
    (the bytes written are read back afterwards, untimed; the reads take bytes put there beforehand, untimed)."""
    found = {"server_info_query": seconds_per_op(session.server_info, config.sample_seconds)}
    written = 0

    def write_one() -> None:
        nonlocal written
        session.write(b"\x5a")
        written += 1

    found["write_transport_1B"] = seconds_per_op(write_one, config.sample_seconds)
    while written:
        written -= len(session.read(written))
    session.write(bytes(READ_PREFILL))
    read = 0

    def read_one() -> None:
        nonlocal read
        read += len(session.read(1))

    found["read_transport_1B"] = seconds_per_op(read_one, config.sample_seconds, max_ops=READ_PREFILL)
    while read < READ_PREFILL:
        read += len(session.read(READ_PREFILL - read))
    return found
