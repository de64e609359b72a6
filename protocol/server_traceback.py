"""The parts of a server's `data.traceback` a person needs first: the exception line and the innermost frames.

Python writes a traceback outermost frame first and the exception last; a report that keeps only
the first few hundred characters keeps the least useful part. Client and kit both show these.
"""

from __future__ import annotations

FRAME_START = '  File "'
MAX_EXCEPTION_LINES = 3


def exception_line(traceback: str) -> str:
    """The exception the traceback ends with ("FileNotFoundError: ..."), at most a few lines joined; "" when there is none."""
    lines = [line for line in traceback.rstrip().splitlines() if line.strip()]
    last_frame = max((i for i, line in enumerate(lines) if line.startswith(FRAME_START)), default=-1)
    tail = lines[last_frame + 1:]
    while tail and tail[0].startswith("    "):  # the source line of the last frame, and carets under it
        tail = tail[1:]
    return " / ".join(line.strip() for line in tail[:MAX_EXCEPTION_LINES])


def last_frames(traceback: str, count: int) -> list[str]:
    """The lines of the innermost `count` frames (each `File ...` line with its source lines, no caret lines), outermost first."""
    lines = traceback.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(FRAME_START)]
    if not starts:
        return []
    end = starts[-1] + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return [line for line in lines[starts[max(0, len(starts) - count)]:end] if line.strip(" ^~")]  # carets point, they say nothing
