"""Self-contained schemas from the spec for hypothesis-jsonschema, which cannot follow `$ref` across files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from microtvm_project_api.protocol.registry import SchemaRegistry

ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "x-rule", "x-schema-only", "x-enum-varnames", "contentEncoding"}


def resolved(registry: SchemaRegistry, ref: str) -> Any:
    """The schema at the absolute reference `ref` with every `$ref` inlined and annotations dropped."""
    return _inline(registry, registry.resolve(ref), ref.partition("#")[0], ())


def _inline(registry: SchemaRegistry, node: Any, base: str, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(registry, item, base, seen) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(registry, value, base, seen) for key, value in node.items() if key not in ANNOTATIONS and key != "$ref"}
    if "$ref" not in node:
        return out
    target = urljoin(base, node["$ref"])
    if target in seen:
        raise ValueError(f"recursive schema at {target}: cannot be inlined")
    inlined = _inline(registry, registry.resolve(target), target.partition("#")[0], (*seen, target))
    return {"allOf": [inlined, out]} if out else inlined
