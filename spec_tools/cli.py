"""`microtvm-project spec ...`: regenerate or check docs/, diff two specs, check a recorded session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from microtvm_project_api.cli.terminal import print_error
from microtvm_project_api.protocol.registry import SchemaReferenceError, SchemaRegistry, default_registry

FORMATS = ("text", "markdown", "json")
EXIT_BAD_INPUT = 2
"""Exit status of every spec tool given input it cannot use (a file that is not JSON, a spec it cannot read)."""


def register(subparsers: Any) -> None:
    """Add the `spec` command and its subcommands."""
    spec = subparsers.add_parser("spec", help="spec review tools: reference docs, diff, transcript check")
    commands = spec.add_subparsers(dest="spec_command", metavar="SPEC_COMMAND", required=True)

    docs = commands.add_parser("docs", help="write docs/reference/vN.md and docs/openrpc/vN.json from the spec")
    docs.add_argument("--docs-dir", type=Path, default=Path("docs"), help="the docs folder (default: ./docs)")
    docs.add_argument("--schema", help="a schema directory (default: the installed spec)")
    docs.add_argument("--check", action="store_true", help="write nothing; print a diff and fail if docs/ is stale")
    docs.set_defaults(handler=_docs)

    diff = commands.add_parser("diff", help="classify every change between two specs, and say why each break breaks",
                               epilog="exit status: 0 no unaccepted breaking change outside a new revision, 1 there is one, "
                                      "2 usage or a spec it cannot read (one line: not JSON, no $id, a $ref cycle, "
                                      "a $ref to a URL: only local references are resolved)")
    diff.add_argument("old", nargs="?", help="schema directory or git revision of schema/ (e.g. HEAD~1)")
    diff.add_argument("new", nargs="?", help="schema directory or git revision (default: the working tree's schema/)")
    diff.add_argument("--revisions", nargs=2, type=int, metavar=("A", "B"),
                      help="compare revision A with revision B of one spec (the one given, else the installed spec)")
    diff.add_argument("--format", choices=FORMATS, default="text",
                      help="text (default), markdown (a pull-request comment) or json")
    diff.add_argument("--ignore", metavar="FILE", type=Path,
                      help='accepted breaking changes: a JSON array of {"where", "what", "reason"} (where and what as --format json prints them)')
    diff.set_defaults(handler=_diff)

    transcript = commands.add_parser("check-transcript", help="check a recorded session (JSON Lines) against the spec")
    transcript.add_argument("file", type=Path)
    transcript.add_argument("--protocol-version", type=int, help="the revision (default: from the server_info_query reply)")
    transcript.add_argument("--schema", help="a schema directory (default: the installed spec)")
    transcript.set_defaults(handler=_check_transcript)


def _registry(schema: str | None) -> SchemaRegistry:
    """The spec in the schema directory `schema` (checked: SourceError), else the installed one."""
    from microtvm_project_api.spec_tools.sources import load_directory

    return load_directory(Path(schema)) if schema else default_registry()


def _docs(args: argparse.Namespace) -> int:
    from microtvm_project_api.spec_tools import docs_files
    from microtvm_project_api.spec_tools.sources import SourceError

    try:
        registry = _registry(args.schema)
        written = [] if args.check else docs_files.write(args.docs_dir, registry)
        diff = docs_files.stale_diff(args.docs_dir, registry) if args.check else ""
    except SourceError as exc:
        print_error(f"spec docs: {exc}")
        return EXIT_BAD_INPUT
    except KeyError as exc:  # a definition or a member the pages are written from (ErrorCode, a description...)
        what = exc.args[0] if exc.args and " " in str(exc.args[0]) else f"a member {exc} where the pages read one"
        print_error(f"spec docs: {args.schema or 'the installed spec'}: cannot write the reference pages: {what}")
        return EXIT_BAD_INPUT
    except OSError as exc:
        print_error(f"spec docs: {exc.filename or args.docs_dir}: {exc.strerror}")
        return EXIT_BAD_INPUT
    for relative in written:
        print(f"wrote {args.docs_dir / relative}")
    if not diff:
        return 0
    sys.stdout.write(diff)
    print("\ndocs/ is stale: run `make docs` and commit the result.", file=sys.stderr)
    return 1


def _diff(args: argparse.Namespace) -> int:
    from microtvm_project_api.spec_tools import diff_ignore
    from microtvm_project_api.spec_tools.diff import SpecTooLargeError, diff_revisions, diff_specs
    from microtvm_project_api.spec_tools.sources import SourceError, load_source

    try:
        accepted = diff_ignore.load(args.ignore) if args.ignore else []
        if args.revisions:
            source = args.new or args.old
            registry = load_source(source) if source else default_registry()
            for version in args.revisions:
                registry.revision(version)
            report = diff_revisions(registry, *args.revisions)
        else:
            if args.old is None:
                print("spec diff: give OLD (and NEW), or --revisions A B", file=sys.stderr)
                return EXIT_BAD_INPUT
            new = args.new or "schema"
            report = diff_specs(load_source(args.old), load_source(new), args.old, new)
    except (SourceError, SchemaReferenceError, SpecTooLargeError, KeyError, diff_ignore.IgnoreFileError) as exc:
        print_error(f"spec diff: {exc.args[0] if exc.args else exc}")
        return EXIT_BAD_INPUT
    report.accept(accepted)
    print(report.render(args.format))
    return report.exit_code


def _check_transcript(args: argparse.Namespace) -> int:
    from microtvm_project_api.cli.extras import require
    from microtvm_project_api.protocol.transcript import TranscriptFormatError
    from microtvm_project_api.spec_tools.sources import SourceError
    from microtvm_project_api.spec_tools.transcript_check import check_transcript

    require("spec", "microtvm-project spec check-transcript")

    try:
        registry = _registry(args.schema)
    except SourceError as exc:
        print_error(f"check-transcript: {exc}")
        return EXIT_BAD_INPUT
    if args.protocol_version is not None and args.protocol_version not in registry.revisions:
        print(f"check-transcript: protocol revision {args.protocol_version} is not defined; "
              f"known: {sorted(registry.revisions)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with args.file.open(encoding="utf-8", errors="replace") as stream:
            report = check_transcript(stream, registry, args.protocol_version)
    except OSError as exc:
        print_error(f"check-transcript: {args.file}: {exc.strerror}")
        return EXIT_BAD_INPUT
    except TranscriptFormatError as exc:
        print_error(f"check-transcript: {args.file}:{exc.line}: not a transcript (schema/transcript.json): {exc.reason}")
        return EXIT_BAD_INPUT
    for violation in report.violations:
        print(f"{args.file}:{violation.line}: {violation.message}")
    revisions = ", ".join(map(str, report.revisions))
    print(f"{args.file}: {report.records} records, revision{'s' if len(report.revisions) > 1 else ''} {revisions}, "
          f"{len(report.violations)} violations")
    return 1 if report.violations else 0
