"""The conformance kit judging a server whose reply the JSON parser cannot hold (a number over CPython's 4,300
digits, a line over x-max-line-values): a FAIL of the server naming why, never a traceback or a harness error."""

from __future__ import annotations

import pytest
from test_client_fuzz import project, reply_step

from microtvm_project_api.cli.main import main as cli_main
from microtvm_project_api.conformance.check import all_checks
from microtvm_project_api.protocol.wire import MAX_LINE_VALUES

REPLIES = {
    "5000-digit result": (b'{"jsonrpc":"2.0","id":"__ID__","result":' + b"1" * 5000 + b"}", "not JSON this implementation can hold"),
    "5000-digit id": (b'{"jsonrpc":"2.0","id":' + b"2" * 5000 + b',"result":null}', "not JSON this implementation can hold"),
    "a million values and one": (b'{"jsonrpc":"2.0","id":"__ID__","result":[' + b"0," * MAX_LINE_VALUES + b"0]}",
                                 f"may hold more than {MAX_LINE_VALUES} JSON values"),
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_the_kit_fails_a_server_whose_reply_the_parser_cannot_hold(name: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    line, reason = REPLIES[name]
    directory = project(tmp_path / "p", [reply_step(line)])
    skips = [arg for check in all_checks() if check.id != "process.starts" for arg in ("--skip", check.id)]
    status = cli_main(["conform", str(directory), "--timeout", "10", *skips])
    out = capsys.readouterr().out
    assert status == 1, out
    block = out.split("FAIL  process.starts", 1)[1]
    assert f"the reply channel carried a line that is not JSON ({reason}" in block
    assert "Traceback" not in out and "ERROR" not in out
