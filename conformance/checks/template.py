"""Template flow: generate a project, refuse an existing directory, start the generated server, build, build again, flash.

Also: every method a revision 2 server declares unsupported answers MethodNotSupportedError.
"""

from __future__ import annotations

from microtvm_project_api.conformance import expect
from microtvm_project_api.conformance.check import CheckBlocked, CheckFailed, CheckSkipped, Need, check, must
from microtvm_project_api.conformance.checks.server_info import check_mlf_path
from microtvm_project_api.conformance.context import Context
from microtvm_project_api.conformance.params import valid_params
from microtvm_project_api.generated.methods import REVISIONS
from microtvm_project_api.protocol.launch import SERVER_FILE

GENERATE = "methods/generate_project.json"


@check("template.generate-project", "generate_project creates a fresh project directory holding the server",
       must("the server creates project_dir and copies its microtvm_api_server.py into it", GENERATE), needs=(Need.TEMPLATE,),
       owns=("generate_project",))
def generate_project(ctx: Context) -> None:
    ctx.require("generate_project")
    try:
        project = ctx.generated_project()
    except CheckBlocked:
        if ctx.generation_error:
            raise ctx.generation_error from None
        raise
    if not (project / SERVER_FILE).is_file():
        raise CheckFailed(f"generate_project returned, but {project / SERVER_FILE} does not exist")


@check("template.generate-refuses-existing", "generate_project into an existing directory fails and leaves it untouched",
       must("project_dir must not exist yet: if it exists the call fails with a -32000 error and leaves it untouched", GENERATE),
       needs=(Need.TEMPLATE,))
def generate_refuses_existing(ctx: Context) -> None:
    ctx.require("generate_project")
    target = ctx.new_path("existing")
    target.mkdir()
    (target / "keep.txt").write_text("the kit's file\n")
    reply = ctx.session().call("generate_project", ctx.generate_params(target))
    expect.error(reply, (expect.SERVER_ERROR,), "project_dir already exists")
    left = sorted(p.name for p in target.iterdir())
    if left != ["keep.txt"] or (target / "keep.txt").read_text() != "the kit's file\n":
        raise reply.failed(f"the existing directory was changed: it now holds {left}")


@check("template.generated-server-starts", "the generated project's own server starts and reports is_template false and its archive",
       must("a server launched in project_dir reports is_template false and the path of an MLF archive that exists", GENERATE),
       needs=(Need.TEMPLATE,))
def generated_server_starts(ctx: Context) -> None:
    project = ctx.generated_project()
    info = ctx.query_info(ctx.start(project))
    if info.get("is_template") is not False:
        raise CheckFailed(f"the server in {project} reports is_template {info.get('is_template')!r}")
    check_mlf_path(ctx, info, project)


@check("template.build", "the first build of a freshly generated project succeeds",
       must("build makes the project ready to flash and returns null", "methods/build.json"), needs=(Need.GENERATED,), owns=("build",))
def build(ctx: Context) -> None:
    expect.result(ctx.device_call("build", 1, judge=True), "the first build of a freshly generated project")


@check("template.build-again", "a second build in the same project succeeds",
       must("building again in the same project works", "methods/build.json"), needs=(Need.GENERATED,))
def build_again(ctx: Context) -> None:
    ctx.device_ready("build", 1)
    expect.result(ctx.device_call("build", 2, judge=True), "a second build in the same project, after the first succeeded")


@check("template.flash", "flash succeeds after build",
       must("flash programs the attached device with the built image and returns null", "methods/flash.json"), needs=(Need.GENERATED,),
       owns=("flash",))
def flash(ctx: Context) -> None:
    ctx.device_ready("build", 1)
    expect.result(ctx.device_call("flash", 1, judge=True), "flash after a build that succeeded")


@check("template.unsupported-methods", "every method missing from supported_methods answers MethodNotSupportedError",
       must("any method not in supported_methods answers MethodNotSupportedError", "revisions/v2.json#/x-common-server-errors"),
       revisions=(2,))
def unsupported_methods(ctx: Context) -> None:
    servers = [(ctx.settings.project_dir, ctx.info)]
    try:
        if ctx.is_template:
            servers.append((ctx.generated_project(), ctx.device_info()))
    except (CheckSkipped, CheckBlocked):
        pass
    checked = 0
    for project, info in servers:
        where = "PROJECT_DIR" if project == ctx.settings.project_dir else "the generated project"
        for method in REVISIONS[ctx.revision].methods:
            if method in info.get("supported_methods", ()):
                continue
            checked += 1
            with ctx.case(f"{method} in {where}"):
                session = ctx.session(project)
                expect.named(session.call(method, valid_params(ctx, method)), ("MethodNotSupportedError",),
                             f"{method} is not in supported_methods of {project}")
                expect.still_serving(session, f"the unsupported method {method}")
    if not checked:
        raise CheckSkipped("the server declares every method supported")
