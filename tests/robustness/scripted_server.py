"""A wire-only Project API server for fuzzing clients (standard library only): it answers the k-th request
line with the k-th step of script.json in its working directory, whatever the request was.

Steps: {"reply": BASE64} writes those bytes with the literal "__ID__" replaced by the request's id
(JSON-encoded), and appends what it wrote (base64) as a line of sent.txt; {"hang": true} never answers; {"exit": CODE} exits at once; {"close": true} closes
the reply pipe and waits; {"spawn": FILE} starts a grandchild that sleeps, writes its pid to FILE and
never answers. After the script, the server waits for end of file.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time


def request_id(line: bytes) -> object:
    """The id of a request line, or None when the line has none."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message.get("id") if isinstance(message, dict) else None


def run(read_fd: int, write_fd: int) -> None:
    """Play script.json, one step per request line."""
    with open("script.json") as script_file:
        script = json.load(script_file)
    with os.fdopen(read_fd, "rb") as requests:
        for step in script:
            line = requests.readline()
            if not line:
                return
            if "reply" in step:
                reply = base64.b64decode(step["reply"]).replace(b'"__ID__"', json.dumps(request_id(line)).encode())
                with open("sent.txt", "ab") as sent:
                    sent.write(base64.b64encode(reply) + b"\n")
                view = memoryview(reply)
                while view:
                    view = view[os.write(write_fd, view):]
            elif "exit" in step:
                os._exit(step["exit"])
            elif "close" in step:
                os.close(write_fd)
                time.sleep(3600)
            elif "spawn" in step:
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
                with open(step["spawn"], "w") as pid_file:
                    pid_file.write(str(child.pid))
                time.sleep(3600)
            else:
                time.sleep(3600)
        requests.read()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    arguments = parser.parse_args()
    run(arguments.read_fd, arguments.write_fd)
