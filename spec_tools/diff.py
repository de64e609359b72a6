"""Breaking-change check between two specs: every change, classified by whom it breaks.

Direction matters. Params (and the request envelope) are written by clients and read by servers;
results (and replies) the reverse. A change that rejects something the old schema accepted
(narrowing) breaks the existing *writers*; one that accepts something the old schema rejected
(widening) breaks the existing *readers*, which were entitled to refuse it. Params are closed in
this protocol, so even a new optional param widens them: an existing server answers -32602.
Every breaking change says why (which side refuses what), so a reviewer can judge it; breaks a
project has accepted are listed in an ignore file (spec_tools/diff_ignore.py) and do not fail the check.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from microtvm_project_api.protocol.method_table import RevisionEntry
from microtvm_project_api.protocol.registry import SchemaRegistry
from microtvm_project_api.spec_tools.diff_ignore import AcceptedBreak
from microtvm_project_api.spec_tools.schema_view import Node, definition_name, deref, node_at, x_rules

CLIENTS = "clients"
SERVERS = "servers"

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
OPAQUE_KEYWORDS = ("if", "then", "else", "not", "contains", "propertyNames", "oneOf")
MAX_DEPTH = 32
MAX_COMPARISONS = 20_000
"""Subschema pairs one diff compares at most (this project's whole spec takes about 140): definitions shared down
many paths multiply them (2 members each referencing the next of 30 definitions make 2**30 paths), and such a spec
is refused in about a second rather than compared for hours."""
COMPARED_ELSEWHERE = frozenset({"x-methods", "x-protocol-version", "x-payload-encoding", "x-parse-error-reply",
                                "x-common-errors", "x-common-server-errors", "x-errors"})
DOCUMENTATION = frozenset({"x-server-module", "x-tvm-client"})
"""Annotations that state facts for readers (what TVM's deployed code does), not rules a peer must follow."""


ANY_OLD = "may send what the new schema rejects"
ANY_NEW = "may send what the old schema rejects"


@dataclass(frozen=True)
class Role:
    """Who writes the data a schema describes, how its readers refuse what they do not accept, and whether they must
    tolerate values they do not know."""

    writer: str
    reader: str
    refusal: str
    readers_tolerate_new_values: bool = False

    def why(self, narrowed: bool, widened: bool, old_writers: str = ANY_OLD, new_writers: str = ANY_NEW) -> str:
        """Why a narrowing breaks the existing writers (they `old_writers`) and a widening the existing readers."""
        reasons = []
        if narrowed:
            reasons.append(f"existing {self.writer} {old_writers}: new {self.reader} {self.refusal}")
        if widened and not self.readers_tolerate_new_values:
            reasons.append(f"new {self.writer} {new_writers}: existing {self.reader} {self.refusal}")
        return "; ".join(reasons)


CLIENT_WRITES = Role(CLIENTS, SERVERS, "answer -32602 (invalid params)")
SERVER_WRITES = Role(SERVERS, CLIENTS, "fail the call (malformed reply)")
CATALOGUE = Role(SERVERS, CLIENTS, "fail the call (malformed reply)", readers_tolerate_new_values=True)


@dataclass(frozen=True)
class Change:
    """One difference: where, what, whom it breaks (empty: compatible), why, and the reason it was accepted (if it was)."""

    where: str
    what: str
    breaks: frozenset[str] = frozenset()
    why: str = ""
    accepted: str = ""

    def __post_init__(self) -> None:
        if self.breaks and not self.why:
            raise ValueError(f"a breaking change needs its reason: {self.where}: {self.what}")

    @property
    def classification(self) -> str:
        if not self.breaks:
            return "compatible"
        return "breaks " + " and ".join(sorted(self.breaks))

    @property
    def blocking(self) -> bool:
        """Breaks someone and nobody accepted it."""
        return bool(self.breaks) and not self.accepted

    def as_json(self) -> dict[str, Any]:
        return {"where": self.where, "what": self.what, "breaks": sorted(self.breaks), "classification": self.classification,
                "why": self.why, "accepted": self.accepted or None}


@dataclass
class Section:
    """The changes of one comparison; `bumped` when they come with a new revision number and so may break."""

    title: str
    bumped: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def blocking(self) -> list[Change]:
        return [] if self.bumped else [c for c in self.changes if c.blocking]


@dataclass
class DiffReport:
    """Every section of a comparison, rendered as text, a pull-request comment (Markdown) or JSON."""

    old_label: str
    new_label: str
    sections: list[Section]
    unused_accepted: list[AcceptedBreak] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.sections for c in s.changes]

    @property
    def exit_code(self) -> int:
        """1 when a breaking change nobody accepted lands in a revision whose number did not change."""
        return 1 if any(s.blocking for s in self.sections) else 0

    def accept(self, accepted: Iterable[AcceptedBreak]) -> None:
        """Mark the breaking changes the ignore file lists as accepted, with its reason; keep the entries that matched none."""
        entries = {(a.where, a.what): a for a in accepted}
        used = set()
        for section in self.sections:
            for index, change in enumerate(section.changes):
                entry = entries.get((change.where, change.what))
                if entry is not None and change.breaks:
                    section.changes[index] = dataclasses.replace(change, accepted=entry.reason)
                    used.add(entry.key)
        self.unused_accepted = [a for a in entries.values() if a.key not in used]

    @property
    def verdict(self) -> str:
        changes = self.changes
        if self.exit_code:
            return "Breaking changes without a new revision number. Bump `x-protocol-version` (add a revision), undo them, " \
                   "or list them with a reason in the ignore file (--ignore)."
        if any(c.blocking for c in changes):
            return "Breaking changes, all in a new revision (the revision number was bumped)."
        if any(c.breaks for c in changes):
            return "Breaking changes, every one accepted in the ignore file."
        return "No breaking change." if changes else "No change."

    def counts(self) -> dict[str, int]:
        labels = ("breaks clients and servers", "breaks clients", "breaks servers", "compatible")
        counts = {label: sum(1 for c in self.changes if c.classification == label and not c.accepted) for label in labels}
        counts["accepted breaks"] = sum(1 for c in self.changes if c.accepted)
        return counts

    def markdown(self) -> str:
        verdict = f"**{self.verdict}**" if self.exit_code else self.verdict
        lines = [f"## Spec diff: `{self.old_label}` → `{self.new_label}`", "", verdict, "",
                 "| classification | changes |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in self.counts().items()), ""]
        for section in self.sections:
            lines += [f"### {section.title}", ""]
            if not section.changes:
                lines += ["No change.", ""]
                continue
            lines += ["| where | change | classification | why |", "| --- | --- | --- | --- |"]
            lines += [f"| `{_cell(c.where)}` | {_cell(c.what)} | {_label(c)} | {_cell(_why(c))} |" for c in section.changes]
            lines.append("")
        if self.unused_accepted:
            lines += ["### Accepted breaks not in this diff", "",
                      *(f"- `{_cell(a.where)}`: {_cell(a.what)} ({_cell(a.reason)})" for a in self.unused_accepted), ""]
        return "\n".join(lines)

    def text(self) -> str:
        lines = [f"spec diff {self.old_label} -> {self.new_label}: {self.verdict}",
                 ", ".join(f"{v} {k}" for k, v in self.counts().items())]
        for section in self.sections:
            lines += ["", f"{section.title}:" if section.changes else f"{section.title}: no change"]
            for c in section.changes:
                lines.append(f"  {_label(c)}: {c.where}: {c.what}")
                if c.breaks:
                    lines.append(f"      why: {_why(c)}")
        for a in self.unused_accepted:
            lines.append(f"accepted break not in this diff: {a.where}: {a.what}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "sections": [{"title": s.title, "bumped": s.bumped, "changes": [c.as_json() for c in s.changes]} for s in self.sections],
            "unused_accepted": [{"where": a.where, "what": a.what, "reason": a.reason} for a in self.unused_accepted],
        }

    def render(self, form: str) -> str:
        """The report as `form`: "text", "markdown" or "json"."""
        if form == "json":
            return json.dumps(self.as_json(), indent=2, ensure_ascii=False)
        return self.markdown() if form == "markdown" else self.text()


def diff_specs(old: SchemaRegistry, new: SchemaRegistry, old_label: str = "old", new_label: str = "new") -> DiffReport:
    """Compare two spec trees: each revision with its namesake, a new revision with the old latest, then the envelope."""
    sections = []
    budget = Budget()
    old_latest = max(old.revisions)
    bumped = max(new.revisions) > old_latest
    for version in sorted(set(old.revisions) | set(new.revisions)):
        if version in old.revisions and version in new.revisions:
            section = Section(f"Revision {version}", bumped=False)
            _compare_revisions(old, old.revision(version), new, new.revision(version), section.changes, budget)
        elif version in new.revisions:
            section = Section(f"Revision {version} (new), compared with revision {old_latest}", bumped=version > old_latest)
            section.changes.append(Change("revision", f"revision {version} added"))
            _compare_revisions(old, old.revision(old_latest), new, new.revision(version), section.changes, budget)
        else:
            section = Section(f"Revision {version} (removed)", bumped=bumped)
            section.changes.append(Change("revision", f"revision {version} removed: peers that speak only it fail",
                                          frozenset({CLIENTS, SERVERS}),
                                          f"a client or server that speaks only revision {version} finds no revision in common"))
        sections.append(section)
    envelope = Section("Envelope, error catalogue and schema files", bumped=False)
    for name, role in (("Request", CLIENT_WRITES), ("ResultReply", SERVER_WRITES), ("ErrorReply", SERVER_WRITES),
                       ("ErrorCode", CATALOGUE), ("ServerErrorName", CATALOGUE)):
        _compare_definition(old, new, name, role, envelope.changes, budget)
    _compare_documents(old, new, envelope.changes)
    sections.append(envelope)
    return DiffReport(old_label, new_label, sections)


def diff_revisions(registry: SchemaRegistry, old_version: int, new_version: int) -> DiffReport:
    """Compare two revisions of one spec tree (their method tables and revision properties)."""
    section = Section(f"Revision {old_version} → revision {new_version}", bumped=new_version > old_version)
    _compare_revisions(registry, registry.revision(old_version), registry, registry.revision(new_version), section.changes, Budget())
    return DiffReport(f"revision {old_version}", f"revision {new_version}", [section])


def _compare_definition(old: SchemaRegistry, new: SchemaRegistry, name: str, role: Role, out: list[Change], budget: Budget) -> None:
    old_ref, new_ref = _find(old, name), _find(new, name)
    if old_ref is None and new_ref is None:
        return
    if old_ref is None or new_ref is None:
        out.append(Change(name, f"definition {'added' if old_ref is None else 'removed'}", frozenset({CLIENTS, SERVERS}),
                          f"old and new peers judge every message by {name}: one side has no such definition"))
        return
    _SchemaDiff(old, new, role, out, budget).compare(node_at(old, old_ref), node_at(new, new_ref), name, 0)


def _find(registry: SchemaRegistry, name: str) -> str | None:
    try:
        return registry.definition_uri(name)
    except KeyError:
        return None


def _compare_documents(old: SchemaRegistry, new: SchemaRegistry, out: list[Change]) -> None:
    """File-level differences: files added or removed, their descriptions, and protocol-wide `x-` keywords."""
    for uri in sorted(old.documents.keys() | new.documents.keys()):
        where = uri.rsplit("/schema/", 1)[-1]
        a, b = old.documents.get(uri), new.documents.get(uri)
        if a is None or b is None:
            out.append(Change(where, "schema file added" if a is None else "schema file removed"))
            continue
        described_elsewhere = "x-errors" in b or "x-protocol-version" in b  # reported with its method or revision
        if a.get("description") != b.get("description") and not described_elsewhere:
            out.append(Change(where, "file description changed"))
        for key in sorted((a.keys() | b.keys()) - COMPARED_ELSEWHERE):
            if key.startswith("x-") and a.get(key) != b.get(key):
                if key in DOCUMENTATION:
                    out.append(Change(where, f"{key} changed (documentation of deployed behaviour)"))
                    continue
                out.append(Change(where, f"{key} {_short(a.get(key))} → {_short(b.get(key))} (a protocol-wide rule)",
                                  frozenset({CLIENTS, SERVERS}), f"old and new peers apply different values of {key} to every message"))


def _compare_revisions(old: SchemaRegistry, a: RevisionEntry, new: SchemaRegistry, b: RevisionEntry, out: list[Change],
                       budget: Budget) -> None:
    if old.description(a) != new.description(b):
        out.append(Change("revision", "revision description changed"))
    if a.codec.name != b.codec.name:
        out.append(Change("revision", f"transport payload encoding {a.codec.name} → {b.codec.name}",
                          frozenset({CLIENTS, SERVERS}),
                          f"transport data written in {a.codec.name} by one side is decoded as {b.codec.name} by the other"))
    if a.parse_error_reply != b.parse_error_reply:
        if b.parse_error_reply:
            out.append(Change("revision", "a line that is not JSON now gets a -32700 reply (id null) and the server keeps serving"))
        else:
            out.append(Change("revision", "a line that is not JSON may now stop the server without a reply", frozenset({CLIENTS}),
                              "existing clients wait for the -32700 reply, and a new server may stop instead of sending it"))
    _compare_names("revision", "error every method may raise", a.common_errors + a.common_server_errors,
                   b.common_errors + b.common_server_errors, out)
    for name in a.methods.keys() - b.methods.keys():
        out.append(Change(name, "method removed: existing clients that call it fail", frozenset({CLIENTS}),
                          f"existing clients call {name}, and new servers answer -32601 (method not found)"))
    for name in b.methods.keys() - a.methods.keys():
        out.append(Change(name, "method added (existing servers answer -32601)"))
    for name in [m for m in a.methods if m in b.methods]:
        old_method, new_method = a.methods[name], b.methods[name]
        if old.description(old_method) != new.description(new_method):
            out.append(Change(name, "description changed"))
        _compare_names(name, "error", old_method.errors, new_method.errors, out)
        for part, role, old_ref, new_ref in (("params", CLIENT_WRITES, old_method.params_ref, new_method.params_ref),
                                             ("result", SERVER_WRITES, old_method.result_ref, new_method.result_ref)):
            _SchemaDiff(old, new, role, out, budget).compare(node_at(old, old_ref), node_at(new, new_ref), f"{name} {part}", 0)


def _compare_names(where: str, noun: str, old: tuple[str, ...], new: tuple[str, ...], out: list[Change]) -> None:
    """Error lists: clients treat an unknown error as a generic failure, so adding or removing one is compatible."""
    out.extend(Change(where, f"{noun} {name} removed") for name in old if name not in new)
    out.extend(Change(where, f"{noun} {name} added") for name in new if name not in old)


class SpecTooLargeError(ValueError):
    """Comparing the two specs would take more than MAX_COMPARISONS subschema comparisons."""


@dataclass
class Budget:
    """The subschema comparisons one diff has left: shared by every comparison of the diff."""

    left: int = MAX_COMPARISONS

    def spend(self, where: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise SpecTooLargeError(f"{where}: more than {MAX_COMPARISONS} subschema comparisons "
                                    "(definitions shared down too many paths); not compared")


class _SchemaDiff:
    """Structural comparison of two schemas describing data written by `role.writer`."""

    def __init__(self, old: SchemaRegistry, new: SchemaRegistry, role: Role, out: list[Change], budget: Budget) -> None:
        self.old, self.new, self.role, self.out, self.budget = old, new, role, out, budget
        self._open: set[tuple[str, str, str, str]] = set()
        """The pairs of definitions being compared on the current path: met again, they recurse (a tree, a list)."""

    def record(self, where: str, what: str, narrowed: bool = False, widened: bool = False,
               old_writers: str = ANY_OLD, new_writers: str = ANY_NEW) -> None:
        """One change; `old_writers` and `new_writers` say what the writers on each side may do that the other refuses."""
        breaks = set()
        if narrowed:
            breaks.add(self.role.writer)
        if widened and not self.role.readers_tolerate_new_values:
            breaks.add(self.role.reader)
        self.out.append(Change(where, what, frozenset(breaks), self.role.why(narrowed, widened, old_writers, new_writers)))

    def compare(self, old: Node, new: Node, where: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        self.budget.spend(where)
        old_ref, new_ref = old.ref(), new.ref()
        if old_ref and new_ref and definition_name(old_ref) != definition_name(new_ref):
            self.record(where, f"definition {definition_name(old_ref)} → {definition_name(new_ref)}")
        old, new = deref(self.old, old), deref(self.new, new)
        pair = (old.uri, old.pointer, new.uri, new.pointer)
        if pair in self._open:
            return  # a recursive definition inside itself: its changes are reported where it was entered
        self._open.add(pair)
        try:
            self._compare_schemas(old, new, where, depth)
        finally:
            self._open.discard(pair)

    def _compare_schemas(self, old: Node, new: Node, where: str, depth: int) -> None:
        a, b = old.schema, new.schema
        if not isinstance(a, dict) or not isinstance(b, dict):
            if a != b:
                self.record(where, f"schema {_short(a)} → {_short(b)}", narrowed=a is True or b is False,
                            widened=b is True or a is False)
            return
        if a.get("description") != b.get("description"):
            self.record(where, "description changed")
        self.types(old, new, where)
        self.values(a, b, where)
        self.bounds(a, b, where)
        self.keywords(a, b, where)
        self.rules(old, new, where)
        self.objects(old, new, where, depth)
        if isinstance(a.get("items"), dict) and isinstance(b.get("items"), dict):
            self.compare(old.child(a["items"], "items"), new.child(b["items"], "items"), f"{where}/*", depth + 1)
        if "anyOf" in a and "anyOf" in b and len(a["anyOf"]) == len(b["anyOf"]):
            for i, (x, y) in enumerate(zip(a["anyOf"], b["anyOf"])):
                self.compare(old.child(x, "anyOf", i), new.child(y, "anyOf", i), f"{where} (alternative {i + 1})", depth + 1)
        elif "anyOf" in a or "anyOf" in b:
            self.record(where, "alternatives (anyOf) changed", narrowed=True, widened=True)

    def types(self, old: Node, new: Node, where: str) -> None:
        old_types, new_types = _types(self.old, old), _types(self.new, new)
        if old_types is None and new_types is None:
            return
        if old_types is None or new_types is None:
            self.record(where, f"type {_type_text(old_types)} → {_type_text(new_types)}",
                        narrowed=old_types is None, widened=new_types is None)
            return
        removed = {t for t in old_types - new_types if not (t == "integer" and "number" in new_types)}
        added = {t for t in new_types - old_types if not (t == "integer" and "number" in old_types)}
        if removed or added:
            self.record(where, f"type {_type_text(old_types)} → {_type_text(new_types)}", narrowed=bool(removed), widened=bool(added),
                        old_writers=f"may send {_type_text(removed)}", new_writers=f"may send {_type_text(added)}")

    def values(self, a: dict[str, Any], b: dict[str, Any], where: str) -> None:
        old_values, new_values = _values(a), _values(b)
        if old_values is None and new_values is None:
            return
        if old_values is None or new_values is None:
            limited = new_values is not None
            listed = ", ".join(_short(v) for v in (new_values if limited else old_values) or [])
            self.record(where, f"values {'now limited to' if limited else 'no longer limited to'} {listed}",
                        narrowed=limited, widened=not limited)
            return
        removed = [v for v in old_values if v not in new_values]
        added = [v for v in new_values if v not in old_values]
        if removed or added:
            parts = [f"{verb} {', '.join(map(_short, values))}" for verb, values in (("removed", removed), ("added", added)) if values]
            self.record(where, "values " + "; ".join(parts), narrowed=bool(removed), widened=bool(added),
                        old_writers=f"may send {', '.join(map(_short, removed))}", new_writers=f"may send {', '.join(map(_short, added))}")

    def bounds(self, a: dict[str, Any], b: dict[str, Any], where: str) -> None:
        for key in LOWER_BOUNDS + UPPER_BOUNDS:
            x, y = a.get(key), b.get(key)
            if x == y:
                continue
            lower = key in LOWER_BOUNDS
            if x is None or y is None:
                tighter = x is None
            else:
                tighter = y > x if lower else y < x
            self.record(where, f"{key} {_short(x)} → {_short(y)}", narrowed=tighter, widened=not tighter,
                        old_writers=f"may send values outside the new {key}", new_writers=f"may send values outside the old {key}")
        if bool(a.get("uniqueItems")) != bool(b.get("uniqueItems")):
            self.record(where, f"uniqueItems {bool(a.get('uniqueItems'))} → {bool(b.get('uniqueItems'))}",
                        narrowed=bool(b.get("uniqueItems")), widened=bool(a.get("uniqueItems")))

    def keywords(self, a: dict[str, Any], b: dict[str, Any], where: str) -> None:
        for key in ("pattern", "contentEncoding"):
            x, y = a.get(key), b.get(key)
            if x != y:
                self.record(where, f"{key} {_short(x)} → {_short(y)}", narrowed=y is not None, widened=x is not None,
                            old_writers=f"may send values the new {key} rejects", new_writers=f"may send values the old {key} rejects")
        if "x-rule" in a or "x-rule" in b:
            return  # a named cross-field rule: compared by its sentence in rules()
        for key in OPAQUE_KEYWORDS:
            if _canonical(a.get(key)) != _canonical(b.get(key)):
                self.record(where, f"{key} changed", narrowed=key in b, widened=key in a)

    def rules(self, old: Node, new: Node, where: str) -> None:
        old_rules, new_rules = self._rules(self.old, old), self._rules(self.new, new)
        for rule in old_rules:
            if rule not in new_rules:
                self.record(where, f"rule removed: {rule}", widened=True, new_writers="may break the removed rule")
        for rule in new_rules:
            if rule not in old_rules:
                self.record(where, f"rule added: {rule}", narrowed=True, old_writers="may break the new rule")

    @staticmethod
    def _rules(registry: SchemaRegistry, node: Node) -> list[str]:
        rules = x_rules(node.schema)
        for index, member in enumerate(node.schema.get("allOf", [])):
            if isinstance(member, dict) and "$ref" in member:
                rules += x_rules(deref(registry, node.child(member, "allOf", index)).schema)
        return rules

    def objects(self, old: Node, new: Node, where: str, depth: int) -> None:
        a, b = old.schema, new.schema
        x, y = a.get("additionalProperties"), b.get("additionalProperties")
        if isinstance(x, dict) and isinstance(y, dict):  # a map's values (Options): compared like items
            self.compare(old.child(x, "additionalProperties"), new.child(y, "additionalProperties"), f"{where}/*", depth + 1)
        if "properties" not in a and "properties" not in b:
            return
        old_props, new_props = a.get("properties", {}), b.get("properties", {})
        old_required, new_required = set(a.get("required", [])), set(b.get("required", []))
        old_closed, new_closed = a.get("additionalProperties") is False, b.get("additionalProperties") is False
        for name in old_props:
            if name not in new_props:
                was = "required" if name in old_required else "optional"
                self.record(f"{where}/{name}", f"{was} member removed", narrowed=new_closed, widened=name in old_required,
                            old_writers=f"may still send {name}", new_writers=f"omit {name}")
        for name in new_props:
            if name not in old_props:
                now = "required" if name in new_required else "optional"
                self.record(f"{where}/{name}", f"{now} member added", narrowed=name in new_required, widened=old_closed,
                            old_writers=f"omit {name}", new_writers=f"may send {name}")
        for name in old_props:
            if name not in new_props:
                continue
            if name in old_required and name not in new_required:
                self.record(f"{where}/{name}", "required member became optional", widened=True, new_writers=f"may omit {name}")
            elif name not in old_required and name in new_required:
                self.record(f"{where}/{name}", "optional member became required", narrowed=True, old_writers=f"may omit {name}")
            self.compare(old.child(old_props[name], "properties", name), new.child(new_props[name], "properties", name),
                         f"{where}/{name}", depth + 1)
        if old_closed != new_closed:
            self.record(where, "other members now rejected" if new_closed else "other members now allowed",
                        narrowed=new_closed, widened=old_closed,
                        old_writers="may send members it does not list", new_writers="may send members it did not list")


def _types(registry: SchemaRegistry, node: Node) -> set[str] | None:
    """The JSON types a schema admits (None: any), looking through const, enum and anyOf/oneOf branches."""
    return _TypeWalk(registry).types(node)


class _TypeWalk:
    """One `_types` question: each schema visited once (branches may share definitions down many paths), and a
    branch that leads back to a schema being visited adds no type of its own (a recursive anyOf)."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.done: dict[tuple[str, str], set[str] | None] = {}
        self.open: set[tuple[str, str]] = set()

    def types(self, node: Node) -> set[str] | None:
        key = (node.uri, node.pointer)
        if key in self.done:
            return self.done[key]
        if key in self.open:
            return set()
        self.open.add(key)
        try:
            self.done[key] = found = self._types(node)
        finally:
            self.open.discard(key)
        return found

    def _types(self, node: Node) -> set[str] | None:
        schema = node.schema
        if not isinstance(schema, dict):
            return None
        if "type" in schema:
            return set(schema["type"] if isinstance(schema["type"], list) else [schema["type"]])
        values = _values(schema)
        if values is not None:
            return {_json_type(v) for v in values}
        for key in ("anyOf", "oneOf"):
            if key in schema:
                found: set[str] = set()
                for index, branch in enumerate(schema[key]):
                    branch_types = self.types(deref(self.registry, node.child(branch, key, index)))
                    if branch_types is None:
                        return None
                    found |= branch_types
                return found
        return None


def _values(schema: dict[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    return list(schema["enum"]) if "enum" in schema else None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def _type_text(types: set[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _label(change: Change) -> str:
    return f"{change.classification} (accepted)" if change.accepted else change.classification


def _why(change: Change) -> str:
    return f"{change.why} (accepted: {change.accepted})" if change.accepted else change.why


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
