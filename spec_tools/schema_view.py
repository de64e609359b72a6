"""Read-only views of schema nodes from a SchemaRegistry: following `$ref`s, reachable definitions, rule sentences.

The docs, the OpenRPC export and the diff all walk the same JSON Schema subset; this is where that walk lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urljoin

from microtvm_project_api.protocol.registry import SchemaRegistry


@dataclass(frozen=True)
class Node:
    """A schema with the document URI its relative `$ref`s resolve against, and the definition it came from."""

    uri: str
    schema: Any
    name: str | None = None

    def ref(self) -> str | None:
        """The absolute reference this node's `$ref` names, if it has one."""
        if isinstance(self.schema, dict) and isinstance(self.schema.get("$ref"), str):
            return urljoin(self.uri, self.schema["$ref"])
        return None

    def child(self, schema: Any) -> "Node":
        """A subschema of this node, resolved against the same document."""
        return Node(self.uri, schema)


def definition_name(ref: str) -> str:
    """The last segment of a `uri#/$defs/Name` reference."""
    return ref.rsplit("/", 1)[1]


def node_at(registry: SchemaRegistry, ref: str) -> Node:
    """The definition an absolute reference names."""
    return Node(ref.partition("#")[0], registry.resolve(ref), definition_name(ref))


def deref(registry: SchemaRegistry, node: Node) -> Node:
    """Follow `$ref` until a schema without one; a description next to a `$ref` wins over the target's."""
    seen = set()
    description = node.schema.get("description") if isinstance(node.schema, dict) else None
    while (ref := node.ref()) is not None and ref not in seen:
        seen.add(ref)
        node = node_at(registry, ref)
    if description and isinstance(node.schema, dict) and node.schema.get("description") != description:
        node = Node(node.uri, {**node.schema, "description": description}, node.name)
    return node


def subschemas(node: Node) -> Iterator[Node]:
    """Every schema directly inside this one (properties, items, combinators, conditionals)."""
    schema = node.schema
    if not isinstance(schema, dict):
        return
    for key in ("properties", "$defs"):
        for value in schema.get(key, {}).values():
            yield node.child(value)
    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield node.child(schema[key])
    for key in ("allOf", "anyOf", "oneOf"):
        for value in schema.get(key, []):
            yield node.child(value)


def reachable_definitions(registry: SchemaRegistry, refs: list[str]) -> list[str]:
    """Every definition reachable through `$ref` from `refs` (themselves excluded unless re-referenced), sorted by name."""
    found: dict[str, None] = {}
    pending = [node_at(registry, ref) for ref in refs]
    while pending:
        current = pending.pop()
        ref = current.ref()
        if ref is not None and ref not in found:
            found[ref] = None
            pending.append(node_at(registry, ref))
        pending.extend(subschemas(current))
    return sorted(found, key=lambda r: (definition_name(r), r))


def x_rules(schema: Any) -> list[str]:
    """The `x-rule` sentences on a schema and its allOf members, in order."""
    if not isinstance(schema, dict):
        return []
    rules = [schema["x-rule"]] if "x-rule" in schema else []
    for member in schema.get("allOf", []):
        rules.extend(x_rules(member))
    return rules


def error_codes(registry: SchemaRegistry) -> dict[str, int]:
    """Standard error name (PARSE_ERROR...) to JSON-RPC code, from the catalogue's ErrorCode enum."""
    codes = registry.resolve(registry.definition_uri("ErrorCode"))
    return dict(zip(codes["x-enum-varnames"], codes["enum"]))
