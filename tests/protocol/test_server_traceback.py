"""The exception line and innermost frames of a server's data.traceback, from tracebacks Python itself formats."""

from __future__ import annotations

import traceback

from microtvm_project_api.protocol.server_traceback import exception_line, last_frames


class BoardError(Exception):
    pass


def _inner() -> None:
    raise BoardError("serial port /dev/ttyACM0 is not open\nsecond line of the message")


def _middle() -> None:
    _inner()


def _outer() -> str:
    try:
        _middle()
    except BoardError:
        return traceback.format_exc()
    raise AssertionError("unreachable")


def _chained() -> str:
    try:
        try:
            _middle()
        except BoardError as exc:
            raise RuntimeError("flash failed") from exc
    except RuntimeError:
        return traceback.format_exc()
    raise AssertionError("unreachable")


def test_the_exception_line_is_what_the_traceback_ends_with() -> None:
    assert exception_line(_outer()) == f"{__name__}.BoardError: serial port /dev/ttyACM0 is not open / second line of the message"
    assert exception_line(_chained()) == "RuntimeError: flash failed"


def test_the_last_frames_are_the_innermost_with_their_source_lines() -> None:
    frames = last_frames(_outer(), 2)
    files = [line for line in frames if line.startswith('  File "')]
    assert len(files) == 2 and frames[0] == files[0]
    assert files[0].endswith("in _middle") and files[1].endswith("in _inner")
    assert frames[-1].strip() == 'raise BoardError("serial port /dev/ttyACM0 is not open\\nsecond line of the message")'
    assert len([line for line in last_frames(_outer(), 10) if line.startswith('  File "')]) == 3
    caret = '  File "x.py", line 1, in f\n    g()\n    ^^^\nValueError: v'
    assert last_frames(caret, 1) == ['  File "x.py", line 1, in f', "    g()"]


def test_text_that_is_not_a_traceback_gives_no_frames_and_its_last_lines() -> None:
    assert last_frames("", 3) == []
    assert exception_line("") == ""
    assert exception_line("a build log\nerror: no board found") == "a build log / error: no board found"
