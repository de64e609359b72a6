"""What revisions a server offers, learnt by asking server_info_query both ways, as revision agreement says.

Asked without `protocol_versions` (as TVM's client asks), a server answers in revision 1 when it
offers it, else in its lowest offered revision; asked with `protocol_versions: [2]`, in revision 2
when it offers it. A revision 1 server built on TVM's server module refuses the member (-32602,
an extra parameter) and keeps serving. Each revision is then judged with the query that got it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microtvm_project_api.conformance.check import CheckFailed
from microtvm_project_api.conformance.session import ExchangeLog, Session
from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.protocol.agreement import DEFAULT_TVM_VERSION

ASKED_WITH = [2]


def hello(with_versions: bool) -> dict[str, Any]:
    """server_info_query's params: TVM's (tvm_version only), or with the revisions the kit asks for."""
    return {"tvm_version": DEFAULT_TVM_VERSION, **({"protocol_versions": ASKED_WITH} if with_versions else {})}


@dataclass
class Offer:
    """The answers to both questions: each offered revision with the params that got it and its server info."""

    hellos: dict[int, dict[str, Any]] = field(default_factory=dict)
    infos: dict[int, dict[str, Any]] = field(default_factory=dict)
    stated: list[Any] = field(default_factory=list)
    failure: str | None = None
    """Why the server did not answer its first server_info_query (it does not start), or None."""

    @property
    def unknown(self) -> list[Any]:
        """protocol_version values the server stated that the spec does not define."""
        return [v for v in self.stated if v not in REVISIONS]

    @property
    def any_info(self) -> dict[str, Any]:
        """A server info it returned (for the option declarations), {} when none."""
        return next(iter(self.infos.values()), {})


def ask(project_dir: Path, timeout: float, python: str | None, start_allowance: float) -> Offer:
    """Start the server of `project_dir` once and ask it both ways; never raises for what the server does."""
    offer = Offer()
    try:
        session = Session(project_dir, timeout, ExchangeLog(), None, hello=hello(False), python=python,
                          start_allowance=start_allowance)
    except CheckFailed as exc:
        offer.failure = str(exc)
        return offer
    try:
        for with_versions in (False, True):
            params = hello(with_versions)
            try:
                reply = session.call("server_info_query", params, validate=False)
            except CheckFailed as exc:
                if not with_versions:
                    offer.failure = str(exc)
                break
            if reply.error is not None or not isinstance(reply.result, dict):
                if not with_versions:
                    offer.failure = f"server_info_query failed: {reply.describe()}{reply.cause()}"
                    break
                continue
            stated = reply.result.get("protocol_version")
            offer.stated.append(stated)
            if isinstance(stated, int) and stated in REVISIONS and stated not in offer.hellos:
                offer.hellos[stated], offer.infos[stated] = params, reply.result
    finally:
        session.close()
    return offer
