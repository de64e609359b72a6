"""Validation with the generated pydantic models: the fast path the client and the server SDK use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from microtvm_project_api.generated import models
from microtvm_project_api.protocol.agreement import check_query_params
from microtvm_project_api.protocol.metadata_rules import check_server_info
from microtvm_project_api.protocol.registry import default_registry
from microtvm_project_api.protocol.violations import Violation, from_pydantic


@lru_cache(maxsize=None)
def params_model(revision: int, method: str) -> type[BaseModel]:
    """The generated model of `method`'s params in `revision` (KeyError for an unknown method)."""
    return getattr(models, default_registry().revision(revision).methods[method].params_model_name)


@lru_cache(maxsize=None)
def result_model(revision: int, method: str) -> type[BaseModel]:
    """The generated model of `method`'s result in `revision`."""
    return getattr(models, default_registry().revision(revision).methods[method].result_model_name)


def parse_params(revision: int, method: str, params: Any) -> tuple[BaseModel | None, list[Violation]]:
    """`params` as the method's model, or None and the violations (server_info_query's agreement rules included)."""
    parsed, violations = _parse(params_model(revision, method), params)
    if parsed is not None and method == "server_info_query":
        violations = check_query_params(params)
        if violations:
            return None, violations
    return parsed, violations


def parse_result(revision: int, method: str, result: Any) -> tuple[BaseModel | None, list[Violation]]:
    """`result` as the method's model, or None and the violations (metadata rules included)."""
    parsed, violations = _parse(result_model(revision, method), result)
    if parsed is not None and method == "server_info_query":
        violations = check_server_info(result, revision)
        if violations:
            return None, violations
    return parsed, violations


def _parse(model: type[BaseModel], value: Any) -> tuple[BaseModel | None, list[Violation]]:
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        return None, from_pydantic(exc)
