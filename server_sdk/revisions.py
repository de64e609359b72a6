"""The revisions one SDK server offers, and which one it speaks on a connection (revision agreement).

A server offers revisions 1 and 2 unless its author restricts them. It speaks its lowest offered revision
until a server_info_query chooses one (protocol/agreement.py has the rule), and then that one until the
next server_info_query. The query's params are read in the highest offered revision, so a server that
offers only revision 1 refuses `protocol_versions` with -32602, as TVM's server module does. A client that asks
again with the very same params (TVM's client asks on every launch) is answered without validating them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from microtvm_project_api.generated.methods import REVISIONS, SERVER_INFO_QUERY
from microtvm_project_api.protocol import checks
from microtvm_project_api.protocol.agreement import PROTOCOL_VERSIONS, answer_revision, check_query_params
from microtvm_project_api.protocol.errors import InvalidParamsError
from microtvm_project_api.protocol.method_table import MethodEntry
from microtvm_project_api.protocol.payload import PayloadCodec
from microtvm_project_api.protocol.violations import describe
from microtvm_project_api.protocol.wire import encode_message
from microtvm_project_api.server_sdk.options import OptionChecker, ProjectOption


def offered_revisions(revisions: Iterable[int]) -> tuple[int, ...]:
    """`revisions` sorted, without repeats; ValueError when empty or when one is not a revision of the spec."""
    offered = tuple(sorted(set(revisions)))
    unknown = [r for r in offered if r not in REVISIONS]
    if not offered or unknown:
        raise ValueError(f"a server offers one or more of the revisions {', '.join(map(str, REVISIONS))}; "
                         f"got {list(revisions)!r}")
    return offered


@dataclass(frozen=True)
class ServedRevision:
    """What the loop serves one revision with: its method table, payload codec, option checks and server_info_query result."""

    revision: int
    methods: Mapping[str, MethodEntry]
    codec: PayloadCodec
    options: OptionChecker
    server_info_json: bytes
    """The result, encoded once: declarations are fixed for the life of the process."""

    @classmethod
    def of(cls, revision: int, project_options: Sequence[ProjectOption], server_info: Mapping[str, Any]) -> "ServedRevision":
        """The state of `revision` for a handler whose (already validated) server_info_query result is `server_info`."""
        spec = REVISIONS[revision]
        return cls(revision, spec.methods, spec.codec, OptionChecker(project_options, revision),
                   encode_message(dict(server_info))[:-1])


def agree(served: Mapping[int, ServedRevision], params: dict[str, Any]) -> tuple[ServedRevision, str]:
    """The revision a server_info_query with `params` is answered in, and its tvm_version; InvalidParamsError when
    the params break the server_info_query params of the highest offered revision."""
    highest = max(served)
    violations = checks.params_violations(highest, SERVER_INFO_QUERY, params)
    if not violations:
        violations = check_query_params(params)
    if violations:
        raise InvalidParamsError(f"server_info_query: {describe(violations)}")
    return served[answer_revision(served, params.get(PROTOCOL_VERSIONS))], params["tvm_version"]


class Agreement:
    """The outcome of the last server_info_query that agreed on a revision, kept with its params: the very same
    params again are agreed on without being validated again. "The same" is the same JSON values, types included:
    Python's == holds 2.0 == 2 and True == 1, and `[2.0, 1]`, which the spec refuses, must not pass for `[2, 1]`."""

    def __init__(self, served: Mapping[int, ServedRevision]) -> None:
        self.served = served
        self._key: str | None = None
        self._agreed: tuple[ServedRevision, str] | None = None

    def agree(self, params: dict[str, Any]) -> tuple[ServedRevision, str]:
        """`agree(served, params)`, or its last outcome when `params` are those it was reached with."""
        key = identity(params)
        if self._agreed is None or key is None or key != self._key:
            self._agreed, self._key = None, None
            self._agreed = agree(self.served, params)  # InvalidParamsError: nothing is remembered
            self._key = key
        return self._agreed


def identity(value: Any) -> str | None:
    """A key equal for two parsed JSON values only when they are the same values of the same types at every level:
    their repr, which writes 2 and 2.0, 1 and True apart (members in another order only differ, which costs a
    validation, never a wrong answer). None for a value repr refuses (an integer past the digit limit): no key.
    About 0.6 us for a server_info_query's params, a third of walking them."""
    try:
        return repr(value)
    except ValueError:
        return None
