"""Data integrity: 64 MiB of random bytes through the loopback example in random chunk sizes, in both
revisions, written and read back by the typed client and checked by hash.

The bytes go through two sessions at once (two servers, 32 MiB each): while one client thread encodes,
the other session's server decodes, so revision 1's pure-Python base85 costs half the wall time.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from wire_oracle import LOOPBACK

from microtvm_project_api.client.client import ProjectApiClient

TOTAL = 64 << 20
SESSIONS = 2
LARGEST_CHUNK_LOG2 = 21  # chunks of 1 B to 2 MiB, log-uniform: every size class gets exercised


def stream(directory: Path, revision: int, seed: int, total: int) -> tuple[int, str, str]:
    """Write `total` random bytes in random chunks and read each chunk back in random reads: the byte
    count read and the hashes of what was sent and what came back."""
    shutil.copy2(LOOPBACK, directory / LOOPBACK.name)
    rng = random.Random(seed)
    sent, received = hashlib.sha256(), hashlib.sha256()
    count = 0
    with ProjectApiClient.launch(directory, protocol_versions=[revision]) as client:
        assert client.revision == revision
        client.open_transport()
        remaining = total
        while remaining:
            chunk = rng.randbytes(min(remaining, int(2 ** rng.uniform(0, LARGEST_CHUNK_LOG2))))
            remaining -= len(chunk)
            client.write_transport(chunk, None)
            sent.update(chunk)
            pending = len(chunk)
            while pending:
                data = client.read_transport(rng.randint(1, 2 * pending), None)
                assert 1 <= len(data) <= pending
                pending -= len(data)
                count += len(data)
                received.update(data)
    return count, sent.hexdigest(), received.hexdigest()


@pytest.mark.parametrize("revision", (1, 2))
def test_64_mib_of_random_bytes_come_back_whole(revision: int, tmp_path: Path) -> None:
    directories = [tmp_path / f"session{index}" for index in range(SESSIONS)]
    for directory in directories:
        directory.mkdir()
    with ThreadPoolExecutor(SESSIONS) as pool:
        futures = [pool.submit(stream, directory, revision, 10 * revision + index, TOTAL // SESSIONS)
                   for index, directory in enumerate(directories)]
        results = [future.result() for future in futures]
    for count, sent, received in results:
        assert count == TOTAL // SESSIONS
        assert received == sent
