"""The spec of one revision as an OpenRPC 1.3 document (docs/openrpc/vN.json), for OpenRPC tooling.

Every definition a method uses goes under components/schemas under its own name (names are unique
across schema/), and every `$ref` is rewritten to point there, so the document is self-contained.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from microtvm_project_api.protocol.method_table import MethodEntry, RevisionEntry
from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.spec_tools.schema_view import definition_name, error_codes, node_at, reachable_definitions

OPENRPC_VERSION = "1.3.2"


def build_document(registry: SchemaRegistry, version: int) -> dict[str, Any]:
    """The OpenRPC document of revision `version`."""
    revision = registry.revision(version)
    method_refs = [ref for m in revision.methods.values() for ref in (m.params_ref, m.result_ref)]
    refs = sorted(set(method_refs) | set(reachable_definitions(registry, method_refs)), key=definition_name)
    schemas = {definition_name(ref): _localise(registry.resolve(ref), ref.partition("#")[0]) for ref in refs}
    return {
        "openrpc": OPENRPC_VERSION,
        "info": {
            "title": f"microTVM Project API, protocol revision {version}",
            "version": str(version),
            "description": registry.description(revision) + " Standard JSON-RPC errors carry free text in message; "
            "their message here is the catalogue's name for the code. A named server error's message is exact.",
        },
        "x-protocol-version": version,
        "x-payload-encoding": revision.codec.name,
        "methods": [_method(registry, revision, method) for method in revision.methods.values()],
        "components": {"schemas": schemas},
    }


def _localise(schema: Any, uri: str) -> Any:
    """A copy of `schema` whose `$ref`s (relative to document `uri`) point into components/schemas."""
    if isinstance(schema, dict):
        out = {key: _localise(value, uri) for key, value in schema.items()}
        if isinstance(schema.get("$ref"), str):
            out["$ref"] = "#/components/schemas/" + definition_name(urljoin(uri, schema["$ref"]))
        return out
    if isinstance(schema, list):
        return [_localise(value, uri) for value in schema]
    return schema


def _method(registry: SchemaRegistry, revision: RevisionEntry, method: MethodEntry) -> dict[str, Any]:
    params = node_at(registry, method.params_ref)
    result = node_at(registry, method.result_ref)
    required = set(params.schema.get("required", []))
    codes = error_codes(registry)
    named = list(method.errors) + list(revision.common_server_errors)
    return {
        "name": method.name,
        "description": registry.description(method),
        "paramStructure": "by-name",
        "params": [
            {"name": name, "required": name in required, "schema": _localise(schema, params.uri),
             **({"description": schema["description"]} if "description" in schema else {})}
            for name, schema in params.schema.get("properties", {}).items()
        ],
        "x-params-schema": {"$ref": f"#/components/schemas/{method.params_model_name}"},
        "result": {
            "name": method.result_model_name,
            "description": result.schema.get("description", ""),
            "schema": {"$ref": f"#/components/schemas/{method.result_model_name}"},
        },
        "errors": [{"code": codes["SERVER_ERROR"], "message": name} for name in named]
        + [{"code": codes[name], "message": name} for name in revision.common_errors],
        "examples": _pairings(registry, method.name, revision.version),
        "x-invalid-examples": _invalid_examples(registry, method.name, revision.version),
    }


def _pairings(registry: SchemaRegistry, method: str, version: int) -> list[dict[str, Any]]:
    """Example pairings: every valid params example and every valid result example appears in at least one."""
    params = registry.method_examples(method, version, "params", "valid")
    results = registry.method_examples(method, version, "result", "valid")
    pairings = []
    for i in range(max(len(params), len(results))):
        p = params[min(i, len(params) - 1)] if params else None
        r = results[min(i, len(results) - 1)] if results else None
        pairing: dict[str, Any] = {
            "name": " / ".join(c["title"] for c in (p, r) if c is not None),
            "params": [{"name": k, "value": v} for k, v in (p["value"].items() if p else ())],
        }
        if r is not None:
            pairing["result"] = {"name": r["title"], "value": r["value"]}
        pairings.append(pairing)
    return pairings


def _invalid_examples(registry: SchemaRegistry, method: str, version: int) -> list[dict[str, Any]]:
    return [{"name": case["title"], "part": part, "value": case["value"], "pointers": case["pointers"]}
            for part in ("params", "result") for case in registry.method_examples(method, version, part, "invalid")]
