"""`microtvm-project record` and `microtvm-project replay`: sessions as files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

EXIT_SAME, EXIT_DIVERGED, EXIT_COULD_NOT_RUN = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add the `record` and `replay` commands."""
    record = subparsers.add_parser(
        "record", help="record every session of any client with a platform, into a transcript",
        description="Install a launch script in DIR that runs the real server behind a relay writing every line both "
                    "ways to a transcript (schema/transcript.json). Any client that follows the launch convention "
                    "(TVM, tvmc, a script) is recorded unchanged; projects generated meanwhile are recorded too. "
                    "`record --off DIR` restores DIR exactly.",
        epilog="exit status: 0 done, 1 DIR was not restored exactly, 2 usage or DIR unusable")
    record.add_argument("directory", type=Path, metavar="DIR", help="a template or project directory")
    record.add_argument("--off", action="store_true", help="stop recording: put back what was there")
    record.add_argument("--output", type=Path, metavar="FILE",
                        help="the transcript to write (default: DIRNAME-session-TIME.jsonl in the current directory); must not exist")
    record.add_argument("--max-bytes", type=int, metavar="N", help="stop recording when the transcript would pass N bytes")
    record.add_argument("--payload-digest", action="store_true",
                        help="keep long transport payloads only as their length and sha256")
    record.add_argument("--python", metavar="PATH", default=sys.executable,
                        help="the interpreter of the relay and of a server without launch script (default: this one)")
    record.add_argument("--client", metavar="NAME", help="the recorded client's name, for the header")
    record.add_argument("--client-version", metavar="VERSION", help="the recorded client's version, for the header")
    record.set_defaults(handler=_record)

    replay = subparsers.add_parser(
        "replay", help="send a transcript's requests to DIR's server and report the first reply that differs",
        description="Start DIR's server, send the recorded requests in order (a generated project's launch goes to a "
                    "fresh project directory) and compare each reply with the recorded one: tracebacks, paths, "
                    "temporary names and timing are ignored; error codes, result shapes, option metadata and payload "
                    "bytes must match.",
        epilog="exit status: 0 every reply equivalent, 1 a divergence (the first is shown), 2 could not run")
    replay.add_argument("file", type=Path, metavar="FILE", help="a transcript (schema/transcript.json)")
    replay.add_argument("directory", type=Path, metavar="DIR", help="the platform to replay against")
    replay.add_argument("--until", type=int, metavar="N", help="stop after request N (1-based)")
    replay.add_argument("--report-json", type=Path, metavar="PATH", help="write the outcome as JSON")
    replay.add_argument("--mlf", type=Path, metavar="PATH", help="the Model Library Format archive for generate_project "
                                                                  "(default: the recorded one, when it still exists)")
    replay.add_argument("--standalone-crt-dir", type=Path, metavar="PATH",
                        help="the standalone CRT for generate_project (default: the recorded one, when it still exists)")
    replay.add_argument("--python", metavar="PATH", help="the interpreter of a server without launch script")
    replay.add_argument("--timeout", type=float, default=600.0, metavar="SEC", help="the longest wait for one reply (default 600)")
    replay.set_defaults(handler=_replay)


def _record(args: argparse.Namespace) -> int:
    from microtvm_project_api.sessions.recording import RecordError, Recording, turn_off, turn_on

    try:
        if args.off:
            changed = turn_off(args.directory)
            if not changed:
                print(f"record: recording is off in {args.directory}; it is as it was before recording")
                return 0
            print(f"record: recording is off in {args.directory}; what recording changed is undone")
            print(f"record: the recorded sessions themselves changed, in {args.directory}: {', '.join(changed[:10])}"
                  f"{' ...' if len(changed) > 10 else ''}", file=sys.stderr)
            return 0
        output = args.output or Path(f"{args.directory.resolve().name}-session-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.jsonl")
        written = turn_on(args.directory, Recording(output, args.max_bytes, args.payload_digest, args.python, args.client,
                                                    args.client_version))
    except RecordError as exc:
        print(f"record: {exc}", file=sys.stderr)
        return 1 if args.off and "differ from before" in str(exc) else EXIT_COULD_NOT_RUN
    print(f"record: recording every session with {args.directory} into {written}; "
          f"`microtvm-project record --off {args.directory}` stops")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from microtvm_project_api.sessions.replay import ReplayError, ReplaySettings, replay_file

    if args.report_json is not None:
        try:
            args.report_json.open("a").close()
        except OSError as exc:
            print(f"replay: --report-json {args.report_json}: {exc.strerror}", file=sys.stderr)
            return EXIT_COULD_NOT_RUN
    settings = ReplaySettings(args.until, args.mlf, args.standalone_crt_dir, args.python, args.timeout)
    try:
        outcome = replay_file(args.file, args.directory, settings)
    except ReplayError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        code = EXIT_COULD_NOT_RUN
        report: dict[str, Any] = {"transcript": str(args.file), "directory": str(args.directory), "outcome": "could not run",
                                  "error": str(exc)}
    else:
        print(outcome.render())
        code = EXIT_SAME if outcome.divergence is None else EXIT_DIVERGED
        report = outcome.as_json()
    if args.report_json is not None:
        args.report_json.write_text(json.dumps(report, indent=2) + "\n")
    return code
