"""What the command line shows while it works: colour only on a terminal and without NO_COLOR, the status line, step lines."""

from __future__ import annotations

import io
import time

import pytest

from microtvm_project_api.cli import terminal
from microtvm_project_api.cli.terminal import StepLog, Terminal, colour_wanted


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert colour_wanted(FakeTTY())
    assert not colour_wanted(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value turns colour off
    assert colour_wanted(FakeTTY())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(FakeTTY())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not colour_wanted(FakeTTY())


def test_paint_wraps_in_ansi_only_when_colour_is_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Terminal(out=FakeTTY(), err=FakeTTY()).paint("PASS", "green") == "\x1b[32mPASS\x1b[0m"
    assert Terminal(out=io.StringIO(), err=FakeTTY()).paint("PASS", "green") == "PASS"
    monkeypatch.setenv("NO_COLOR", "1")
    assert Terminal(out=FakeTTY(), err=FakeTTY()).paint("PASS", "green") == "PASS"


def test_the_status_line_ticks_and_is_erased_before_each_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "STATUS_INTERVAL_SEC", 0.02)
    out, err = FakeTTY(), FakeTTY()
    screen = Terminal(out=out, err=err)
    screen.push_status("[3/9] template.build")
    screen.push_status("build")
    deadline = time.monotonic() + 5
    while "template.build > build" not in err.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "\r\x1b[K\x1b[2m[3/9] template.build > build  0 s\x1b[0m" in err.getvalue()
    screen.pop_status()
    screen.pop_status()
    assert err.getvalue().endswith("\r\x1b[K")  # nothing left running: erased
    screen.line("PASS  template.build")
    screen.close()
    assert out.getvalue() == "PASS  template.build\n"


def test_no_status_line_off_a_terminal_or_when_quiet() -> None:
    for screen in (Terminal(out=io.StringIO(), err=io.StringIO()), Terminal(quiet=True, out=FakeTTY(), err=FakeTTY())):
        screen.push_status("build")
        time.sleep(0.6)
        screen.pop_status()
        screen.close()
        assert screen.err.getvalue() == ""


def test_a_step_gets_lines_only_when_it_runs_long() -> None:
    err = io.StringIO()
    log = StepLog(Terminal(out=io.StringIO(), err=err), announce_after=0.1)
    log.step_started("flash")
    log.step_finished("flash", 0.01, "done")
    assert err.getvalue() == ""
    log.step_started("build")
    time.sleep(0.3)
    log.step_finished("build", 0.3, "error reply")
    assert err.getvalue() == "  build: started\n  build: error reply after 0.3 s\n"


def test_verbose_announces_every_step_and_quiet_none() -> None:
    loud, quiet = io.StringIO(), io.StringIO()
    for err, kwargs in ((loud, {"verbose": True}), (quiet, {"quiet": True})):
        log = StepLog(Terminal(out=io.StringIO(), err=err, **kwargs))
        log.step_started("generate_project")
        log.step_finished("generate_project", 0.0, "done")
    assert loud.getvalue() == "  generate_project: started\n  generate_project: done after 0.0 s\n"
    assert quiet.getvalue() == ""
