"""`microtvm-project migrate DIR`: move a TVM-era platform onto tvm_compat by one line, then judge it.

The move (cli/tvm_move.py) rewrites the import of TVM's server module, or replaces a copy of it (server.py) by the
star import of tvm_compat, and changes nothing else; the diff is shown, and `--dry-run` stops there. The moved
server is then judged in every revision it offers by the conformance kit, run as `microtvm-project conform` in a
child process (its command line and JSON report are the kit's interface), and the migration report sorts what the
kit found: declaration problems (revision 2 is not offered until they are fixed), options read where they are not
declared (found in revision 2, where tvm_compat stops handing every option to every method), and the server's
other defects. Exit status: 0 moved (or already moved) and nothing found, 1 moved and the report lists something
(or the kit could not run), 2 nothing moved (a line the move does not recognise, bad arguments).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microtvm_project_api.cli.tvm_move import MoveRefused, plan
from microtvm_project_api.protocol.options import UNDECLARED_READ

EXIT_FOUND, EXIT_NOT_MOVED = 1, 2
DECLARATION_CHECKS = frozenset({"server_info.schema", "server_info.option-metadata", "server_info.option-names-unique"})
"""The kit's checks that judge a server's declarations."""
FAILED = frozenset({"fail", "error", "stale"})
EXCHANGE_PREFIXES = ("sent ", "got ", "stderr:")
POINTER = re.compile(r"/project_options/[^\s:]+")
REPORT_TAIL = 4000
"""How much of the kit's output a failure to run shows."""


