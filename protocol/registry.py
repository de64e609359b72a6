"""The one reader of schema/: the per-revision method table and jsonschema validation with JSON pointers.

Loading the method table needs only the standard library; jsonschema is imported on the first
`validate` call, so a server that validates with the generated models never pays for it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection
from urllib.parse import urljoin

from microtvm_project_api.protocol.method_table import MethodEntry, RevisionEntry
from microtvm_project_api.protocol.violations import Violation, pointer

if TYPE_CHECKING:
    from referencing import Registry

SCHEMA_PACKAGE = "microtvm_project_api.schema"
OPTIONS_DEFINITIONS = ("OptionsV1", "OptionsV2")
"""The options object of each revision (revision 1 reads null as not set, revision 2 refuses it)."""
TIMEOUT_DEFINITION = "TimeoutSec"


class SchemaRegistry:
    """Every schema file, addressable by `$id`, and the revisions they define."""

    def __init__(self, documents: dict[str, dict[str, Any]], examples_folder: Any = None) -> None:
        self.documents = documents
        self._examples_folder = examples_folder
        self._validators: dict[str, Any] = {}
        self.revisions = {rev.version: rev for rev in map(self._revision, self._revision_documents())}

    @classmethod
    def from_package(cls) -> "SchemaRegistry":
        """The spec shipped with this package."""
        return cls.from_directory(resources.files(SCHEMA_PACKAGE))

    @classmethod
    def from_directory(cls, folder: Any) -> "SchemaRegistry":
        """The spec in a schema/ tree (a path or importlib Traversable); its examples/ folder is read when first asked for."""
        folder = Path(folder) if isinstance(folder, str) else folder
        documents = {}
        for path in _walk(folder):
            document = json.loads(path.read_text(encoding="utf-8"))
            documents[document["$id"]] = document
        return cls(documents, folder / "examples")

    @cached_property
    def examples(self) -> list[dict[str, Any]]:
        """The documents of examples/, read on first use: only the docs tools need them, not a server starting."""
        folder = self._examples_folder
        if folder is None or not folder.is_dir():
            return []
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
        return [json.loads(e.read_text(encoding="utf-8")) for e in entries if e.name.endswith(".json")]

    @property
    def latest_revision(self) -> int:
        """The highest revision the spec defines."""
        return max(self.revisions)

    def method_examples(self, method: str, version: int, part: str, kind: str) -> list[dict[str, Any]]:
        """The examples/ cases of `method` for `part` ("params" or "result") and `kind` ("valid" or "invalid") in a revision."""
        document = next((e for e in self.examples if e.get("method") == method), {})
        return [case for case in document.get(part, {}).get(kind, []) if version in case["revisions"]]

    def revision(self, version: int) -> RevisionEntry:
        """The revision numbered `version`; KeyError naming the known ones otherwise."""
        try:
            return self.revisions[version]
        except KeyError:
            raise KeyError(f"protocol revision {version!r} is not defined; known: {sorted(self.revisions)}") from None

    def resolve(self, ref: str, site: str | None = None) -> Any:
        """The JSON value an absolute `uri#/pointer` reference names; SchemaReferenceError when it names nothing here
        (another document: only local references are resolved). `site` ("<file> <pointer>") is where the `$ref` is."""
        uri, _, fragment = ref.partition("#")
        node: Any = self.documents.get(uri)
        if node is None:
            known = uri.startswith(self._base_uri)
            raise SchemaReferenceError(site or self._file(uri), f"$ref to {self._file(uri)}: no such schema file" if known
                                       else f"$ref to {uri} not fetched: only local references are resolved")
        for part in filter(None, fragment.split("/")):
            node = _step(node, part.replace("~1", "/").replace("~0", "~"))
            if node is _NOTHING:
                raise SchemaReferenceError(site or self._file(uri), f"$ref to {self._file(uri)}#{fragment} names nothing")
        return node

    def follow(self, base: str, schema: Any, site: str, ends: Collection[str] = ()) -> list[tuple[str, Any]]:
        """The `$ref` chain from `schema` (in the document or definition `base`): each absolute reference met with the
        schema it names, up to one without `$ref` or one in `ends` (references already followed to their end). A
        reference met twice is a cycle, which no validator ever leaves: SchemaReferenceError naming it, as for a
        reference that names nothing. `site` ("<file> <pointer>") is where `schema` sits."""
        chain: list[tuple[str, Any]] = []
        seen: dict[str, int] = {}
        origin = base.partition("#")[0]
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            try:
                ref = urljoin(base, schema["$ref"])
            except ValueError:
                raise SchemaReferenceError(site, f"$ref {schema['$ref']!r} is not a URI reference") from None
            if ref in seen:
                loop = [r for r, _ in chain[seen[ref]:]] + [ref]
                raise SchemaReferenceError(site, "$ref cycle through " + " -> ".join(self._label(r, origin) for r in loop))
            seen[ref] = len(chain)
            schema = self.resolve(ref, site)
            chain.append((ref, schema))
            if ref in ends:
                break
            base = ref
        return chain

    def site(self, uri: str, pointer: str) -> str:
        """`<file> <JSON pointer>` of a schema, as error messages name it: the file relative to the spec's top folder."""
        return f"{self._file(uri)} {pointer or '/'}"

    @cached_property
    def _base_uri(self) -> str:
        """The folder every document's `$id` lies in (what `file` names are relative to)."""
        prefix = os.path.commonprefix(list(self.documents)) if self.documents else ""
        return prefix[: prefix.rfind("/") + 1]

    def _file(self, uri: str) -> str:
        return uri[len(self._base_uri):] if uri.startswith(self._base_uri) and uri != self._base_uri else uri

    def _label(self, ref: str, here: str) -> str:
        """A reference as a cycle lists it: `#pointer` in the document `here`, else the file and the pointer."""
        uri, _, fragment = ref.partition("#")
        return f"{'' if uri == here else self._file(uri)}#{fragment}"

    def definition_uri(self, name: str) -> str:
        """Absolute reference of the definition called `name` in any schema file."""
        for uri, document in self.documents.items():
            if name in document.get("$defs", {}):
                return f"{uri}#/$defs/{name}"
        raise KeyError(f"no schema file defines {name!r}")

    def validate(self, instance: Any, ref: str) -> list[Violation]:
        """Violations of `instance` against the schema at `ref`, most relevant first (empty: valid)."""
        from jsonschema.exceptions import relevance

        errors = sorted(self._validator(ref).iter_errors(instance), key=relevance)
        return [_violation(e) for e in _leaves(errors)]

    def validate_params(self, revision: int, method: str, params: Any) -> list[Violation]:
        return self.validate(params, self.revision(revision).methods[method].params_ref)

    def validate_result(self, revision: int, method: str, result: Any) -> list[Violation]:
        return self.validate(result, self.revision(revision).methods[method].result_ref)

    @cached_property
    def referencing_registry(self) -> "Registry":
        from referencing import Registry, Resource

        return Registry().with_resources((uri, Resource.from_contents(doc)) for uri, doc in self.documents.items())

    def _validator(self, ref: str) -> Any:
        if ref not in self._validators:
            from jsonschema import Draft202012Validator

            self._validators[ref] = Draft202012Validator({"$ref": ref}, registry=self.referencing_registry)
        return self._validators[ref]

    def _revision_documents(self) -> list[dict[str, Any]]:
        return sorted((d for d in self.documents.values() if "x-protocol-version" in d), key=lambda d: d["x-protocol-version"])

    def description(self, entry: MethodEntry | RevisionEntry) -> str:
        """The `description` of a method's file or a revision's file."""
        uri = entry.uri if isinstance(entry, RevisionEntry) else entry.params_ref.partition("#")[0]
        return str(self.documents[uri].get("description", ""))

    def _revision(self, document: dict[str, Any]) -> RevisionEntry:
        uri = document["$id"]
        methods = {}
        for name, parts in document["x-methods"].items():
            params_ref = urljoin(uri, parts["params"]["$ref"])
            method_document = self.documents[params_ref.partition("#")[0]]
            result_ref = urljoin(uri, parts["result"]["$ref"])
            params = self.members(params_ref)
            results = self.members(result_ref)
            result = self.resolve(result_ref)
            methods[name] = MethodEntry(
                name=name,
                params=tuple(m.name for m in params),
                result_member=results[0].name if len(results) == 1 and result.get("type") == "object" else None,
                params_ref=params_ref,
                result_ref=result_ref,
                errors=tuple(method_document.get("x-errors", ())),
                takes_options=any(m.refers_to(*OPTIONS_DEFINITIONS) for m in params),
                transport=bool(method_document.get("x-transport", False)),
                long_running=bool(method_document.get("x-long-running", False)),
                template_only=bool(method_document.get("x-template-only", False)),
                timeout_param=next((m.name for m in params if m.refers_to(TIMEOUT_DEFINITION)), None),
                read_bound=method_document.get("x-read-bound"),
                path_params=tuple(m.name for m in params if m.annotations.get("x-path")),
                created_params=tuple(m.name for m in params if m.annotations.get("x-creates")),
                payload_params={m.name: m.annotations["contentEncoding"] for m in params if "contentEncoding" in m.annotations},
                payload_result={m.name: m.annotations["contentEncoding"] for m in results if "contentEncoding" in m.annotations},
            )
        return RevisionEntry(
            version=document["x-protocol-version"],
            uri=uri,
            payload_encoding=document["x-payload-encoding"],
            parse_error_reply=document["x-parse-error-reply"],
            common_errors=tuple(document["x-common-errors"]),
            common_server_errors=tuple(document["x-common-server-errors"]),
            methods=methods,
        )


    def members(self, ref: str) -> list["Member"]:
        """The properties of the object defined at `ref` (none for a non-object), each with its `$ref` chain followed:
        the definitions it leads through and every keyword met on the way (the property's own win).
        SchemaReferenceError for a chain that is a cycle or leads out of the spec."""
        definition = self.resolve(ref)
        properties = definition.get("properties") if isinstance(definition, dict) else None
        if not isinstance(properties, dict):
            return []
        uri, _, fragment = ref.partition("#")
        out = []
        for name, schema in properties.items():
            site = self.site(uri, f"{fragment}/properties/{_escape(name)}")
            chain = self.follow(ref, schema, site)
            annotations: dict[str, Any] = {}
            for found in [schema, *(target for _, target in chain)]:
                if isinstance(found, dict):
                    annotations = {**found, **annotations}
            out.append(Member(name, tuple(r for r, _ in chain), annotations))
        return out


