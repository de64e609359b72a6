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
    """A schema with the document URI its relative `$ref`s resolve against, the definition it came from, and its JSON
    pointer in that document (for messages)."""

    uri: str
    schema: Any
    name: str | None = None
    pointer: str = ""

    def ref(self) -> str | None:
        """The absolute reference this node's `$ref` names, if it has one."""
        if isinstance(self.schema, dict) and isinstance(self.schema.get("$ref"), str):
            try:
                return urljoin(self.uri, self.schema["$ref"])
            except ValueError:  # not a URI reference: deref says so
                return str(self.schema["$ref"])
        return None

    def child(self, schema: Any, *keys: str | int) -> "Node":
        """The subschema of this node found under `keys`, resolved against the same document."""
        return Node(self.uri, schema, pointer=self.pointer + "".join("/" + _escape(str(k)) for k in keys))

    def site(self, registry: SchemaRegistry) -> str:
        """Where this schema is, as messages name it: `<file> <JSON pointer>`."""
        return registry.site(self.uri, self.pointer)


def definition_name(ref: str) -> str:
    """The last segment of a `uri#/$defs/Name` reference."""
    return ref.rsplit("/", 1)[-1]


def node_at(registry: SchemaRegistry, ref: str, site: str | None = None) -> Node:
    """The definition an absolute reference names; `site` is where the reference is, for a SchemaReferenceError."""
    uri, _, fragment = ref.partition("#")
    return Node(uri, registry.resolve(ref, site), definition_name(ref), fragment)


def deref(registry: SchemaRegistry, node: Node) -> Node:
    """Follow `$ref` until a schema without one (SchemaReferenceError for a cycle or a reference out of the spec);
    a description next to a `$ref` wins over the target's."""
    description = node.schema.get("description") if isinstance(node.schema, dict) else None
    chain = registry.follow(node.uri, node.schema, node.site(registry))
    if chain:
        node = node_at(registry, chain[-1][0])
    if description and isinstance(node.schema, dict) and node.schema.get("description") != description:
        node = Node(node.uri, {**node.schema, "description": description}, node.name)
    return node


def subschemas(node: Node) -> Iterator[Node]:
    """Every schema directly inside this one (properties, items, combinators, conditionals)."""
    schema = node.schema
    if not isinstance(schema, dict):
        return
    for key in ("properties", "$defs"):
        for name, value in schema.get(key, {}).items():
            yield node.child(value, key, name)
    for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield node.child(schema[key], key)
    for key in ("allOf", "anyOf", "oneOf"):
        for index, value in enumerate(schema.get(key, [])):
            yield node.child(value, key, index)


def reachable_definitions(registry: SchemaRegistry, refs: list[str]) -> list[str]:
    """Every definition reachable through `$ref` from `refs` (themselves excluded unless re-referenced), sorted by name."""
    found: dict[str, None] = {}
    pending = [node_at(registry, ref) for ref in refs]
    while pending:
        current = pending.pop()
        ref = current.ref()
        if ref is not None and ref not in found:
            found[ref] = None
            pending.append(node_at(registry, ref, current.site(registry)))
        pending.extend(subschemas(current))
    return sorted(found, key=lambda r: (definition_name(r), r))


def _escape(key: str) -> str:
    """A member name as a JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


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
