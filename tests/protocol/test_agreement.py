"""The revision agreement rule (protocol/agreement.py), as schema/methods/server_info_query.json states it."""

from __future__ import annotations

import pytest

from microtvm_project_api.protocol.agreement import answer_revision, check_query_params, query_params


@pytest.mark.parametrize("offered, asked, answered", [
    ((1, 2), None, 1),      # without protocol_versions: revision 1 when offered (TVM's client)
    ((2,), None, 2),        # ... else the lowest offered
    ((2, 3), None, 2),
    ((1, 2), [2, 1], 2),    # with it: the highest both speak
    ((1, 2), [1], 1),
    ((1,), [2, 1], 1),
    ((1, 2), [3, 1], 1),
    ((1, 2), [3], 2),       # nothing in common: the server's highest (the client refuses it)
    ((1,), [2], 1),
])
def test_answer_revision(offered, asked, answered) -> None:
    assert answer_revision(offered, asked) == answered


def test_query_params_carry_protocol_versions_only_when_given() -> None:
    assert query_params("0.18.0", None) == {"tvm_version": "0.18.0"}
    assert query_params("0.18.0", (2, 1)) == {"tvm_version": "0.18.0", "protocol_versions": [2, 1]}


def test_check_query_params_refuses_null_and_repeats() -> None:
    assert check_query_params({"tvm_version": "x"}) == []
    assert check_query_params({"tvm_version": "x", "protocol_versions": [2, 1]}) == []
    assert [v.rule for v in check_query_params({"tvm_version": "x", "protocol_versions": None})] == ["type"]
    assert [v.rule for v in check_query_params({"tvm_version": "x", "protocol_versions": [1, 1]})] == ["uniqueItems"]