class SchemaReferenceError(LookupError):
    """A `$ref` that cannot be followed: to another document (only local references are resolved), to nothing,
    or round a cycle. `site` is where the reference is ("<file> <JSON pointer>"), `problem` what is wrong, in one line."""

    def __init__(self, site: str, problem: str) -> None:
        super().__init__(f"{site}: {problem}")
        self.site = site
        self.problem = problem

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Member:
    """One property of a params or result object: the definitions its `$ref`s lead through, and every keyword on the way."""

    name: str
    refs: tuple[str, ...]
    annotations: dict[str, Any]

    def refers_to(self, *definitions: str) -> bool:
        """Whether the property is (a reference to) a shared definition called one of `definitions`."""
        return any(ref.endswith(f"#/$defs/{name}") for ref in self.refs for name in definitions)


@lru_cache(maxsize=1)
def default_registry() -> SchemaRegistry:
    """The registry of the installed spec, loaded once per process."""
    return SchemaRegistry.from_package()


_NOTHING = object()
_INDEX = re.compile(r"0|[1-9][0-9]{0,17}")


def _step(node: Any, key: str) -> Any:
    """One JSON pointer step: a member of an object, an item of an array by its decimal index, else _NOTHING."""
    if isinstance(node, dict):
        return node.get(key, _NOTHING)
    if isinstance(node, list) and _INDEX.fullmatch(key) and int(key) < len(node):
        return node[int(key)]
    return _NOTHING