def register(subparsers: Any) -> None:
    """Add the `migrate` subcommand."""
    parser = subparsers.add_parser(
        "migrate", help="move a TVM-era platform onto tvm_compat (one line) and judge it",
        description="Rewrite the import of TVM's server module in DIR/microtvm_api_server.py (or replace its copy, "
                    "DIR/server.py) to use microtvm_project_api.server_sdk.tvm_compat, changing nothing else; show the diff; "
                    "then run the conformance kit on the moved server in every revision it offers and print a migration report.",
        epilog="Exit status: 0 moved and the kit found nothing, 1 moved and the report lists problems (or the kit could "
               "not run), 2 nothing moved (a line the move does not recognise, bad arguments).")
    parser.add_argument("project_dir", metavar="DIR", type=Path, help="the platform's template (or generated project) directory")
    parser.add_argument("--dry-run", action="store_true", help="show the diff only: change nothing, judge nothing")
    parser.add_argument("--option", metavar="NAME=VALUE", action="append", default=[],
                        help="a platform option for the kit's calls, as `conform --option` takes it (repeatable)")
    parser.add_argument("--device", choices=("none", "echo"), default="none", help="as `conform --device`")
    parser.add_argument("--python", metavar="PATH", help="as `conform --python`: the interpreter of the platform's server")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Move, show the diff, judge, report; the exit status above."""
    project_dir = args.project_dir.resolve()
    try:
        move = plan(project_dir)
    except MoveRefused as refused:
        print(f"microtvm-project migrate: not moved: {refused}", file=sys.stderr)
        return EXIT_NOT_MOVED
    if move.after == move.before:
        print(f"{move.path}: already on tvm_compat; nothing to move")
    else:
        print(move.diff(project_dir), end="")
        if args.dry_run:
            print("dry run: nothing changed")
            return 0
        move.write()
        print(f"moved: {move.path.relative_to(project_dir)} (one line)")
    if args.dry_run:
        return 0
    return report(judge(project_dir, conform_arguments(args)))


def conform_arguments(args: argparse.Namespace) -> list[str]:
    """The `conform` options migrate passes on."""
    extra = [f"--option={option}" for option in args.option] + ["--device", args.device]
    return extra + (["--python", args.python] if args.python else [])


@dataclass
class Judgement:
    """What the kit said about the moved server, sorted for the migration report."""

    status: int
    offered: list[int] = field(default_factory=list)
    declaration_problems: list[str] = field(default_factory=list)
    undeclared_reads: dict[tuple[str, str], int] = field(default_factory=dict)
    """(method, option) -> the revision it was found in."""
    defects: list[str] = field(default_factory=list)
    inherited: int = 0
    summary: str = ""
    could_not_run: str = ""


def judge(project_dir: Path, extra: list[str]) -> Judgement:
    """Run `microtvm-project conform` on `project_dir` in a child process and sort its JSON report."""
    with tempfile.TemporaryDirectory(prefix="microtvm-migrate-") as scratch:
        report_file = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "microtvm_project_api.cli", "-q", "conform", str(project_dir),
                   "--report-json", str(report_file), *extra]
        print(f"judging the moved server: {' '.join(command[3:])}", flush=True)
        ran = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
        if not report_file.is_file():
            return Judgement(ran.returncode, could_not_run=(ran.stdout + ran.stderr)[-REPORT_TAIL:])
        found = json.loads(report_file.read_text(encoding="utf-8"))
    summary = ran.stdout.strip().splitlines()[-1] if ran.stdout.strip() else ""
    return sort_report(found, ran.returncode, summary)


def sort_report(found: dict[str, Any], status: int, summary: str = "") -> Judgement:
    """The kit's JSON report sorted: declaration problems, options read where not declared, other defects (a failure
    whose cause is a declaration problem or an undeclared read is listed there, once)."""
    judged = Judgement(status, offered=list(found.get("offered_revisions", [])), summary=summary)
    failed = []
    for check in found.get("checks", []):
        message = str(check.get("message") or "")
        reads = [(m["method"], m["option"]) for m in UNDECLARED_READ.finditer(message)]
        for read in reads:
            judged.undeclared_reads.setdefault(read, check["revision"])
        judged.inherited += check.get("outcome") == "inherited"
        if check.get("outcome") in FAILED and not reads:
            failed.append((check, _what(message) or [check["id"]]))
    places: dict[str, str] = {}  # a problem's JSON pointer (or its text) -> the line naming it first
    for check, what in failed:
        for line in what if check["id"] in DECLARATION_CHECKS else ():
            places.setdefault(_place(line), line)
    judged.declaration_problems = list(places.values())
    judged.defects = [f"revision {check['revision']}: {check['id']}: {what[0]}" for check, what in failed
                      if check["id"] not in DECLARATION_CHECKS and not {_place(line) for line in what} & set(places)]
    return judged


def _place(line: str) -> str:
    """Where a declaration problem is (its JSON pointer under /project_options), or the line itself: two checks naming
    the same place name one problem."""
    found = POINTER.search(line)
    return found.group(0) if found else line


def _what(message: str) -> list[str]:
    """The lines of a check's message that say what is wrong (the exchanges and the server's stderr left out)."""
    lines = (line.strip().split(" sent {", 1)[0] for line in message.splitlines())
    return [line for line in lines if line and not line.startswith(EXCHANGE_PREFIXES)]


def report(judged: Judgement) -> int:
    """Print the migration report; the exit status."""
    print("\nmigration report")
    if judged.could_not_run:
        print(f"  the conformance kit could not judge the server (exit status {judged.status}):")
        print("".join(f"    {line}\n" for line in judged.could_not_run.splitlines()), end="")
        return EXIT_FOUND
    offered = ", ".join(map(str, judged.offered)) or "none"
    print(f"  revisions offered: {offered}{'' if 2 in judged.offered else ' (revision 2 is offered once the declaration problems are fixed)'}")
    print(f"  declaration problems: {len(judged.declaration_problems) or 'none'}")
    print("".join(f"    {line}\n" for line in judged.declaration_problems), end="")
    if 2 in judged.offered:
        print(f"  options read where not declared: {len(judged.undeclared_reads) or 'none'}")
    else:
        print(f"  options read where not declared: {len(judged.undeclared_reads) or 'not judged'}"
              f"{'' if judged.undeclared_reads else ' (found in revision 2, which is not offered)'}")
    for (method, option), revision in sorted(judged.undeclared_reads.items()):
        print(f"    {method} reads {option!r}, not declared for {method}: add {method!r} to its required or optional "
              f"list (revision {revision})")
    print(f"  the server's own defects: {len(judged.defects) or 'none'}")
    print("".join(f"    {line}\n" for line in judged.defects), end="")
    if judged.inherited:
        print(f"  inherited from TVM's server module (not defects, revision 1 only): {judged.inherited}")
    if judged.summary:
        print(f"  kit: {judged.summary}")
    found = judged.declaration_problems or judged.undeclared_reads or judged.defects or judged.status != 0
    return EXIT_FOUND if found else 0
