"""The TVM-era platforms of these tests and their one-line move to the SDK."""

from __future__ import annotations

import difflib
from pathlib import Path

SERVERS = Path(__file__).parent / "servers"
TVM_IMPORT = "from tvm.micro.project_api import server\n"
SDK_IMPORT = "from microtvm_project_api.server_sdk import tvm_compat as server\n"
STAR_SHIM = "from microtvm_project_api.server_sdk.tvm_compat import *\n"
DECLARATION_VARIANTS = {
    "empty_choices_server.py": ("emptychoices", 'server.ProjectOption("board", optional=["build", "flash"], type="str", choices=[], '
                                                'help="The board.")'),
    "float_default_server.py": ("floatdefault", 'server.ProjectOption("jobs", optional=["build", "flash"], type="int", default=1.5, '
                                                'help="Parallel jobs.")'),
    "misspelt_method_server.py": ("misspeltmethod", 'server.ProjectOption("board", optional=["biuld", "flash"], type="str", '
                                                    'help="The board.")'),
}
"""The variants of servers/declaration_problem_server.py: each platform's name and its first option's declaration."""
DECLARATION_PROBLEMS = {
    "empty_choices_server.py": ("board", "/project_options/0/choices", "List should have at least 1 item after validation, not 0"),
    "float_default_server.py": ("jobs", "/project_options/0/default", "default 1.5 is not a int value"),
    "misspelt_method_server.py": ("board", "/project_options/0/optional/0", "'biuld' in required/optional is not a method "
                                                                             "that takes options (generate_project, build, "
                                                                             "flash, open_transport)"),
}
"""TVM-era platforms with a declaration TVM's module accepted and the spec does not: the option, where, what."""
MODULE_STYLE = ("module_style_server.py", "helpers_style_server.py", "undeclared_read_server.py", *DECLARATION_PROBLEMS)
PLATFORMS = ("module_style_server.py", "copy_style", "helpers_style_server.py")
"""The three TVM-era platforms driven through every method: TVM's module imported (twice, one on its helpers), and a
copy of it beside the script."""


def platform_source(platform: str) -> str:
    """A TVM-era platform's microtvm_api_server.py as written for TVM: its file in servers/, or a declaration-problem
    variant made from servers/declaration_problem_server.py."""
    if platform not in DECLARATION_VARIANTS:
        return (SERVERS / platform).read_text()
    name, declaration = DECLARATION_VARIANTS[platform]
    source = (SERVERS / "declaration_problem_server.py").read_text()
    return source.replace("PLATFORM_NAME", name).replace("PROBLEM_DECLARATION", declaration)


def migrate(source: str) -> str:
    """The one-line move of a platform importing TVM's module: its import line, nothing else."""
    moved = source.replace(TVM_IMPORT, SDK_IMPORT)
    changed = [line for line in difflib.ndiff(source.splitlines(True), moved.splitlines(True)) if line[:1] in "+-"]
    assert changed == [f"- {TVM_IMPORT}", f"+ {SDK_IMPORT}"], changed
    return moved
