"""The SDK tutorial's serial-board handler (examples/loopback/README.md, "Transports") works as a real server.

The block is taken from the tutorial as written; only the port becomes pyserial's `loop://` (a port whose
writes come back on read) and the entry point is added. The typed client then drives it over real pipes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from microtvm_project_api.client import ProjectApiClient
from microtvm_project_api.protocol.errors import TransportClosedError
from microtvm_project_api.protocol.launch import SERVER_FILE

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "examples" / "loopback" / "README.md"
PORT = '"/dev/ttyACM0"'
ENTRY_POINT = """
BoardHandler.platform_name = "board"

if __name__ == "__main__":
    import sys

    from microtvm_project_api.server_sdk import main

    sys.exit(main(BoardHandler))
"""


def handler_block() -> str:
    """The tutorial's python block defining BoardHandler."""
    blocks = re.findall(r"^```python\n(.*?)^```", TUTORIAL.read_text(encoding="utf-8"), re.S | re.M)
    found = [block for block in blocks if "class BoardHandler" in block]
    assert len(found) == 1, "the tutorial's Transports section should show one BoardHandler"
    assert PORT in found[0], f"the tutorial's handler no longer opens {PORT}"
    return found[0]


@pytest.mark.timeout(60)
def test_the_tutorials_serial_handler_serves_the_transport_methods(tmp_path: Path) -> None:
    project = tmp_path / "board"
    project.mkdir()
    (project / SERVER_FILE).write_text(handler_block().replace(PORT, '"loop://"') + ENTRY_POINT, encoding="utf-8")
    with ProjectApiClient.launch(project) as client:
        assert client.supported_methods == ["server_info_query", "open_transport", "close_transport", "read_transport",
                                            "write_transport"]
        client.close_transport()  # closed already: a no-op
        with pytest.raises(TransportClosedError):
            client.read_transport(1, 0.0)
        assert client.open_transport().timeouts.session_start_timeout_sec == 10.0
        client.write_transport(b"ping", 1.0)
        received = b""
        while len(received) < 4:
            received += client.read_transport(4 - len(received), 1.0)
        assert received == b"ping"
        client.close_transport()
        with pytest.raises(TransportClosedError):
            client.write_transport(b"x", 1.0)
        assert client.close() == 0
