"""The far side of the floor measurements, standard library only: echo lines back, or stream bytes on request.

Usage: floor_child.py echo READ_FD WRITE_FD | floor_child.py stream READ_FD WRITE_FD
`stream` waits for one line "TOTAL CHUNK\n" per burst and writes TOTAL zero bytes in CHUNK-sized writes.
"""

import os
import sys


def echo(read_fd: int, write_fd: int) -> None:
    """Write every line back as it arrives, until end of file."""
    with os.fdopen(read_fd, "rb") as requests:
        for line in requests:
            os.write(write_fd, line)


def stream(read_fd: int, write_fd: int) -> None:
    """For every "TOTAL CHUNK" line, write TOTAL bytes to the pipe, CHUNK bytes per write call."""
    with os.fdopen(read_fd, "rb") as requests:
        for line in requests:
            total, chunk = map(int, line.split())
            block = memoryview(bytes(chunk))
            while total > 0:
                total -= os.write(write_fd, block[: min(chunk, total)])


if __name__ == "__main__":
    role, read_fd, write_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    {"echo": echo, "stream": stream}[role](read_fd, write_fd)
