"""One shape for "this JSON breaks that rule here", whichever validator found it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True)
class Violation:
    """A rule broken at a JSON pointer; `rule` names the schema keyword or the spec rule."""

    pointer: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} ({self.rule})"


def describe(violations: Iterable[Violation]) -> str:
    """The violations as error messages carry them: "pointer: message", joined by "; "."""
    return "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations)


def pointer(path: Iterable[Any]) -> str:
    """RFC 6901 JSON pointer for a sequence of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def parse(model: type[M], value: Any) -> tuple[M | None, list[Violation]]:
    """`value` validated as `model` (a generated model, from the method table), or None and the violations."""
    try:
        return model.model_validate(value), []
    except Exception as exc:
        from pydantic import ValidationError  # only here: the registry loads this module without pydantic

        if isinstance(exc, ValidationError):
            return None, from_pydantic(exc)
        raise


def from_pydantic(error: "ValidationError", prefix: str = "") -> list[Violation]:
    """Violations from a pydantic error, one per pointer: union branch failures at one place are joined."""
    merged: dict[str, Violation] = {}
    for e in error.errors(include_url=False):
        where = prefix + pointer(p for p in e["loc"] if isinstance(p, int) or not _is_branch_tag(p))
        if where in merged:
            first = merged[where]
            merged[where] = Violation(where, f"{first.message}, or {e['msg'][0].lower()}{e['msg'][1:]}", first.rule)
        else:
            merged[where] = Violation(where, e["msg"], e["type"])
    return list(merged.values())


def _is_branch_tag(part: str) -> bool:
    """pydantic names the union member it tried ('str', 'constrained-str', 'function-after[...]')."""
    return part in {"str", "int", "float", "bool", "none", "list", "dict"} or "[" in part or part.startswith(
        ("constrained-", "lax-", "strict-"))
