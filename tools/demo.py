"""`make demo`: the reference host platform end to end through the typed client, then the conformance kit against it.

Steps: info, generate, build, flash, open, one inference checked against the Python reference,
close, conformance. Each step prints what it did; a failed step stops the flow (the later steps
are reported as skipped), and the run ends with a per-step summary; the exit status is 0 only
when every step passed. Lives in tools/ because it drives the template from outside,
as a compiler would; examples/host/ stays exactly what a platform author copies.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from microtvm_project_api.client.client import ProjectApiClient
from microtvm_project_api.protocol.errors import ProjectApiError
from microtvm_project_api.sample_model import INPUT_SIZE, run, standalone_crt_dir, write_mlf_archive
from microtvm_project_api.sample_model.frames import infer

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = REPO / "examples" / "host"
CONFORMANCE_TIMEOUT_SEC = 600.0


@dataclass
class Step:
    """One line of the summary."""

    name: str
    status: str = "skipped"
    seconds: float = 0.0
    note: str = ""


class Demo:
    """The flow's state: the workspace, the open client sessions, and the steps done so far."""

    def __init__(self, workdir: Path, revision: int) -> None:
        self.workdir = workdir
        self.revision = revision
        self.archive = workdir / "sample_model.tar"
        self.project = workdir / "project"
        self.template: ProjectApiClient | None = None
        self.client: ProjectApiClient | None = None
        self.steps: list[Step] = []

    def step(self, name: str, action: Callable[[], str]) -> bool:
        """Run one step unless an earlier one failed; print and record its outcome and time."""
        step = Step(name)
        self.steps.append(step)
        if any(s.status == "FAILED" for s in self.steps):
            print(f"[{len(self.steps)}] {name}: skipped (an earlier step failed)", flush=True)
            return False
        print(f"[{len(self.steps)}] {name} ...", flush=True)
        start = time.monotonic()
        try:
            step.note = action()
            step.status = "ok"
        except (ProjectApiError, OSError, ValueError, AssertionError, subprocess.SubprocessError) as exc:
            step.status, step.note = "FAILED", f"{type(exc).__name__}: {exc}"
        step.seconds = time.monotonic() - start
        print(f"    {step.status}: {step.note} ({step.seconds:.2f} s)", flush=True)
        return step.status == "ok"

    def info(self) -> str:
        write_mlf_archive(self.archive)
        self.template = ProjectApiClient.launch(TEMPLATE_DIR, protocol_versions=[self.revision])
        info = self.template.server_info
        options = ", ".join(f"{o.name} ({o.type.value})" for o in self.template.project_options)
        return (f"platform {info.platform_name!r}, protocol revision {info.protocol_version}, "
                f"template {info.is_template}; options: {options}")

    def generate(self) -> str:
        assert self.template is not None
        self.template.generate_project(self.archive, standalone_crt_dir(), self.project, {"app": "model"})
        self.template.close()
        self.client = ProjectApiClient.launch(self.project, protocol_versions=[self.revision])
        return f"{self.project} from {self.archive.name}; its server reports is_template {self.client.server_info.is_template}"

    def build(self) -> str:
        assert self.client is not None
        self.client.build({"verbose": True})
        image = self.project / "build" / "firmware"
        return f"make with the system cc: {image.relative_to(self.workdir)} ({image.stat().st_size} bytes)"

    def flash(self) -> str:
        assert self.client is not None
        self.client.flash()
        return f"installed into {(self.project / 'device').relative_to(self.workdir)}/"

    def open(self) -> str:
        assert self.client is not None
        timeouts = self.client.open_transport().timeouts
        return (f"firmware running behind a pseudo-terminal, opened with pyserial; session timeouts "
                f"{timeouts.session_start_timeout_sec} s start, {timeouts.session_established_timeout_sec} s established")

    def infer(self) -> str:
        assert self.client is not None
        tensor = bytes(random.Random(2026).randrange(256) for _ in range(INPUT_SIZE))
        output, expected = infer(self.client, tensor), run(tensor)
        signed = [int.from_bytes(output[i : i + 1], "little", signed=True) for i in range(len(output))]
        assert output == expected, f"the firmware answered {output.hex()}, the Python reference computes {expected.hex()}"
        return f"input {tensor.hex()} -> output {signed}, equal to the Python reference bit for bit"

    def close(self) -> str:
        assert self.client is not None
        self.client.close_transport()
        self.client.close()
        return "transport closed, firmware stopped, server exited"

    def conform(self) -> str:
        command = [str(Path(sys.executable).parent / "microtvm-project"), "conform", str(TEMPLATE_DIR),
                   "--device", "echo", "--mlf", str(self.archive), "--standalone-crt-dir", str(standalone_crt_dir())]
        print("    $ " + " ".join(command), flush=True)
        completed = subprocess.run(command, timeout=CONFORMANCE_TIMEOUT_SEC)
        assert completed.returncode == 0, f"the conformance kit exited with status {completed.returncode}"
        return "the conformance kit passed against the host template"

    def shut_down(self) -> None:
        """Stop any server still running (after a failed step)."""
        for client in (self.template, self.client):
            if client is not None:
                client.close()


def print_summary(steps: Sequence[Step], total: float) -> None:
    """The per-step table: status, time, what happened."""
    print("\nsummary")
    width = max(len(s.name) for s in steps)
    for step in steps:
        print(f"  {step.name:<{width}}  {step.status:<7} {step.seconds:7.2f} s  {step.note if step.status != 'ok' else ''}".rstrip())
    print(f"  {'total':<{width}}  {'':<7} {total:7.2f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revision", type=int, choices=(1, 2), default=2,
                        help="protocol revision the client asks for (the servers offer both)")
    parser.add_argument("--keep", type=Path, help="work in this new directory and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.keep and args.keep.exists():
        parser.error(f"--keep {args.keep}: the directory must not exist yet")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="microtvm-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    demo = Demo(workdir, args.revision)
    start = time.monotonic()
    try:
        for name, action in [("info", demo.info), ("generate", demo.generate), ("build", demo.build),
                             ("flash", demo.flash), ("open", demo.open), ("inference", demo.infer),
                             ("close", demo.close), ("conformance", demo.conform)]:
            demo.step(name, action)
    finally:
        demo.shut_down()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_summary(demo.steps, time.monotonic() - start)
    return 0 if all(s.status == "ok" for s in demo.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