def _escape(name: str) -> str:
    """A member name as a JSON pointer segment (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


def _walk(folder: Any) -> list[Any]:
    """Every schema file below the package folder, examples excluded, in a stable order."""
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.name not in {"examples", "__pycache__"}:
            found.extend(_walk(entry))
        elif entry.name.endswith(".json"):
            found.append(entry)
    return found


def _leaves(errors: list[Any]) -> list[Any]:
    """Replace anyOf/oneOf errors by their most relevant branch error (the deepest pointer), except for a named rule."""
    from jsonschema.exceptions import best_match

    out = []
    for error in errors:
        if error.context and not (isinstance(error.schema, dict) and "x-rule" in error.schema):
            out.append(best_match(error.context) or error)
        else:
            out.append(error)
    return out


def _violation(error: Any) -> Violation:
    """A jsonschema error as a Violation; a cross-field rule's `x-rule` sentence replaces the generic message."""
    rule = _x_rule(error)
    return Violation(pointer(error.absolute_path), rule or error.message, error.validator)


def _x_rule(error: Any) -> str | None:
    """The nearest `x-rule` sentence on the schema path of the error (the rule a reader can act on)."""
    while error is not None:
        if isinstance(error.schema, dict) and "x-rule" in error.schema:
            return str(error.schema["x-rule"])
        error = error.parent
    return None
