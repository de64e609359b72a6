"""`conform` while it works: a line when a slow step has run a while and its duration; -q keeps only what failed."""

from __future__ import annotations

import re

from microtvm_project_api.conformance.check import all_checks

SKIPS = [a for group in ("jsonrpc", "server_info", "process", "transport", "template.build-again", "template.flash")
         for a in ("--skip", group)]


def test_a_long_build_is_announced_and_timed(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "hangs", 2, "hangs_on_build"), "--timeout", "2", *SKIPS)
    assert run.status == 1
    assert "  build: started\n" in run.err
    assert re.search(r"^  build: failed after 2\.\d s$", run.err, re.MULTILINE), run.err
    assert re.search(r"^FAIL  template\.build .* \(2\.\d s\)$", run.out, re.MULTILINE), run.out
    assert "\x1b" not in run.out + run.err  # not a terminal: no colour, no status line


def test_quiet_after_the_subcommand_shows_only_failures_and_the_totals(tmp_path, conform, write_project) -> None:
    run = conform(write_project(tmp_path / "hangs", 2, "hangs_on_build"), "--timeout", "2", *SKIPS, "-q")
    assert run.status == 1
    assert "build: started" not in run.err
    lines = [line for line in run.out.splitlines() if not line.startswith(" ")]
    assert [line.split()[0] for line in lines[:-1]] == ["FAIL"]
    assert lines[-1].startswith(f"{len(all_checks())} checks: ") and lines[-1].endswith("(failed: template.build): exit status 1")
