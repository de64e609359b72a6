"""The server process: starts within the deadline, does not wait on stdin, exits at end of requests, leaves no child behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from microtvm_project_api.conformance.check import CheckBlocked, CheckFailed, CheckSkipped, OptionMissing, check, must
from microtvm_project_api.conformance.context import Context
from microtvm_project_api.conformance.session import Session, stderr_lines
from microtvm_project_api.protocol.launch import group_members, processes_outside_group

LAUNCH = "docs/overview.md#launch-convention"


@check("process.starts", "the server starts and answers server_info_query within the deadline",
       must("a server launched with --read-fd/--write-fd answers its first request before the caller's deadline", LAUNCH),
       owns=("server_info_query",))
def starts(ctx: Context) -> None:
    ctx.query_info(ctx.start(), strict=False)


@check("process.ignores-stdin", "the server does not read requests or anything else from stdin",
       must("the server reads requests from the --read-fd pipe; stdin is not part of the protocol", LAUNCH))
def ignores_stdin(ctx: Context) -> None:
    read_end, write_end = os.pipe()
    try:
        session = ctx.start(stdin=read_end)
        os.close(read_end)
        read_end = -1
        ctx.query_info(session, strict=False)
    finally:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)


@check("process.exits-on-eof", "the server exits by itself when its request pipe reaches end of file",
       must("the server serves until the request pipe reaches end of file, then exits", LAUNCH))
def exits_on_eof(ctx: Context) -> None:
    _serve_until_eof(ctx, ctx.settings.project_dir, None)


@check("process.no-children-left", "nothing the server started survives its exit",
       must("a server that exits leaves no process behind: its process group is empty and no process that left the group"
            " (setsid) still holds its pipes", LAUNCH))
def no_children_left(ctx: Context) -> None:
    session = _serve_until_eof(ctx, ctx.settings.project_dir, None)
    _nothing_left(session, "after serving server_info_query")
    try:
        project = ctx.generated_project()
        info = ctx.device_info()
        ctx.require("open_transport", info)
        ctx.options_for("open_transport", info)
        ctx.prepare_device()
        session = _serve_until_eof(ctx, project, info)
    except OptionMissing as exc:
        ctx.missing_option = exc  # the transport half is not judged: the run is partial
        return
    except (CheckSkipped, CheckBlocked):
        return
    _nothing_left(session, "after its request pipe ended with the transport open")


def _serve_until_eof(ctx: Context, project: Path, transport_info: dict[str, Any] | None) -> Session:
    """A fresh server of `project` that answers server_info_query (and opens its transport given the project's info), then gets EOF."""
    session = ctx.start(project)
    ctx.query_info(session, strict=False)
    if transport_info is not None:
        reply = session.call("open_transport", {"options": ctx.options_for("open_transport", transport_info)})
        ctx.excuse_unflashed(reply, transport_info)
        if reply.error is not None:
            raise reply.failed("open_transport failed")
    _end_requests(ctx, session)
    return session


def _end_requests(ctx: Context, session: Session) -> None:
    session.process.close_requests()
    try:
        code = session.process.process.wait(timeout=ctx.settings.timeout)
    except subprocess.TimeoutExpired:
        session.kill()
        raise CheckFailed(f"the server (pid {session.pid}) is still running {ctx.settings.timeout:g} s after its request"
                          " pipe reached end of file") from None
    session.alive = False
    if code != 0:
        raise CheckFailed(f"the server exited with status {code} at end of file on its request pipe (expected 0)"
                          f"{stderr_lines(session.process.stderr_tail)}")


def _nothing_left(session: Session, when: str) -> None:
    """Fail naming what outlived the server: its group's members, and processes outside the group holding its pipes
    (closing the session then kills both)."""
    members = group_members(session.pid)
    escaped = processes_outside_group(session.process.pipe_holders(), session.pid)
    left = ([f"its process group {session.pid} still holds: {'; '.join(members)}"] if members else []) + \
           ([f"processes that left its group still hold its pipes: {'; '.join(escaped)}"] if escaped else [])
    if left:
        raise CheckFailed(f"{when}, the server exited but {', and '.join(left)}")
