"""Params the kit sends, derived from the spec instead of listed per method: a valid set, and a wrong-typed value per param.

Valid params are the method's first valid example in schema/examples/ for the revision, with every
`x-path` param replaced by a fresh path inside the run's directory and `options` left empty (option
checks are judged by their own checks). A wrong-typed value is the first of WRONG_TYPE_CANDIDATES
whose JSON type the param's schema does not allow (followed through its `$ref`s in the registry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from microtvm_project_api.generated.methods import REVISIONS, SERVER_INFO_QUERY
from microtvm_project_api.protocol.registry import default_registry

if TYPE_CHECKING:
    from microtvm_project_api.conformance.context import Context

WRONG_TYPE_CANDIDATES: tuple[tuple[str, Any], ...] = (
    ("string", "1"), ("integer", 7), ("array", ["kit"]), ("null", None),
)
"""(JSON type, value) in order of preference: a numeric string first, which a server that coerces would accept."""


def valid_params(ctx: Context, method: str) -> dict[str, Any]:
    """Params `method` accepts by shape in the run's revision (their values need not make the call succeed)."""
    if method == SERVER_INFO_QUERY:
        return dict(ctx.hello)  # the question that got the judged revision (revision agreement)
    entry = REVISIONS[ctx.revision].methods[method]
    examples = default_registry().method_examples(method, ctx.revision, "params", "valid")
    if not examples:
        raise LookupError(f"schema/examples/{method}.json has no valid params for revision {ctx.revision}")
    params = dict(examples[0]["value"])
    for name in entry.path_params:
        params[name] = str(ctx.new_path(f"kit-{name}"))
    if entry.takes_options:
        params["options"] = {}
    return params


def wrong_type_params(ctx: Context, method: str) -> dict[str, Any]:
    """For each param of `method`, a value of a JSON type its schema does not allow."""
    entry = REVISIONS[ctx.revision].methods[method]
    return {member.name: wrong_type_value(member.annotations.get("type")) for member in default_registry().members(entry.params_ref)}


def wrong_type_value(allowed: str | list[str] | None) -> Any:
    """The first candidate whose JSON type is not in `allowed` (a number allows integers too)."""
    types = {allowed} if isinstance(allowed, str) else set(allowed or ())
    if "number" in types:
        types.add("integer")
    for json_type, value in WRONG_TYPE_CANDIDATES:
        if json_type not in types:
            return value
    raise ValueError(f"every JSON type is allowed: {allowed!r}")
