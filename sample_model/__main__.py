"""`python -m microtvm_project_api.sample_model ARCHIVE`: write the sample Model Library Format archive to ARCHIVE."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from microtvm_project_api.sample_model import standalone_crt_dir, write_mlf_archive


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microtvm_project_api.sample_model", description=__doc__.split(": ", 1)[1])
    parser.add_argument("archive", metavar="ARCHIVE", help="the tar file to write (replaced if it exists)")
    args = parser.parse_args(argv)
    path = write_mlf_archive(args.archive)
    print(f"{path}: the sample model (int8 dense 16 -> 8 -> 4); pass --standalone-crt-dir {standalone_crt_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
