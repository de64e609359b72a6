"""server_info_query semantics: schema, revision, option metadata, platform slug, supported methods, MLF path."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from microtvm_project_api.conformance.check import CheckBlocked, CheckFailed, CheckSkipped, check, must, should
from microtvm_project_api.conformance.context import Context
from microtvm_project_api.generated.methods import REVISIONS, TRANSPORT_METHODS
from microtvm_project_api.protocol.option_rules import option_problems

TYPES = "types.json#/$defs"


@check("server_info.schema", "server_info_query returns a result valid for the revision",
       must("server_info_query returns ServerInfoV1 (revision 1) or ServerInfoV2 (revision 2)",
            "revisions/v1.json#/x-methods/server_info_query, revisions/v2.json#/x-methods/server_info_query"))
def schema(ctx: Context) -> None:
    ctx.query_info(ctx.session())


@check("server_info.revision", "protocol_version names a revision of the spec (the one judged), and the same question always gets it",
       must("protocol_version is the revision the server speaks for the rest of the session", f"{TYPES}/ServerInfoV2/properties/protocol_version"))
def revision(ctx: Context) -> None:
    if ctx.blocked is not None and ctx.blocked.by == ctx.current:
        raise CheckFailed(ctx.blocked.reason)
    reported = ctx.query_info(ctx.session(), strict=False).get("protocol_version")
    if reported not in REVISIONS:
        raise CheckFailed(f"protocol_version is {reported!r}; the spec defines revisions {list(REVISIONS)}")
    if reported != ctx.revision:
        raise CheckFailed(f"server_info_query with params {ctx.hello} got protocol_version {reported}; the same question"
                          f" got {ctx.revision} when the run started")


@check("server_info.option-names-unique", "no two project options share a name",
       must("option names are unique within a server's project_options", f"{TYPES}/ProjectOptionRules"))
def option_names_unique(ctx: Context) -> None:
    names = Counter(str(o.get("name")) for o in ctx.declared_options(ctx.query_info(ctx.session(), strict=False)))
    twice = sorted(n for n, count in names.items() if count > 1)
    if twice:
        raise CheckFailed(f"project_options declares {', '.join(twice)} more than once")


@check("server_info.option-metadata", "every option's methods, default and choices are consistent with its type",
       must("required/optional name methods that take options, at least one is non-empty, no method is in both; "
            "default and choices are values of the declared type", f"{TYPES}/ProjectOptionRules"))
def option_metadata(ctx: Context) -> None:
    problems = []
    options = ctx.query_info(ctx.session(), strict=False).get("project_options")
    for index, option in enumerate(options if isinstance(options, list) else []):
        if not isinstance(option, dict):
            continue
        problems += [f"{v.pointer} ({option.get('name')}): {v.message}" for v in option_problems(option, f"/project_options/{index}")]
    if problems:
        raise CheckFailed("\n  ".join(problems))


def _methods(value: Any) -> list[str]:
    return [str(m) for m in value] if isinstance(value, list) else []


@check("server_info.option-help", "every option has a one-line help text",
       should("help is one line for humans: what the option does", f"{TYPES}/ProjectOptionV2/properties/help"))
def option_help(ctx: Context) -> None:
    unhelpful = [str(o.get("name")) for o in ctx.declared_options(ctx.query_info(ctx.session(), strict=False))
                 if not isinstance(o.get("help"), str) or not o["help"].strip() or "\n" in o["help"].strip()]
    if unhelpful:
        raise CheckFailed(f"options without a one-line help text: {', '.join(unhelpful)}")


@check("server_info.platform-slug", "platform_name is a short lowercase slug",
       must("platform_name matches ^[a-z0-9][a-z0-9_-]*$", f"{TYPES}/PlatformName"))
def platform_slug(ctx: Context) -> None:
    name = ctx.query_info(ctx.session(), strict=False).get("platform_name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise CheckFailed(f"platform_name {name!r} is not a lowercase slug")


@check("server_info.supported-methods", "supported_methods is coherent: server_info_query, transport all or none, generate_project only in a template",
       must("supported_methods always includes server_info_query; the four transport methods are listed together or not at all; "
            "generate_project only by a template", f"{TYPES}/ServerInfoV2/properties/supported_methods"), revisions=(2,))
def supported_methods(ctx: Context) -> None:
    problems = _supported_problems(ctx.query_info(ctx.session(), strict=False))
    if ctx.is_template:
        try:
            problems += [f"generated project: {p}" for p in _supported_problems(ctx.device_info())]
        except (CheckSkipped, CheckBlocked):
            pass
    if problems:
        raise CheckFailed("\n  ".join(problems))


def _supported_problems(info: dict[str, Any]) -> list[str]:
    methods = set(_methods(info.get("supported_methods")))
    problems = []
    if "server_info_query" not in methods:
        problems.append("server_info_query is missing")
    listed = methods & set(TRANSPORT_METHODS)
    if listed and listed != set(TRANSPORT_METHODS):
        problems.append(f"only some transport methods are listed: {sorted(listed)}")
    if "generate_project" in methods and not info.get("is_template"):
        problems.append("a generated project lists generate_project")
    return [f"supported_methods {sorted(methods)}: {p}" for p in problems]


@check("server_info.mlf-path", "model_library_format_path: empty for a template, an existing archive for a generated project",
       must("a template reports model_library_format_path null (or \"\" in revision 1); a generated project the path of an "
            "archive that exists", f"{TYPES}/ServerInfoV2/properties/model_library_format_path"))
def mlf_path(ctx: Context) -> None:
    check_mlf_path(ctx, ctx.query_info(ctx.session(), strict=False), ctx.settings.project_dir)


def check_mlf_path(ctx: Context, info: dict[str, Any], project_dir: Path) -> None:
    """The MLF path rule for the server of `project_dir` (also used on the generated project)."""
    path = info.get("model_library_format_path")
    if info.get("is_template"):
        allowed = (None, "") if ctx.revision == 1 else (None,)
        if path not in allowed:
            raise CheckFailed(f"a template reports model_library_format_path {path!r}")
        return
    if not isinstance(path, str) or not path:
        raise CheckFailed(f"a generated project reports model_library_format_path {path!r}")
    if not (project_dir / path).is_file():
        raise CheckFailed(f"model_library_format_path {path!r} does not exist (relative to {project_dir})")
