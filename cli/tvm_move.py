"""The one-line move of a TVM-era platform onto tvm_compat, as text: find the line, rewrite it, nothing else.

A platform's microtvm_api_server.py either imports TVM's server module, and that import line is rewritten to
import tvm_compat under the same name, or carries a copy of TVM's module beside it as server.py (and says
`import server`), and that file is replaced by the star import of tvm_compat. Any other line that imports from
TVM's project_api package cannot be moved by one line: the move is refused, naming it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from microtvm_project_api.protocol.launch import SERVER_FILE

COPY_FILE = "server.py"
COMPAT_MODULE = "microtvm_project_api.server_sdk.tvm_compat"
STAR_SHIM = f"from {COMPAT_MODULE} import *\n"
TVM_PACKAGE = "tvm.micro.project_api"

_TAIL = r"(?P<tail>\s*(#.*)?)$"
MOVES = (
    # from tvm.micro.project_api import server [as name]
    (re.compile(r"^(?P<indent>\s*)from\s+tvm\.micro\.project_api\s+import\s+server(\s+as\s+(?P<name>\w+))?" + _TAIL),
     "{indent}from microtvm_project_api.server_sdk import tvm_compat as {name}{tail}"),
    # import tvm.micro.project_api.server as name
    (re.compile(r"^(?P<indent>\s*)import\s+tvm\.micro\.project_api\.server\s+as\s+(?P<name>\w+)" + _TAIL),
     "{indent}from microtvm_project_api.server_sdk import tvm_compat as {name}{tail}"),
    # from tvm.micro.project_api.server import A, B as C / (A, B) / *
    (re.compile(r"^(?P<indent>\s*)from\s+tvm\.micro\.project_api\.server\s+import\s+(?P<names>\*|\(?[\w\s,]+\)?)" + _TAIL),
     "{indent}from " + COMPAT_MODULE + " import {names}{tail}"),
)
"""Each import of TVM's server module that one line can move, with the line it becomes."""
MENTIONS_TVM = re.compile(r"^\s*(from\s+tvm(\.micro(\.project_api)?)?\s+import\b.*\bproject_api\b|"
                          r"(from|import)\s+tvm\.micro\.project_api\b)")
"""A line that imports from TVM's project_api package (the test for a line the move must understand)."""
ON_COMPAT = re.compile(r"^\s*from\s+microtvm_project_api\.server_sdk(\s+import\s+tvm_compat\b|\.tvm_compat\s+import\b)", re.M)
"""A line importing tvm_compat: the platform has been moved."""
IMPORTS_COPY = re.compile(r"^\s*(import\s+server\b|from\s+server\s+import\b)")
COPY_MARKS = ("class ProjectAPIHandler", "def main(")
"""What a copy of TVM's server module defines (and a file of another purpose named server.py does not)."""


class MoveRefused(Exception):
    """The platform cannot be moved by one line; the message names the line (file and number) and why."""


@dataclass(frozen=True)
class Move:
    """One file's change: its path, its text before and after (equal when there is nothing to move)."""

    path: Path
    before: str
    after: str

    def diff(self, root: Path) -> str:
        """The change as a unified diff, paths relative to `root`."""
        name = str(self.path.relative_to(root))
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True), f"a/{name}", f"b/{name}"))

    def write(self) -> None:
        """Write the new text in place of the old, keeping the file's mode (a new file, then renamed over it)."""
        staged = self.path.with_name(f".{self.path.name}.migrate")
        staged.write_bytes(self.after.encode("utf-8"))
        staged.chmod(self.path.stat().st_mode & 0o7777)
        staged.replace(self.path)


def plan(project_dir: Path) -> Move:
    """The one-line move of the platform in `project_dir` (`after == before` when it is on tvm_compat already);
    MoveRefused when it cannot be made, naming why."""
    server = project_dir / SERVER_FILE
    if not server.is_file():
        raise MoveRefused(f"{project_dir}: no {SERVER_FILE}: not a platform's template or project directory")
    source = _text(server)
    lines = source.splitlines(True)
    moved = [_moved_line(server, number, line) for number, line in enumerate(lines, 1)]
    if moved != lines:
        return Move(server, source, "".join(moved))
    if ON_COMPAT.search(source):
        return Move(server, source, source)
    copy_import = next(((n, line) for n, line in enumerate(lines, 1) if IMPORTS_COPY.match(line)), None)
    if copy_import is None:
        raise MoveRefused(f"{server}: no line imports TVM's server module ({TVM_PACKAGE}.server) or a copy of it "
                          f"({COPY_FILE}): nothing to move")
    return _copy_move(project_dir, server, *copy_import)


def _moved_line(server: Path, number: int, line: str) -> str:
    """The line, moved when it imports TVM's server module; MoveRefused when it imports from TVM's package otherwise."""
    text = line.rstrip("\r\n")
    for pattern, replacement in MOVES:
        found = pattern.match(text)
        if found:
            values = {"name": "server", **{k: v for k, v in found.groupdict().items() if v is not None}}
            return replacement.format(**{"tail": "", **values}) + line[len(text):]
    if MENTIONS_TVM.match(text):
        raise MoveRefused(f"{server}:{number}: cannot move this line by one line: {text.strip()}\n"
                          f"  the move rewrites `from {TVM_PACKAGE} import server [as NAME]`, `import {TVM_PACKAGE}.server as "
                          f"NAME` and `from {TVM_PACKAGE}.server import NAMES`")
    return line


def _copy_move(project_dir: Path, server: Path, number: int, line: str) -> Move:
    """The replacement of the copy of TVM's module that `line` imports by the star import of tvm_compat."""
    copy = project_dir / COPY_FILE
    if not copy.is_file():
        raise MoveRefused(f"{server}:{number}: {line.strip()}: imports {COPY_FILE}, which is not in {project_dir}")
    text = _text(copy)
    if text == STAR_SHIM:
        return Move(copy, text, text)
    missing = [mark for mark in COPY_MARKS if mark not in text]
    if missing:
        raise MoveRefused(f"{server}:{number}: {line.strip()}: {copy} is not a copy of TVM's server module "
                          f"(it has no {' and no '.join(missing)})")
    return Move(copy, text, STAR_SHIM)


def _text(path: Path) -> str:
    """The file's text with its line endings as they are (a move changes one line, not every line's ending)."""
    return path.read_bytes().decode("utf-8")
