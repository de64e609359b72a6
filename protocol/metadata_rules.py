"""Cross-field rules of a server_info_query result that the generated models cannot express.

They mirror ServerInfoV2's template rule and, through protocol/option_rules.py, ProjectOptionRules in
schema/types.json (the jsonschema path checks those there). Input is plain JSON (dicts and lists)
already validated by the generated models.
"""

from __future__ import annotations

from typing import Any

from microtvm_project_api.protocol.option_rules import project_options_problems
from microtvm_project_api.protocol.violations import Violation


def check_server_info(info: dict[str, Any], revision: int) -> list[Violation]:
    """Violations of the cross-field rules of a server_info_query result in `revision`."""
    out = project_options_problems(info["project_options"])
    if revision >= 2:
        path = info["model_library_format_path"]
        if info["is_template"] and path is not None:
            out.append(Violation("/model_library_format_path", "a template reports model_library_format_path null", "type"))
        if not info["is_template"] and not path:
            out.append(Violation("/model_library_format_path", "a generated project reports a non-empty model_library_format_path", "type"))
        if "server_info_query" not in info["supported_methods"]:
            out.append(Violation("/supported_methods", "supported_methods always includes server_info_query", "contains"))
    return out
