"""A server_info_query repeated with the same params is not validated again, and "the same" is JSON's sameness,
not Python's ==: after `[2, 1]`, the params `[2.0, 1]` (or `[true, 2]`) are still refused as they are on their own."""

from __future__ import annotations

import pytest

from microtvm_project_api.server_sdk.revisions import identity

QUERY = {"tvm_version": "0.18.0"}


@pytest.mark.parametrize("agreed, again, pointer", [
    ([2, 1], [2.0, 1], "/protocol_versions/0"),
    ([1, 2], [1, 2.0], "/protocol_versions/1"),
    ([1, 2], [True, 2], "/protocol_versions/0"),
    ([2], [2.0], "/protocol_versions/0"),
])
def test_params_python_calls_equal_are_validated_again(start, fixture_dir, agreed, again, pointer) -> None:
    server = start(fixture_dir, agree=False)
    alone = server.error("server_info_query", {**QUERY, "protocol_versions": again})
    assert alone["code"] == -32602 and alone["message"].startswith(f"server_info_query: {pointer}: "), alone
    assert server.result("server_info_query", {**QUERY, "protocol_versions": agreed})["protocol_version"] == 2
    after = server.error("server_info_query", {**QUERY, "protocol_versions": again})
    assert after == alone
    assert server.result("server_info_query", {**QUERY, "protocol_versions": agreed})["protocol_version"] == 2


@pytest.mark.parametrize("a, b, same", [
    ([2, 1], [2, 1], True),
    ({"tvm_version": "x", "protocol_versions": [2]}, {"tvm_version": "x", "protocol_versions": [2]}, True),
    ({"tvm_version": "x", "protocol_versions": [2]}, {"protocol_versions": [2], "tvm_version": "x"}, False),  # a miss: validated again
    ([2, 1], [2.0, 1], False),
    ([1], [True], False),
    (0, False, False),
    ({"a": 1}, {"a": 1, "b": 1}, False),
    ([1, 2], [1, 2, 3], False),
    ("1", 1, False),
    (None, None, True),
])
def test_identity_tells_types_apart_at_every_level(a, b, same) -> None:
    assert (identity(a) == identity(b)) is same
