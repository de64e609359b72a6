"""The schema files themselves: valid JSON Schema, stable names, a consistent method table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from microtvm_project_api.generated import methods, models
from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.protocol.registry import default_registry

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(p for p in (ROOT / "schema").rglob("*.json") if "examples" not in p.parts)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_schema_file_is_valid_draft_2020_12(path: Path) -> None:
    document = json.loads(path.read_text())
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith("/" + str(path.relative_to(ROOT)))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_definition_has_its_key_as_title(path: Path) -> None:
    for key, definition in json.loads(path.read_text()).get("$defs", {}).items():
        assert definition.get("title") == key, f"{path.name}#/$defs/{key} needs \"title\": \"{key}\""
        assert definition.get("description"), f"{path.name}#/$defs/{key} needs a description"


def test_both_revisions_define_every_method_with_existing_models() -> None:
    method_names = {m.value for m in models.MethodName}
    registry = default_registry()
    assert set(registry.revisions) == set(REVISIONS)
    for revision in registry.revisions.values():
        assert set(revision.methods) == method_names
        for spec in revision.methods.values():
            registry.resolve(spec.params_ref)
            registry.resolve(spec.result_ref)
            assert hasattr(models, spec.params_model_name) and hasattr(models, spec.result_model_name)


def test_named_errors_listed_by_methods_are_in_the_catalogue() -> None:
    names = {e.value for e in models.ServerErrorName}
    codes = {e.name for e in models.ErrorCode}
    for revision in default_registry().revisions.values():
        assert set(revision.common_errors) <= codes
        assert set(revision.common_server_errors) <= names
        for spec in revision.methods.values():
            assert set(spec.errors) <= names, spec.name


def test_revisions_share_definitions_except_the_deliberate_differences() -> None:
    v1, v2 = (default_registry().revision(r) for r in REVISIONS)
    differing = {name for name in v1.methods if v1.methods[name] != v2.methods[name]}
    # server_info_query: protocol_versions (revision agreement); the option methods: null option values (revision 1);
    # the transport methods: the payload encoding.
    assert differing == {"server_info_query", "generate_project", "build", "flash", "open_transport", "read_transport",
                         "write_transport"}
    assert (v1.codec.name, v2.codec.name) == ("base85", "base64")
    assert (v1.parse_error_reply, v2.parse_error_reply) == (False, True)


def test_method_facts_come_from_the_schema() -> None:
    """The facts the layers act on, as the registry reads them from annotations and types, in both revisions."""
    for revision in default_registry().revisions.values():
        facts = {name: spec for name, spec in revision.methods.items()}
        assert {m for m, s in facts.items() if s.takes_options} == {m.value for m in models.OptionMethod}
        assert {m for m, s in facts.items() if s.transport} == {"open_transport", "close_transport", "read_transport", "write_transport"}
        assert {m for m, s in facts.items() if s.long_running} == {"generate_project", "build", "flash"}
        assert {m: s.timeout_param for m, s in facts.items() if s.timeout_param} == {"read_transport": "timeout_sec", "write_transport": "timeout_sec"}
        assert {m: s.path_params for m, s in facts.items() if s.path_params} == {
            "generate_project": ("model_library_format_path", "standalone_crt_dir", "project_dir")}
        encoding = revision.codec.name
        assert {m: dict(s.payload_params) for m, s in facts.items() if s.payload_params} == {"write_transport": {"data": encoding}}
        assert {m: dict(s.payload_result) for m, s in facts.items() if s.payload_result} == {"read_transport": {"data": encoding}}


def test_generated_method_table_holds_the_registry_rows() -> None:
    for version, revision in default_registry().revisions.items():
        table = methods.REVISIONS[version]
        assert (table.payload_encoding, table.parse_error_reply) == (revision.codec.name, revision.parse_error_reply)
        assert list(table.methods) == list(revision.methods)
        for name, spec in revision.methods.items():
            entry = table.methods[name]
            assert (entry.params_model, entry.result_model) == (getattr(models, spec.params_model_name), getattr(models, spec.result_model_name))
            assert (entry.params_ref, entry.result_ref, entry.errors) == (spec.params_ref, spec.result_ref, spec.errors)
    assert methods.LATEST_REVISION == default_registry().latest_revision


def test_generated_code_matches_the_schema() -> None:
    """`make generate` reproduces generated/models.py and generated/methods.py byte for byte."""
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "generate_models.py"), "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_line_bounds_of_the_wire_codec_are_the_spec_bounds() -> None:
    from microtvm_project_api.protocol.wire import MAX_LINE_BYTES, MAX_LINE_VALUES

    envelope = json.loads((ROOT / "schema" / "jsonrpc.json").read_text())
    assert (envelope["x-max-line-bytes"], envelope["x-max-line-values"]) == (MAX_LINE_BYTES, MAX_LINE_VALUES)
