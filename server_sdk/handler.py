"""The base class a platform's microtvm_api_server.py subclasses: one typed method per protocol method (generated from
the schema: generated/handlers.py HandlerMethods), plus the declarations and the facts the SDK answers from.

A platform declares `platform_name` and `project_options`, and overrides the methods it supports;
every method it leaves alone is unsupported (left out of `supported_methods`, answered with
MethodNotSupportedError). Each method is named after its protocol method and takes its params in
the schema's order. The JSON-RPC loop (loop.py) validates and decodes requests from the method
table before a method is called, so methods receive plain Python values: Paths (`x-path`
params), bytes (payloads), checked options. A method whose result is an object of one member
returns that member's value (open_transport its TransportTimeouts, read_transport bytes).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar, Sequence

from microtvm_project_api.generated.handlers import HandlerMethods
from microtvm_project_api.generated.methods import METHOD_NAMES, METHODS, SERVER_INFO_QUERY
from microtvm_project_api.protocol.launch import SERVER_FILE
from microtvm_project_api.server_sdk.options import ProjectOption

MLF_ARCHIVE_NAME = "model.tar"
"""Where a generated project keeps the Model Library Format archive it was made from."""


class ProjectApiHandler(HandlerMethods):
    """A platform's server. Subclasses set the class attributes and override what they support."""

    platform_name: ClassVar[str] = ""
    project_options: ClassVar[Sequence[ProjectOption]] = ()
    declarations_served_as_given: ClassVar[frozenset[int]] = frozenset()
    """Revisions in which declarations that break the spec are served rather than refused at start (tvm_compat: 1)."""

    def __init__(self, project_dir: Path | None = None) -> None:
        self.project_dir = (project_dir or self.server_file().parent).resolve()

    @classmethod
    def server_file(cls) -> Path:
        """The microtvm_api_server.py that generate_project copies: the running script when it has that name
        (the handler may live in a library the script imports), else the file defining this class."""
        script = getattr(sys.modules.get("__main__"), "__file__", None)
        if script and Path(script).name == SERVER_FILE:
            return Path(script).resolve()
        import inspect  # only for a handler defined outside the running script: not worth its import at every start

        return Path(inspect.getfile(cls)).resolve()

    def model_library_format_path(self) -> Path | None:
        """The archive this project was generated from, or None for a template (no archive present)."""
        archive = self.project_dir / MLF_ARCHIVE_NAME
        return archive if archive.is_file() else None

    def is_template(self) -> bool:
        """A project without a Model Library Format archive is a template."""
        return self.model_library_format_path() is None

    def supported_methods(self) -> list[str]:
        """server_info_query and every protocol method this class overrides (or defines: a method this base class
        does not know yet); a template-only method (`x-template-only`: generate_project) only in a template."""
        overridden = [m for m in METHOD_NAMES if m != SERVER_INFO_QUERY
                      and getattr(type(self), m, None) not in (None, getattr(HandlerMethods, m, None))]
        if not self.is_template():
            overridden = [m for m in overridden if not METHODS[m].template_only]
        return [SERVER_INFO_QUERY, *overridden]

    def check_tvm_version(self, tvm_version: str) -> None:
        """Refuse a caller's compiler version by raising UnsupportedTVMVersionError; accepts every version."""

    def server_info(self, revision: int) -> dict[str, Any]:
        """The server_info_query result in `revision`, from the declarations."""
        path = self.model_library_format_path()
        info: dict[str, Any] = {
            "protocol_version": revision,
            "platform_name": self.platform_name,
            "is_template": path is None,
            "model_library_format_path": None if path is None else str(path),
            "project_options": [option.to_json(revision) for option in self.project_options],
        }
        if revision >= 2:
            info["supported_methods"] = self.supported_methods()
        return info
