"""The handler base class is held to the method table: one method per protocol method, taking its params in schema order."""

from __future__ import annotations

import inspect

import pytest

from microtvm_project_api.generated.methods import METHODS, SERVER_INFO_QUERY
from microtvm_project_api.server_sdk import ProjectApiHandler


@pytest.mark.parametrize("method", [m for m in METHODS if m != SERVER_INFO_QUERY])
def test_the_handler_has_a_method_per_protocol_method_with_its_params_in_schema_order(method: str) -> None:
    function = getattr(ProjectApiHandler, method, None)
    assert function is not None, f"ProjectApiHandler has no {method}(): add it (the loop dispatches by the method table)"
    assert list(inspect.signature(function).parameters)[1:] == list(METHODS[method].params_model.model_fields)


def test_a_handler_supports_what_it_overrides(tmp_path) -> None:
    class Builder(ProjectApiHandler):
        platform_name = "builder"

        def build(self, options: dict) -> None:
            """Builds."""

    assert Builder(tmp_path).supported_methods() == ["server_info_query", "build"]
