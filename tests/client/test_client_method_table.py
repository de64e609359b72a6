"""The typed client's wrappers are held to the method table: one per method, named and taking params as the schema says."""

from __future__ import annotations

import inspect

import pytest

from microtvm_project_api.client import CallTimeouts, ProjectApiClient
from microtvm_project_api.generated.methods import METHODS, REVISIONS
from microtvm_project_api.protocol.agreement import PROTOCOL_VERSIONS


@pytest.mark.parametrize("method", sorted({name for revision in REVISIONS.values() for name in revision.methods}))
def test_every_method_has_a_wrapper_taking_its_params_then_a_timeout(method: str) -> None:
    wrapper = getattr(ProjectApiClient, method, None)
    assert wrapper is not None, f"ProjectApiClient has no {method}(): add a wrapper calling self.call({method!r}, ...)"
    parameters = list(inspect.signature(wrapper).parameters.values())[1:]
    # protocol_versions belongs to the session (agreed at launch, asked again the same way), not to one call.
    fields = [name for name in METHODS[method].params_model.model_fields if name != PROTOCOL_VERSIONS]
    assert [p.name for p in parameters] == [*fields, "timeout"]
    assert parameters[-1].default is None
    if METHODS[method].takes_options:
        assert parameters[-2].name == "options" and parameters[-2].default is None


def test_deadlines_follow_the_method_classes_of_the_table() -> None:
    timeouts = CallTimeouts(default=1.0, long_running=2.0, transport_margin=3.0)
    for name, entry in METHODS.items():
        expected = 4.0 if entry.timeout_param else 2.0 if entry.long_running else 1.0
        assert timeouts.deadline(name, 1.0) == expected, name
    assert timeouts.deadline("read_transport", None) is None
    assert timeouts.deadline("no_such_method") == 1.0
