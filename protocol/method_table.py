"""The one entry type of the method table: what the schema states about each method of each revision.

generated/methods.py holds the installed spec's table as instances of these classes (`make generate`), and
protocol/registry.py builds the same classes from any schema/ tree (the spec tools compare two of them). The SDK,
the client, the kit and the spec tools all read these and nothing else. Standard library only (and the payload
codecs): a server imports it at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Mapping, cast

from microtvm_project_api.protocol.payload import CODECS, PayloadCodec

if TYPE_CHECKING:
    from pydantic import BaseModel


def _models() -> ModuleType:
    from microtvm_project_api.generated import models

    return models


@dataclass(frozen=True)
class MethodEntry:
    """One method of one revision, as the schema states it: the one entry type of the method table, read by the
    SDK, the client, the kit and the spec tools (protocol/registry.py builds the same type from any schema/ tree)."""

    name: str
    params: tuple[str, ...]
    """The params' names in schema order: the order handler methods take them in."""
    result_member: str | None
    """The member of a result object that has exactly one (open_transport's timeouts): handlers return its value."""
    params_ref: str
    """Absolute reference of the params definition in schema/ (for jsonschema validation)."""
    result_ref: str
    errors: tuple[str, ...]
    """`x-errors`: the named server errors the method may raise."""
    takes_options: bool
    """The params carry `options`, checked against the server's declared ProjectOptions."""
    transport: bool
    """`x-transport`: implemented all together with the other transport methods, or not at all."""
    long_running: bool
    """`x-long-running`: the call may take minutes (compiling, flashing)."""
    template_only: bool
    """`x-template-only`: only a template project serves it; a generated project answers MethodNotSupportedError."""
    timeout_param: str | None
    """The param typed TimeoutSec, the server's own wait: a client's deadline is that plus a margin."""
    read_bound: str | None
    """`x-read-bound`: the integer param that bounds the bytes of the result's payload (at most that many)."""
    path_params: tuple[str, ...]
    """`x-path`: params that are file system paths on the server's machine."""
    created_params: tuple[str, ...]
    """`x-creates`: path params naming a directory the call creates (it must not exist before)."""
    payload_params: Mapping[str, str]
    """Params carrying bytes, with their encoding (base85 or base64)."""
    payload_result: Mapping[str, str]
    """Result members carrying bytes, with their encoding."""

    @property
    def params_model_name(self) -> str:
        """The generated model of the params, by name (the definition's title)."""
        return self.params_ref.rsplit("/", 1)[1]

    @property
    def result_model_name(self) -> str:
        """The generated model of the result, by name."""
        return self.result_ref.rsplit("/", 1)[1]

    @property
    def params_model(self) -> type[BaseModel]:
        """The generated model of the params (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.params_model_name))

    @property
    def result_model(self) -> type[BaseModel]:
        """The generated model of the result (generated/models.py, imported on first use)."""
        return cast("type[BaseModel]", getattr(_models(), self.result_model_name))


@dataclass(frozen=True)
class RevisionEntry:
    """One protocol revision: its payload encoding, error semantics and methods."""

    version: int
    uri: str
    """The `$id` of the revision's file in schema/revisions/."""
    payload_encoding: str
    parse_error_reply: bool
    """A line that is not JSON gets a -32700 reply."""
    common_errors: tuple[str, ...]
    common_server_errors: tuple[str, ...]
    methods: Mapping[str, MethodEntry]

    @property
    def codec(self) -> PayloadCodec:
        """The codec of the revision's transport payloads."""
        return CODECS[self.payload_encoding]
