"""Revision agreement at server_info_query (schema/methods/server_info_query.json): what a client asks, which
revision a server answers in. The SDK, the client and the conformance kit share it, so the rule is written once.

A query WITH `protocol_versions` is answered in the highest revision both sides speak; one WITHOUT it (TVM's
shipped client) in revision 1 when the server offers it, else in the server's lowest. With nothing in common
the server answers in its highest and the client refuses it.
"""

from __future__ import annotations

from typing import Any, Collection, Sequence

from microtvm_project_api.protocol.violations import Violation

PROTOCOL_VERSIONS = "protocol_versions"
TVM_CLIENT_REVISION = 1
"""The revision of a query without protocol_versions: what TVM's shipped client speaks."""

DEFAULT_TVM_VERSION = "0.18.0"
"""The tvm_version a caller sends when it is not told one: the last TVM that shipped microTVM."""


def answer_revision(offered: Collection[int], asked: Sequence[int] | None) -> int:
    """The revision a server offering `offered` answers a server_info_query in; `asked` is its protocol_versions (None: absent)."""
    if asked is None:
        return TVM_CLIENT_REVISION if TVM_CLIENT_REVISION in offered else min(offered)
    common = set(offered) & set(asked)
    return max(common) if common else max(offered)


def query_params(tvm_version: str, protocol_versions: Sequence[int] | None) -> dict[str, Any]:
    """server_info_query params: with protocol_versions when given (revision agreement), without it as TVM's client sends."""
    params: dict[str, Any] = {"tvm_version": tvm_version}
    if protocol_versions is not None:
        params[PROTOCOL_VERSIONS] = list(protocol_versions)
    return params


def check_query_params(params: dict[str, Any]) -> list[Violation]:
    """What the generated model of ServerInfoQueryParamsV2 cannot express: protocol_versions is not null and holds no repeat."""
    if PROTOCOL_VERSIONS not in params:
        return []
    versions = params[PROTOCOL_VERSIONS]
    if versions is None:
        return [Violation(f"/{PROTOCOL_VERSIONS}", "protocol_versions is an array when present (leave it out instead of null)", "type")]
    if len(set(versions)) != len(versions):
        return [Violation(f"/{PROTOCOL_VERSIONS}", f"protocol_versions has repeated revisions: {versions}", "uniqueItems")]
    return []
