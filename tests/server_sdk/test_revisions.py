"""Revision agreement in the SDK over real pipes: the revision a server_info_query is answered in, the switch it
makes for the rest of the connection, the refusals, and a server restricted to some revisions."""

from __future__ import annotations

import pytest

from microtvm_project_api.client.errors import ServerExitedError

QUERY = {"tvm_version": "0.18.0"}
NOT_SUPPORTED_V1 = {"code": -32000, "message": "build is not supported by this server"}
NOT_SUPPORTED_V2 = {"code": -32000, "message": "MethodNotSupportedError", "data": {"detail": "build is not supported by this server"}}


def minimal(start, fixture_dir, **env):
    """A fixture server implementing nothing: its refusal of build shows the revision it speaks."""
    return start(fixture_dir, agree=False, FIXTURE_VARIANT="minimal", **env)


@pytest.mark.parametrize("asked, answered", [
    (None, 1),        # TVM's client: no protocol_versions
    ([2, 1], 2),      # the typed client
    ([1, 2], 2),      # order does not matter: the highest in common
    ([1], 1),
    ([2], 2),
    ([1, 3], 1),      # a revision the server does not know is ignored
    ([3], 2),         # nothing in common: the server's highest, which the client refuses
])
def test_the_reply_is_in_the_highest_common_revision(start, fixture_dir, asked, answered):
    server = start(fixture_dir, agree=False)
    params = QUERY if asked is None else {**QUERY, "protocol_versions": asked}
    info = server.result("server_info_query", params)
    assert info["protocol_version"] == answered
    assert ("supported_methods" in info) == (answered == 2)


def test_lowest_revision_before_any_query_then_the_chosen_one_until_the_next_query(start, fixture_dir):
    server = minimal(start, fixture_dir)
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V1
    assert server.result("server_info_query", {**QUERY, "protocol_versions": [2, 1]})["protocol_version"] == 2
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V2
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V2
    assert server.result("server_info_query", QUERY)["protocol_version"] == 1
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V1


@pytest.mark.parametrize("versions, pointer", [
    ([], "/protocol_versions"),
    ([2, 2], "/protocol_versions"),
    ([0], "/protocol_versions/0"),
    (["2"], "/protocol_versions/0"),
    (None, "/protocol_versions"),
    (2, "/protocol_versions"),
])
def test_bad_protocol_versions_are_refused_and_the_revision_is_kept(start, fixture_dir, versions, pointer):
    server = minimal(start, fixture_dir)
    server.info(2)
    error = server.error("server_info_query", {**QUERY, "protocol_versions": versions})
    assert error["code"] == -32602 and error["message"].startswith(f"server_info_query: {pointer}: "), error
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V2


def test_a_refused_compiler_version_does_not_switch_the_revision(start, fixture_dir):
    server = start(fixture_dir, 1)
    error = server.error("server_info_query", {"tvm_version": "0.1", "protocol_versions": [2]})
    assert (error["code"], error["message"]) == (-32000, "UnsupportedTVMVersionError")
    # still revision 1: an undeclared option is dropped, where revision 2 would refuse it
    assert server.result("build", {"options": {"board": "a", "bord": "dropped in revision 1"}}) is None


def test_a_server_offering_only_revision_1_refuses_protocol_versions_like_tvms_module(start, fixture_dir):
    server = minimal(start, fixture_dir, FIXTURE_REVISIONS="1")
    error = server.error("server_info_query", {**QUERY, "protocol_versions": [2, 1]})
    assert error["code"] == -32602 and "protocol_versions" in error["message"], error
    info = server.result("server_info_query", QUERY)
    assert info["protocol_version"] == 1 and "supported_methods" not in info
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V1


def test_a_server_offering_only_revision_2_answers_every_query_in_2(start, fixture_dir):
    server = minimal(start, fixture_dir, FIXTURE_REVISIONS="2")
    assert server.error("build", {"options": {}}) == NOT_SUPPORTED_V2
    assert server.result("server_info_query", QUERY)["protocol_version"] == 2
    assert server.result("server_info_query", {**QUERY, "protocol_versions": [1]})["protocol_version"] == 2


@pytest.mark.parametrize("offered", ["", "3", "1,3"])
def test_offering_no_revision_or_an_unknown_one_stops_the_server_at_start(start, fixture_dir, offered):
    server = start(fixture_dir, agree=False, FIXTURE_REVISIONS=offered)
    with pytest.raises(ServerExitedError) as caught:
        server.call("server_info_query", QUERY)
    assert caught.value.exit_code not in (0, None)
    assert "a server offers one or more of the revisions 1, 2" in "\n".join(caught.value.stderr_tail)
