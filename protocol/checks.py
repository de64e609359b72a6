"""Validation with the validators compiled from schema/ (generated/validators.py): the standard library only,
so a server validates every request without importing pydantic. The same rules as the generated models, in
the same words, plus those JSON Schema states and the models leave out (uniqueItems, null for an optional member).
A payload string's length rules are checked here too, on a payload taken out of its line before parsing as on one
parsed whole (payload.DecodedPayload); its alphabet is the payload codec's strict decoder's to judge (PayloadCodec.decode)."""

from __future__ import annotations

from typing import Any

from microtvm_project_api.generated.validators import PARAMS, REPLIES, RESULTS, Check, Found
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.violations import Violation


def _accepts_null(check: Check) -> bool:
    found: Found = []
    check(None, "", found)
    return not found


NULL_RESULTS = {revision: frozenset(m for m, check in checks.items() if _accepts_null(check)) for revision, checks in RESULTS.items()}
"""By revision, the methods whose result may be null (read off the compiled validators): a null result of one of
them is valid without a call."""


def params_violations(revision: int, method: str, params: Any) -> list[Violation]:
    """Violations of `params` against `method`'s params in `revision` (KeyError for an unknown method)."""
    found: Found = []
    PARAMS[revision][method](params, "", found)
    return [Violation(*v) for v in found]


def result_violations(revision: int, method: str, result: Any) -> list[Violation]:
    """Violations of `result` against `method`'s result in `revision`, the cross-field metadata rules included."""
    found: Found = []
    RESULTS[revision][method](result, "", found)
    if not found and method == "server_info_query":
        return check_server_info(result, revision)
    return [Violation(*v) for v in found]


def reply_violations(kind: str, reply: Any) -> list[Violation]:
    """Violations of a reply envelope: `kind` is "ResultReply" or "ErrorReply" (or "ErrorObject" for an error member)."""
    found: Found = []
    REPLIES[kind](reply, "", found)
    return [Violation(*v) for v in found]
