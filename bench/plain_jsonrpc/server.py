"""A Project API server in the standard library only, with no validation: a loopback buffer behind the
transport calls. Usage: server.py --read-fd R --write-fd W; PLAIN_CODEC=base85 in the environment
makes it speak base85 (revision 1's codec: with the plain client, the stand-in for TVM's shipped pair)."""

import argparse
import base64
import json
import os

CODECS = {"base64": (2, base64.b64encode, base64.b64decode), "base85": (1, base64.b85encode, base64.b85decode)}
REVISION, ENCODE, DECODE = CODECS[os.environ.get("PLAIN_CODEC", "base64")]
INFO = {
    "protocol_version": REVISION,
    "platform_name": "plain_loopback",
    "is_template": False,
    "model_library_format_path": "model.tar",
    "project_options": [],
    "supported_methods": ["server_info_query", "open_transport", "close_transport", "read_transport", "write_transport"],
}
TIMEOUTS = {"session_start_retry_timeout_sec": 0, "session_start_timeout_sec": 0, "session_established_timeout_sec": 0}


class Loopback:
    """Bytes written come back from read, in order."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def server_info_query(self, params: dict) -> dict:
        return INFO if REVISION == 2 else {k: v for k, v in INFO.items() if k != "supported_methods"}

    def open_transport(self, params: dict) -> dict:
        return {"timeouts": TIMEOUTS}

    def close_transport(self, params: dict) -> None:
        return None

    def write_transport(self, params: dict) -> None:
        self.buffer += DECODE(params["data"])

    def read_transport(self, params: dict) -> dict:
        data = bytes(self.buffer[: params["n"]])
        del self.buffer[: len(data)]
        return {"data": ENCODE(data).decode("ascii")}


def serve(read_fd: int, write_fd: int) -> None:
    """Answer one request per line until end of file."""
    loopback = Loopback()
    with os.fdopen(read_fd, "rb") as requests, os.fdopen(write_fd, "wb") as replies:
        for line in requests:
            request = json.loads(line)
            try:
                reply = {"jsonrpc": "2.0", "id": request["id"], "result": getattr(loopback, request["method"])(request["params"])}
            except Exception as exc:  # no SDK: every failure is a generic server error
                reply = {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32000, "message": str(exc)}}
            replies.write(json.dumps(reply, separators=(",", ":")).encode() + b"\n")
            replies.flush()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    args = parser.parse_args()
    serve(args.read_fd, args.write_fd)
