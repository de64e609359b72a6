"""`make demo`'s driver as a user runs it: every step passes (the conformance kit's included), the summary has timings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "tools" / "demo.py"
FLOW = ["info", "generate", "build", "flash", "open", "inference", "close"]


@pytest.mark.timeout(300)
def test_demo_runs_the_flow_and_prints_a_summary_with_timings() -> None:
    completed = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=280)
    summary = completed.stdout.rpartition("\nsummary\n")[2]
    rows = dict(re.findall(r"^  (\w+)\s+(ok|FAILED|skipped)\s+\d+\.\d\d s", summary, re.MULTILINE))
    assert list(rows) == [*FLOW, "conformance"], completed.stdout
    assert all(status == "ok" for status in rows.values()), completed.stdout
    assert "equal to the Python reference bit for bit" in completed.stdout
    assert re.search(r"^  total\s+\d+\.\d\d s$", summary, re.MULTILINE)
    assert re.search(r"^\d+ checks: \d+ pass(?!.*fail).*exit status 0$", completed.stdout, re.MULTILINE), completed.stdout
    assert completed.returncode == 0, completed.stderr
