"""Generate generated/models.py from schema/ with the pinned datamodel-code-generator.

Every `$defs` entry of every schema file is bundled into one document (definition names are
unique across files, so references become local) and handed to the generator. `--check`
regenerates into memory and prints a unified diff against the committed file instead of writing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
OUTPUT = ROOT / "generated" / "models.py"
COMMAND = "make generate"

HEADER = f"""# GENERATED FILE, DO NOT EDIT.
# Source: schema/ (every $defs entry of every schema file, bundled by tools/generate_models.py).
# Command: `{COMMAND}` (datamodel-code-generator, pinned in pyproject.toml).
# CI regenerates it and fails on any difference."""

GENERATOR_ARGS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.10",
    "--strict-types", "str", "int", "float", "bool",
    "--use-subclass-enum",
    "--use-annotated",
    "--field-constraints",
    "--use-union-operator",
    "--use-standard-collections",
    "--use-title-as-name",
    "--use-double-quotes",
    "--use-field-description",
    "--use-schema-description",
    "--collapse-root-models",
    "--disable-timestamp",
    "--formatters", "builtin",
    "--custom-file-header", HEADER,
]


def schema_files() -> list[Path]:
    """Every schema file, in a stable order."""
    return sorted(p for p in SCHEMA_DIR.rglob("*.json") if "examples" not in p.relative_to(SCHEMA_DIR).parts)


# Cross-field rules (ProjectOptionRules, ServerInfoV2's template/path rule) have no pydantic
# counterpart in the generator; they stay in the schema and protocol/metadata_rules.py checks them.
CROSS_FIELD_KEYWORDS = frozenset({"allOf", "if", "then", "else", "not", "contains"})


def _localise(node: object) -> object:
    """Rewrite cross-file `$ref`s to the bundle's "#/$defs/X" and drop cross-field keywords."""
    if isinstance(node, dict):
        out = {k: _localise(v) for k, v in node.items() if k not in CROSS_FIELD_KEYWORDS}
        ref = out.get("$ref")
        if isinstance(ref, str) and "#/$defs/" in ref:
            out["$ref"] = "#/$defs/" + ref.split("#/$defs/", 1)[1]
        return out
    if isinstance(node, list):
        return [_localise(v) for v in node]
    return node


def bundle() -> dict:
    """One schema holding every definition of the spec under `$defs`."""
    defs: dict[str, object] = {}
    for path in schema_files():
        for name, definition in json.loads(path.read_text()).get("$defs", {}).items():
            if definition.get("x-schema-only"):
                continue
            if name in defs:
                raise SystemExit(f"{path.relative_to(ROOT)}: definition {name!r} is defined twice in schema/")
            defs[name] = _localise(definition)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "ProjectApiSpec", "$defs": dict(sorted(defs.items()))}


def render() -> str:
    """The text generated/models.py must hold."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bundle.json"
        target = Path(tmp) / "models.py"
        source.write_text(json.dumps(bundle(), indent=2))
        subprocess.run(
            [sys.executable, "-m", "datamodel_code_generator", "--input", str(source), "--output", str(target), *GENERATOR_ARGS],
            check=True,
        )
        return target.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail with a diff if generated/models.py is stale")
    args = parser.parse_args()
    text = render()
    if not args.check:
        OUTPUT.write_text(text)
        return 0
    current = OUTPUT.read_text() if OUTPUT.exists() else ""
    if current == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        current.splitlines(keepends=True), text.splitlines(keepends=True),
        "generated/models.py (committed)", "generated/models.py (from schema/)"))
    print(f"\ngenerated/models.py is stale: run `{COMMAND}` and commit the result.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
