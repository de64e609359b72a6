"""Adding a method is a schema change plus `make generate`: a scratch method added to a copy of schema/ and
generated there is served by the SDK, called by the client's generated wrapper and exercised by the kit, with no
other edit: no stub is written by hand (the handler base classes and the client's wrappers are generated).

The package is copied to a temporary directory (its folders under microtvm_project_api/, as installed),
the scratch method is added to the copy's schema, the copy's generator is run, and a script then drives
the copy over real pipes: PYTHONPATH puts the copy first for that script and the servers it launches.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FOLDERS = ("schema", "generated", "protocol", "server_sdk", "client", "conformance", "sample_model")
SCRATCH = "scratch_ping"

SCRATCH_METHOD = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://microtvm.example/project-api/schema/methods/scratch_ping.json",
    "title": SCRATCH,
    "description": "A method that exists only in this test: answers the count it was given.",
    "x-errors": [],
    "$defs": {
        "ScratchPingParams": {
            "title": "ScratchPingParams", "description": "Parameters of scratch_ping.", "type": "object",
            "additionalProperties": False, "required": ["count"],
            "properties": {"count": {"type": "integer", "minimum": 1, "description": "What to answer."}},
        },
        "ScratchPingResult": {
            "title": "ScratchPingResult", "description": "The count, back.", "type": "object",
            "additionalProperties": False, "required": ["echo"],
            "properties": {"echo": {"type": "integer", "description": "The count given."}},
        },
    },
}
SCRATCH_EXAMPLES = {
    "method": SCRATCH,
    "params": {"valid": [{"title": "one", "revisions": [2], "value": {"count": 1}}], "invalid": []},
    "result": {"valid": [{"title": "one", "revisions": [2], "value": {"echo": 1}}], "invalid": []},
}

SERVER = '''
import sys
from pathlib import Path

from microtvm_project_api.server_sdk import ProjectApiHandler, main


class Pinger(ProjectApiHandler):
    platform_name = "pinger"

    def build(self, options):
        pass

    def scratch_ping(self, count):
        return count


class Silent(ProjectApiHandler):
    platform_name = "silent"

    def build(self, options):
        pass


sys.exit(main(Pinger if Path(__file__).parent.name == "pinger" else Silent))
'''

DRIVER = '''
import sys
from pathlib import Path

import microtvm_project_api.protocol
from microtvm_project_api.client import ProjectApiClient
from microtvm_project_api.conformance.check import Outcome, all_checks
from microtvm_project_api.conformance.context import Settings
from microtvm_project_api.conformance.runner import Runner
from microtvm_project_api.generated import methods
from microtvm_project_api.protocol.errors import MethodNotSupportedError

assert microtvm_project_api.protocol.__file__.startswith(sys.argv[1]), microtvm_project_api.protocol.__file__
assert "scratch_ping" in methods.METHOD_NAMES and "scratch_ping" in methods.REVISIONS[2].methods

pinger, silent = Path(sys.argv[2]), Path(sys.argv[3])
with ProjectApiClient.launch(pinger) as client:
    assert client.supported_methods == ["server_info_query", "build", "scratch_ping"], client.supported_methods
    print("client+sdk:", client.scratch_ping(3).model_dump())
with ProjectApiClient.launch(silent) as client:
    assert "scratch_ping" not in client.supported_methods
    try:
        client.scratch_ping(count=3)
    except MethodNotSupportedError as exc:
        print("unsupported:", exc.message)

checks = {c.id: c for c in all_checks()}
for project in (pinger, silent):
    runner = Runner(Settings(project_dir=project, timeout=20.0))
    runner.start()
    try:
        for check_id in ("jsonrpc.params-missing", "jsonrpc.params-mistyped", "template.unsupported-methods"):
            result = runner.run(checks[check_id], 2)
            sent = [line for line in result.exchanges if line.startswith("->") and "scratch_ping" in line]
            print(f"kit {project.name} {check_id}: {result.outcome.value}, {len(sent)} scratch_ping requests")
    finally:
        runner.close()
'''


def _copy_package(target: Path) -> Path:
    """The package's folders as installed (microtvm_project_api/<folder>), plus the generator; the copy's root."""
    package = target / "microtvm_project_api"
    for folder in PACKAGE_FOLDERS:
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "__init__.py").write_text("")
    shutil.copytree(ROOT / "tools", package / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    return package


def _add_scratch_method(schema: Path) -> None:
    (schema / "methods" / f"{SCRATCH}.json").write_text(json.dumps(SCRATCH_METHOD, indent=2) + "\n")
    (schema / "examples" / f"{SCRATCH}.json").write_text(json.dumps(SCRATCH_EXAMPLES, indent=2) + "\n")
    revision = json.loads((schema / "revisions" / "v2.json").read_text())
    revision["x-methods"][SCRATCH] = {"params": {"$ref": f"../methods/{SCRATCH}.json#/$defs/ScratchPingParams"},
                                      "result": {"$ref": f"../methods/{SCRATCH}.json#/$defs/ScratchPingResult"}}
    (schema / "revisions" / "v2.json").write_text(json.dumps(revision, indent=2) + "\n")
    types = json.loads((schema / "types.json").read_text())
    types["$defs"]["MethodName"]["enum"].append(SCRATCH)
    (schema / "types.json").write_text(json.dumps(types, indent=2) + "\n")


def test_a_scratch_method_added_to_the_schema_reaches_sdk_client_and_kit(tmp_path: Path) -> None:
    package = _copy_package(tmp_path / "site")
    _add_scratch_method(package / "schema")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "PYTHONDONTWRITEBYTECODE": "1"}
    for generator in ("generate_models.py", "generate_validators.py", "generate_stubs.py"):  # what `make generate` runs
        generated = subprocess.run([sys.executable, str(package / "tools" / generator)], env=env,
                                   capture_output=True, text=True, timeout=120)
        assert generated.returncode == 0, generated.stderr
    table = (package / "generated" / "methods.py").read_text()
    assert "SCRATCH_PING: Final = \"scratch_ping\"" in table and '#/$defs/ScratchPingParams",' in table
    assert "def check_ScratchPingParams(" in (package / "generated" / "validators.py").read_text()
    assert (ROOT / "generated" / "methods.py").read_text() != table
    handlers = (package / "generated" / "handlers.py").read_text()
    assert handlers.count("    def scratch_ping(self, count: int) -> int:\n") == 1  # the SDK's base, which TVM's shape extends
    assert "    def scratch_ping(self, count: int, timeout: float | None = None) -> models.ScratchPingResult:\n" in \
        (package / "generated" / "client_methods.py").read_text()

    projects = []
    for name in ("pinger", "silent"):
        project = tmp_path / name
        project.mkdir()
        (project / "microtvm_api_server.py").write_text(SERVER)
        projects.append(str(project))
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    run = subprocess.run([sys.executable, str(driver), str(package), *projects], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "client+sdk: {'echo': 3}" in lines
    assert "unsupported: MethodNotSupportedError" in lines
    # The kit sends the scratch method bad params (from its example and its types) and judges the replies: the SDK
    # refuses them (-32602) where it is supported, and answers MethodNotSupportedError where it is not.
    assert lines[2:] == [
        "kit pinger jsonrpc.params-missing: pass, 1 scratch_ping requests",
        "kit pinger jsonrpc.params-mistyped: pass, 1 scratch_ping requests",
        "kit pinger template.unsupported-methods: pass, 0 scratch_ping requests",
        "kit silent jsonrpc.params-missing: pass, 1 scratch_ping requests",
        "kit silent jsonrpc.params-mistyped: pass, 1 scratch_ping requests",
        "kit silent template.unsupported-methods: pass, 1 scratch_ping requests",
    ], run.stdout
