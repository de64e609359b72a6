"""The shape of a spec the tools can read, checked before they read it: a spec to compare is untrusted input.

Only what the tools read is checked (the JSON types of the keywords they look at, the revision files' members),
not the whole draft 2020-12 meta-schema, which needs jsonschema, an extra `spec diff` does without.
The first problem is returned as one line, `<file> <JSON pointer>: <what is wrong>`.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping
from urllib.parse import urljoin

from microtvm_project_api.protocol.payload import CODECS

SCHEMA_MAPS = ("properties", "$defs")
SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
STRINGS = ("$ref", "description", "pattern", "contentEncoding", "x-rule")
NUMBERS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems")
METHOD_FLAGS = ("x-transport", "x-long-running")


def problem(files: Mapping[str, str], documents: Mapping[str, Any]) -> str | None:
    """The first problem of the spec whose documents are `documents` (by `$id`), `files` naming each one's file."""
    revisions = 0
    for uri, document in documents.items():
        found = _schema_problem(document)
        if found is None and "x-protocol-version" in document:
            revisions += 1
            found = _revision_problem(document, documents)
        elif found is None:
            found = _method_problem(document)
        if found is not None:
            pointer, what = found
            return f"{files[uri]} {pointer or '/'}: {what}"
    return None if revisions else "no revision file (a schema file with x-protocol-version)"


def _schema_problem(document: dict[str, Any]) -> tuple[str, str] | None:
    """The first keyword, in any subschema of `document`, whose value the tools cannot read."""
    for pointer, schema in subschemas(document):
        if not isinstance(schema, (dict, bool)):
            return pointer, f"a schema is an object or a boolean, not {_kind(schema)}"
        if isinstance(schema, bool):
            continue
        for key in SCHEMA_MAPS:
            if key in schema and not isinstance(schema[key], dict):
                return f"{pointer}/{key}", f"{key} is an object, not {_kind(schema[key])}"
        for key in SCHEMA_LISTS:
            if key in schema and not isinstance(schema[key], list):
                return f"{pointer}/{key}", f"{key} is an array, not {_kind(schema[key])}"
        for key in STRINGS:
            if key in schema and not isinstance(schema[key], str):
                return f"{pointer}/{_escape(key)}", f"{key} is a string, not {_kind(schema[key])}"
        for key in NUMBERS:
            if key in schema and (isinstance(schema[key], bool) or not isinstance(schema[key], (int, float))):
                return f"{pointer}/{key}", f"{key} is a number, not {_kind(schema[key])}"
        if "required" in schema and not _strings(schema["required"]):
            return f"{pointer}/required", "required is an array of strings"
        if "enum" in schema and not isinstance(schema["enum"], list):
            return f"{pointer}/enum", f"enum is an array, not {_kind(schema['enum'])}"
        if "type" in schema and not isinstance(schema["type"], str) and not _strings(schema["type"]):
            return f"{pointer}/type", "type is a string or an array of strings"
    return None


def subschemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every schema in `document` with its JSON pointer, in document order (iteratively: nesting is unbounded)."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        pointer, schema = pending.pop()
        yield pointer, schema
        if not isinstance(schema, dict):
            continue
        inside: list[tuple[str, Any]] = []
        for key in SCHEMA_MAPS:
            if isinstance(schema.get(key), dict):
                inside.extend((f"{pointer}/{key}/{_escape(name)}", value) for name, value in schema[key].items())
        for key in SUBSCHEMAS:
            if key in schema:
                inside.append((f"{pointer}/{key}", schema[key]))
        for key in SCHEMA_LISTS:
            if isinstance(schema.get(key), list):
                inside.extend((f"{pointer}/{key}/{index}", value) for index, value in enumerate(schema[key]))
        pending.extend(reversed(inside))


def _revision_problem(document: dict[str, Any], documents: Mapping[str, Any]) -> tuple[str, str] | None:
    """What a revision file must hold: its number, payload encoding, error lists and a method table of local references."""
    version = document["x-protocol-version"]
    if isinstance(version, bool) or not isinstance(version, int):
        return "/x-protocol-version", "x-protocol-version is an integer"
    if not isinstance(document.get("description"), str):
        return "/description", "a revision file has a description (a string)"
    encoding = document.get("x-payload-encoding")
    if not isinstance(encoding, str) or encoding not in CODECS:
        return "/x-payload-encoding", f"x-payload-encoding is one of {', '.join(sorted(CODECS))}"
    if not isinstance(document.get("x-parse-error-reply"), bool):
        return "/x-parse-error-reply", "x-parse-error-reply is a boolean"
    for key in ("x-common-errors", "x-common-server-errors"):
        if not _strings(document.get(key)):
            return f"/{key}", f"{key} is an array of strings"
    methods = document.get("x-methods")
    if not isinstance(methods, dict):
        return "/x-methods", "x-methods is an object: method name to its params and result"
    for name, parts in methods.items():
        for part in ("params", "result"):
            target = parts.get(part) if isinstance(parts, dict) else None
            pointer = f"/x-methods/{_escape(name)}/{part}"
            if not isinstance(target, dict) or not isinstance(target.get("$ref"), str):
                return pointer, f"{part} is an object holding a $ref (a string)"
            try:
                uri = urljoin(document["$id"], target["$ref"]).partition("#")[0]
            except ValueError:
                return f"{pointer}/$ref", "$ref is not a URI reference"
            if uri not in documents:
                return f"{pointer}/$ref", f"$ref to {uri}: no such schema file in this spec (only local references are resolved)"
    return None


def _method_problem(document: dict[str, Any]) -> tuple[str, str] | None:
    """The annotations of a method file the method table reads."""
    if "x-errors" in document and not _strings(document["x-errors"]):
        return "/x-errors", "x-errors is an array of strings"
    for key in METHOD_FLAGS:
        if key in document and not isinstance(document[key], bool):
            return f"/{key}", f"{key} is a boolean"
    return None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _kind(value: Any) -> str:
    """The JSON type of `value`, with its article."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}[type(value)]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
