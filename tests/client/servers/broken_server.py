"""A revision 2 server with one defect chosen by the FIXTURE_DEFECT environment variable (wire facts only, no SDK).

Without a defect it answers server_info_query and every other method with null, except
that `build` answers the error named by its `reply` option. Defects:
crash_at_start, hang_at_start, crash_mid_call, hang, wrong_id, null_id_error, null_id_result, result_and_error,
old_jsonrpc, non_json, schema_violation, bad_info, protocol_3, flood_stderr, long_line, endless_line (a reply
that never ends: bytes without a newline until the server is stopped), long_read and long_read_bad (a 12,000-byte
read_transport reply written as the SDK writes it, the bytes 0, 1, 2, ...; the second with one character outside base64).
"""

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time

DEFECT = os.environ.get("FIXTURE_DEFECT", "")
FLOOD_BYTES = 6 * 1024 * 1024
INFO = {
    "protocol_version": 2,
    "platform_name": "broken",
    "is_template": False,
    "model_library_format_path": "model.tar",
    "project_options": [
        {"name": "reply", "type": "str", "optional": ["build"],
         "choices": ["invalid_params", "server_error", "io_timeout", "transport_closed", "unknown_code", "method_not_found"],
         "help": "the error build answers"},
    ],
    "supported_methods": ["server_info_query", "build", "flash", "open_transport", "close_transport",
                          "read_transport", "write_transport"],
}
ERRORS = {
    "invalid_params": {"code": -32602, "message": "invalid params", "data": {"detail": "option 'x' is unknown"}},
    "server_error": {"code": -32000, "message": "compiler exploded", "data": {"traceback": "Traceback: line 1 in build"}},
    "io_timeout": {"code": -32000, "message": "IoTimeoutError", "data": {"detail": "no byte in 1 s"}},
    "transport_closed": {"code": -32000, "message": "TransportClosedError"},
    "unknown_code": {"code": -31999, "message": "vendor specific"},
    "method_not_found": {"code": -32601, "message": "method not found"},
}


def answer(request):
    """The reply object for a request, or None to send nothing (the defect handles it)."""
    method, request_id = request["method"], request["id"]
    if method == "server_info_query":
        info = dict(INFO)
        if DEFECT == "bad_info":
            del info["platform_name"]
        if DEFECT == "protocol_3":
            info["protocol_version"] = 3
        return {"jsonrpc": "2.0", "id": request_id, "result": info}
    if method == "build":
        if DEFECT == "crash_mid_call":
            print("fatal: the build tool segfaulted", file=sys.stderr, flush=True)
            os._exit(7)
        if DEFECT == "hang":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            subprocess.Popen(["sleep", "600"])
            print("hanging, deaf to SIGTERM", file=sys.stderr, flush=True)
            time.sleep(600)
        if DEFECT == "wrong_id":
            return {"jsonrpc": "2.0", "id": request_id + 100, "result": None}
        if DEFECT == "null_id_error":
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
        if DEFECT == "null_id_result":
            return {"jsonrpc": "2.0", "id": None, "result": None}
        if DEFECT == "result_and_error":
            return {"jsonrpc": "2.0", "id": request_id, "result": None, "error": {"code": -32000, "message": "x"}}
        if DEFECT == "old_jsonrpc":
            return {"jsonrpc": "1.0", "id": request_id, "result": None}
        if DEFECT == "flood_stderr":
            chunk = b"log line of a very chatty build tool " * 20 + b"\n"
            for _ in range(FLOOD_BYTES // len(chunk)):
                os.write(2, chunk)
                os.write(1, chunk)
        reply = request["params"]["options"].get("reply")
        if reply:
            return {"jsonrpc": "2.0", "id": request_id, "error": ERRORS[reply]}
    if method == "open_transport" and DEFECT == "schema_violation":
        return {"jsonrpc": "2.0", "id": request_id, "result": {"timeouts": {"session_start_retry_timeout_sec": 1.0,
                                                                             "session_start_timeout_sec": "soon"}}}
    if method == "open_transport":
        return {"jsonrpc": "2.0", "id": request_id, "result": {"timeouts": {"session_start_retry_timeout_sec": 1.0,
                "session_start_timeout_sec": 1.0, "session_established_timeout_sec": 1.0}}}
    if method == "read_transport":
        return {"jsonrpc": "2.0", "id": request_id, "result": {"data": "AAAA"}}
    return {"jsonrpc": "2.0", "id": request_id, "result": None}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    args = parser.parse_args()
    if DEFECT == "hang_at_start":
        time.sleep(600)
    if DEFECT == "crash_at_start":
        print("cannot import the vendor SDK", file=sys.stderr, flush=True)
        sys.exit(3)
    with os.fdopen(args.read_fd, "rb") as requests, os.fdopen(args.write_fd, "wb", buffering=0) as replies:
        for line in requests:
            request = json.loads(line)
            if DEFECT == "non_json" and request["method"] == "build":
                replies.write(b"build finished OK\n")
                continue
            if DEFECT == "endless_line" and request["method"] == "build":
                while True:
                    replies.write(b"x" * 65536)
            if DEFECT.startswith("long_read") and request["method"] == "read_transport":
                text = base64.b64encode(bytes(range(256)) * 46 + bytes(range(224))).decode()
                text = text[:6000] + "*" + text[6001:] if DEFECT == "long_read_bad" else text
                reply = {"jsonrpc": "2.0", "id": request["id"], "result": {"data": text}}
                replies.write(json.dumps(reply, separators=(",", ":")).encode() + b"\n")
                continue
            if DEFECT == "long_line" and request["method"] == "build":
                replies.write(b'{"jsonrpc": "2.0", "result": "' + b"x" * 200_000 + b'"}\n')
                continue
            replies.write(json.dumps(answer(request)).encode("utf-8") + b"\n")


if __name__ == "__main__":
    main()
