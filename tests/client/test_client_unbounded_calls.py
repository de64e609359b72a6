"""Transport I/O with timeout_sec=None has no call deadline: the client says so once per session."""

from __future__ import annotations

import warnings

from microtvm_project_api.client import ProjectApiClient, UnboundedCallWarning


def test_an_unbounded_transport_call_warns_once_per_session(make_project) -> None:
    project = make_project("v1_server.py")
    for _ in range(2):  # a new session warns again
        with ProjectApiClient.launch(project) as client:
            client.open_transport()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                client.write_transport(b"hi", None)
                assert client.read_transport(1, None) == b"h"
                client.write_transport(b"!", None)
            unbounded = [w for w in caught if issubclass(w.category, UnboundedCallWarning)]
            assert len(unbounded) == 1
            assert str(unbounded[0].message).startswith("write_transport: timeout_sec=None has no call deadline")
            assert "timeout=" in str(unbounded[0].message)
            assert unbounded[0].filename == __file__  # points at the caller's line


def test_a_call_bounded_by_timeout_does_not_warn(make_project) -> None:
    with ProjectApiClient.launch(make_project("v1_server.py")) as client:
        client.open_transport()
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnboundedCallWarning)
            client.write_transport(b"hi", None, timeout=5)
            assert client.read_transport(1, None, timeout=5) == b"h"
