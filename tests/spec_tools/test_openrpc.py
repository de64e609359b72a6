"""docs/openrpc/vN.json: valid against the vendored OpenRPC meta-schema, self-contained, examples valid inside it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import pytest
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.spec_tools.openrpc import build_document

ROOT = Path(__file__).resolve().parents[2]
META = Path(__file__).parent / "openrpc_meta_schema"


@lru_cache(maxsize=1)
def meta_validator() -> Draft7Validator:
    """The OpenRPC meta-schema, its JSONSchema definition resolved to the vendored json-schema-tools meta-schema."""
    openrpc = json.loads((META / "open-rpc-meta-schema-1.14.9.json").read_text())
    json_schema = DRAFT7.create_resource(json.loads((META / "json-schema-tools-meta-schema-1.8.0.json").read_text()))
    registry = Registry().with_resources((uri, json_schema) for uri in ("https://meta.json-schema.tools", "https://meta.json-schema.tools/"))
    return Draft7Validator(openrpc, registry=registry)


def committed(version: int) -> dict[str, Any]:
    return json.loads((ROOT / "docs" / "openrpc" / f"v{version}.json").read_text())


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


@pytest.mark.parametrize("version", [1, 2])
def test_document_is_valid_openrpc(version: int) -> None:
    document = committed(version)
    assert document == build_document(default_registry(), version)
    assert [e.message for e in meta_validator().iter_errors(document)] == []


def test_meta_schema_rejects_a_broken_document() -> None:
    document = committed(2)
    document["methods"][0]["paramStructure"] = "by-magic"
    del document["info"]["version"]
    messages = sorted(e.message for e in meta_validator().iter_errors(document))
    assert "'version' is a required property" in messages
    assert any("is not valid under any of the given schemas" in m for m in messages)


@pytest.mark.parametrize("version", [1, 2])
def test_every_ref_resolves_inside_the_document(version: int) -> None:
    document = committed(version)
    schemas = document["components"]["schemas"]
    found = set(refs(document))
    assert found and all(ref.startswith("#/components/schemas/") for ref in found)
    assert {ref.rsplit("/", 1)[1] for ref in found} <= set(schemas)


@pytest.mark.parametrize("version", [1, 2])
def test_methods_params_and_examples_match_the_spec(version: int) -> None:
    document = committed(version)
    revision = default_registry().revision(version)
    assert [m["name"] for m in document["methods"]] == list(revision.methods)

    def validator(ref: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": ref, "components": document["components"]})

    for method in document["methods"]:
        spec = revision.methods[method["name"]]
        assert method["paramStructure"] == "by-name"
        params_schema = document["components"]["schemas"][spec.params_model_name]
        assert [p["name"] for p in method["params"]] == list(params_schema["properties"])
        assert {p["name"] for p in method["params"] if p["required"]} == set(params_schema["required"])
        assert {e["message"] for e in method["errors"]} >= set(spec.errors) | set(revision.common_server_errors)
        assert method["examples"], method["name"]
        for pairing in method["examples"]:
            params = {p["name"]: p["value"] for p in pairing["params"]}
            assert list(validator(method["x-params-schema"]["$ref"]).iter_errors(params)) == []
            if "result" in pairing:
                assert list(validator(method["result"]["schema"]["$ref"]).iter_errors(pairing["result"]["value"])) == []
        for case in method["x-invalid-examples"]:
            ref = method["x-params-schema"]["$ref"] if case["part"] == "params" else method["result"]["schema"]["$ref"]
            assert list(validator(ref).iter_errors(case["value"])), case["name"]
