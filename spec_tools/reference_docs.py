"""Markdown reference pages generated from the spec, one per protocol revision (docs/reference/vN.md).

Everything comes from the registry: method table, params and result definitions, error catalogue,
option metadata rules, shared types, envelope and examples. Output is deterministic, so a stale
committed page shows up as a diff.
"""

from __future__ import annotations

import json
from typing import Any

from microtvm_project_api.protocol.method_table import RevisionEntry
from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.spec_tools.schema_view import Node, definition_name, deref, error_codes, node_at, reachable_definitions, x_rules

HEADER = "<!-- GENERATED FILE, DO NOT EDIT. Source: schema/. Command: `make docs` (microtvm-project spec docs). -->"


def render_revision(registry: SchemaRegistry, version: int) -> str:
    """The whole reference page of one revision."""
    revision = registry.revision(version)
    method_refs = [ref for m in revision.methods.values() for ref in (m.params_ref, m.result_ref)]
    shared = [r for r in reachable_definitions(registry, method_refs) if r not in method_refs]
    page = _Page(registry, {definition_name(r) for r in shared})
    page.revision_header(revision)
    page.methods(revision)
    page.error_catalogue()
    page.option_rules()
    page.shared_types(shared)
    page.envelope()
    return "\n".join(page.lines).rstrip("\n") + "\n"


