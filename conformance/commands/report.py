"""`kscheck report`: the conformance matrix of several runs, and the published reports.

Examples::

    kscheck report matrix reports/published/emulator reports/published/moto \\
        -o reports/published/matrix.html          # one self-contained HTML page
    kscheck report matrix reports/runs/* -o matrix.md      # the same as Markdown
    kscheck report publish                        # re-run and regenerate reports/published/
    kscheck report publish --matrix-only          # rebuild only matrix.html and matrix.md

Each DIR of ``matrix`` is a run's report directory holding its ``results.json``; the output
format follows the suffix of ``-o`` (``.html`` or ``.md``).

Exit status: 0 done; 1 ``publish`` could not refresh a target; 2 bad input (the message
names the argument and the rule).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.commands.report_publish import PUBLISHED_DIR, publish, write_matrix
from conformance.report.matrix import MatrixInputError, load_matrix

FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``matrix`` and ``publish`` actions to `parser`."""
    actions = parser.add_subparsers(dest="report_action", metavar="ACTION")
    matrix = actions.add_parser(
        "matrix", help="requirements x runs, from the runs' results.json", description=__doc__
    )
    matrix.add_argument("dirs", nargs="+", metavar="DIR", help="a run's report directory")
    matrix.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="where to write the matrix: FILE.html (self-contained page) or FILE.md",
    )
    matrix.add_argument("--title", default="kscheck conformance matrix", help="page title")
    published = actions.add_parser(
        "publish",
        help="re-run the published targets and rebuild reports/published/ and its matrix",
        description=__doc__,
    )
    published.add_argument(
        "--target",
        dest="targets",
        action="append",
        default=None,
        metavar="T",
        help="a target to run and publish (repeatable; default emulator, moto, moto-server, "
        "and localstack when one is running)",
    )
    published.add_argument(
        "--dir",
        type=Path,
        default=PUBLISHED_DIR,
        help=f"the published tree (default {PUBLISHED_DIR})",
    )
    published.add_argument("--profile", default="default", help="Hypothesis profile of the runs")
    published.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    published.add_argument(
        "--matrix-only", action="store_true", help="run nothing; rebuild the matrix only"
    )


def output_format(path: Path) -> str:
    """``html`` or ``markdown`` from the suffix of `path`; MatrixInputError otherwise.

    >>> output_format(Path("reports/published/matrix.html"))
    'html'
    """
    chosen = FORMATS.get(path.suffix.lower())
    if chosen is None:
        raise MatrixInputError(f"-o {path}: the file name must end in .html or .md")
    return chosen


def _matrix(args: argparse.Namespace) -> int:
    try:
        output_format(args.output)
        matrix = load_matrix(args.dirs)
        write_matrix(matrix, args.output, title=args.title)
    except MatrixInputError as error:
        print(f"kscheck report matrix: {error}", file=sys.stderr)
        return 2
    print(f"matrix: {len(matrix.rows)} requirements x {len(matrix.columns)} runs -> {args.output}")
    return 0


def execute(args: argparse.Namespace) -> int:
    """Run the chosen action; returns the exit code."""
    if args.report_action == "matrix":
        return _matrix(args)
    if args.report_action == "publish":
        return publish(
            args.dir,
            targets=args.targets,
            profile=args.profile,
            seed=args.seed,
            matrix_only=args.matrix_only,
        )
    print("kscheck report: choose an action: matrix or publish (see --help)", file=sys.stderr)
    return 2