def _cell(text: Any) -> str:
    """Text fit for one Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-{name.lower()}"


class _Page:
    """Accumulates the lines of one page; `links` are the type names that have a section on it."""

    def __init__(self, registry: SchemaRegistry, links: set[str]) -> None:
        self.registry = registry
        self.links = links
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, title: str, anchor: str) -> None:
        self.add(f'<a id="{anchor}"></a>', "", f"{'#' * level} {title}", "")

    def revision_header(self, revision: RevisionEntry) -> None:
        codes = error_codes(self.registry)
        common = [f"{name} ({codes[name]})" for name in revision.common_errors]
        common += [f"{name} (-32000)" for name in revision.common_server_errors]
        self.add(HEADER, "", f"# Protocol revision {revision.version}", "", self.registry.description(revision), "",
                 "| property | value |", "| --- | --- |",
                 f"| transport payload encoding | {revision.codec.name} |",
                 f"| a line that is not JSON gets a -32700 reply | {'yes' if revision.parse_error_reply else 'no'} |",
                 f"| errors every method may raise | {_cell(', '.join(common))} |", "",
                 "| method | params | result | method-specific errors |", "| --- | --- | --- | --- |")
        for method in revision.methods.values():
            self.add(f"| [{method.name}](#{_anchor('method', method.name)}) | `{method.params_model_name}` "
                     f"| `{method.result_model_name}` | {_cell(', '.join(method.errors) or '-')} |")
        self.add("")
        self.as_deployed(self.registry.documents[revision.uri])

    def as_deployed(self, document: dict[str, Any]) -> None:
        """A revision's deployed behaviour: what TVM's server module does (and what revision 2 fixed), what TVM's client sends."""
        module, client = document.get("x-server-module", {}), document.get("x-tvm-client", {})
        if module:
            self.add("## As deployed: TVM's server module", "", "| behaviour | what TVM's server module does | revision 2 |",
                     "| --- | --- | --- |", *(f"| `{key}` | {_cell(row['deployed'])} | {_cell(row['revision-2'])} |"
                                           for key, row in module.items()), "")
        if client:
            self.add("## As deployed: TVM's client", "", "| topic | what TVM's client does |", "| --- | --- |",
                     *(f"| `{key}` | {_cell(text)} |" for key, text in client.items()), "")

    def methods(self, revision: RevisionEntry) -> None:
        self.add("## Methods", "")
        codes = error_codes(self.registry)
        for method in revision.methods.values():
            self.heading(3, f"`{method.name}`", _anchor("method", method.name))
            self.add(self.registry.description(method), "")
            self.add(f"**Params** (`{method.params_model_name}`)", "")
            self.definition_body(node_at(self.registry, method.params_ref), empty="No parameters: params is `{}`.")
            self.add(f"**Result** (`{method.result_model_name}`)", "")
            self.definition_body(node_at(self.registry, method.result_ref), empty="An empty object.")
            self.add("**Errors**", "", "| error | code | source |", "| --- | --- | --- |")
            for name in method.errors:
                self.add(f"| {name} | -32000 | this method |")
            for name in revision.common_server_errors:
                self.add(f"| {name} | -32000 | every method in revision {revision.version} |")
            for name in revision.common_errors:
                self.add(f"| {name} | {codes[name]} | every method in revision {revision.version} |")
            self.add("")
            self.examples(method.name, revision.version)

    def definition_body(self, node: Node, empty: str) -> None:
        """A definition's description, its fields (or its type) and its rules."""
        schema = node.schema
        if schema.get("description"):
            self.add(schema["description"], "")
        if "properties" in schema:
            self.fields(node, empty)
        else:
            self.add("| type | constraints |", "| --- | --- |",
                     f"| {_cell(self.type_label(node))} | {_cell(', '.join(self.constraints(node)) or '-')} |", "")
        rules = x_rules(schema)
        if rules:
            self.add("Rules:", "", *(f"- {rule}" for rule in rules), "")

    def fields(self, node: Node, empty: str) -> None:
        properties = node.schema.get("properties", {})
        if not properties:
            self.add(empty, "")
            return
        required = set(node.schema.get("required", []))
        self.add("| name | type | constraints | required | description |", "| --- | --- | --- | --- | --- |")
        for name, schema in properties.items():
            field = node.child(schema)
            target = deref(self.registry, field)
            label, constraints = self.type_label(field), self.constraints(field)
            if field.ref() is not None and isinstance(target.schema, dict) and "properties" not in target.schema:
                label += f" ({self.type_label(target)})"  # a named scalar type: show what it is, and its constraints
                constraints += self.constraints(target)
            description = target.schema.get("description", "") if isinstance(target.schema, dict) else ""
            self.add(f"| `{name}` | {_cell(label)} | {_cell(', '.join(constraints) or '-')} "
                     f"| {'yes' if name in required else 'no'} | {_cell(description)} |")
        closed = node.schema.get("additionalProperties") is False
        self.add("", "Other members are not allowed." if closed else "Other members are allowed.", "")

    def type_label(self, node: Node) -> str:
        """A short type expression: a link for a shared type, `array of X`, unions joined with |."""
        schema = node.schema
        ref = node.ref()
        if ref is not None:
            name = definition_name(ref)
            return f"[{name}](#{_anchor('type', name)})" if name in self.links else f"`{name}`"
        if not isinstance(schema, dict):
            return "any" if schema is True else "nothing"
        if "const" in schema:
            return f"{_code(schema['const'])} (constant)"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return " | ".join(self.type_label(node.child(s)) for s in schema[key])
        types = schema.get("type")
        if types is None:
            return "any"
        labels = []
        for name in types if isinstance(types, list) else [types]:
            if name == "array" and isinstance(schema.get("items"), dict):
                labels.append(f"array of {self.type_label(node.child(schema['items']))}")
            elif name == "object" and isinstance(schema.get("additionalProperties"), dict):
                labels.append(f"object of {self.type_label(node.child(schema['additionalProperties']))}")
            else:
                labels.append(name)
        return " | ".join(labels)

    @staticmethod
    def constraints(node: Node) -> list[str]:
        """The value constraints of a schema, one short phrase each."""
        schema = node.schema
        if not isinstance(schema, dict):
            return []
        out = []
        if "enum" in schema:
            out.append("one of " + ", ".join(_code(v) for v in schema["enum"]))
        for key, phrase in (("minimum", ">= {}"), ("exclusiveMinimum", "> {}"), ("maximum", "<= {}"),
                            ("exclusiveMaximum", "< {}"), ("minLength", "length >= {}"), ("maxLength", "length <= {}"),
                            ("minItems", "at least {} items"), ("maxItems", "at most {} items"),
                            ("contentEncoding", "{} encoded")):
            if key in schema:
                out.append(phrase.format(schema[key]))
        if schema.get("uniqueItems"):
            out.append("items unique")
        if "contains" in schema:
            out.append(f"contains {_code(schema['contains'].get('const'))}")
        if "pattern" in schema:
            out.append(f"matches `{schema['pattern']}`")
        if "propertyNames" in schema and "pattern" in schema["propertyNames"]:
            out.append(f"names match `{schema['propertyNames']['pattern']}`")
        return out

    def examples(self, method: str, version: int) -> None:
        for part in ("params", "result"):
            for kind in ("valid", "invalid"):
                cases = self.registry.method_examples(method, version, part, kind)
                if not cases:
                    continue
                self.add(f"**Examples: {kind} {part}**", "")
                for case in cases:
                    where = ""
                    if kind == "invalid":
                        where = " (fails at " + ", ".join(f"`{p or '/'}`" for p in case["pointers"]) + ")"
                    self.add(f"- {case['title']}{where}:", "", "  ```json",
                             *(f"  {line}" for line in json.dumps(case["value"], indent=2, ensure_ascii=False).splitlines()),
                             "  ```", "")

    def error_catalogue(self) -> None:
        self.heading(2, "Error catalogue", "error-catalogue")
        document = self.registry.documents[self.registry.definition_uri("ErrorCode").partition("#")[0]]
        self.add(document["description"], "")
        codes = self.registry.resolve(self.registry.definition_uri("ErrorCode"))
        self.add("| code | name |", "| --- | --- |",
                 *(f"| {code} | {name} |" for name, code in zip(codes["x-enum-varnames"], codes["enum"])), "",
                 codes["description"], "")
        names = self.registry.resolve(self.registry.definition_uri("ServerErrorName"))
        self.add("| named server error (code -32000, exact message) |", "| --- |",
                 *(f"| {name} |" for name in names["enum"]), "", names["description"], "")

    def option_rules(self) -> None:
        self.heading(2, "Option metadata rules", "option-metadata-rules")
        rules = self.registry.resolve(self.registry.definition_uri("ProjectOptionRules"))
        self.add(rules["description"], "", *(f"{i}. {rule}" for i, rule in enumerate(x_rules(rules), 1)), "")

    def shared_types(self, refs: list[str]) -> None:
        self.add("## Shared types", "")
        for ref in refs:
            name = definition_name(ref)
            self.heading(3, f"`{name}`", _anchor("type", name))
            self.definition_body(node_at(self.registry, ref), empty="An object without members.")

    def envelope(self) -> None:
        uri = self.registry.definition_uri("Request").partition("#")[0]
        document = self.registry.documents[uri]
        self.heading(2, "Envelope (JSON-RPC 2.0)", "envelope")
        self.add(document["description"], "")
        for name in document.get("$defs", {}):
            self.add(f"### `{name}`", "")
            self.definition_body(node_at(self.registry, f"{uri}#/$defs/{name}"), empty="An object without members.")
