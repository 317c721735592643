"""The ``kscheck`` command line: a thin layer over the subcommand modules.

>>> from conformance.cli import build_parser
>>> args = build_parser().parse_args(["run", "--target", "moto"])
>>> args.command, args.target, args.profile
('run', 'moto', 'default')
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from conformance import __version__
from conformance.targets.base import TargetUnreachableError

# subcommand name -> (module under conformance.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "check a KMS target's custom key store API against the reference model"),
    "certify": ("certify", "certify an XKS proxy against the XKS proxy API spec"),
    "proxy": ("proxy", "run the fake TLS XKS proxy until Ctrl-C"),
    "emulator": ("emulator", "serve the reference KMS emulator until Ctrl-C"),
    "requirements": ("requirements", "list the requirement registry"),
    "sweep": ("sweep", "delete the stores earlier aws runs left (run-prefixed names only)"),
    "rehearse": ("rehearse", "rehearse the nightly aws run against kscheck emulator + moto STS"),
    "report": ("report", "build the conformance matrix of runs; regenerate reports/published"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand configured."""
    parser = argparse.ArgumentParser(
        prog="kscheck",
        description=(
            "Property-based conformance suite for the AWS KMS custom key store API "
            "and for External Key Store (XKS) proxies."
        ),
    )
    parser.add_argument("--version", action="version", version=f"kscheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(f"conformance.commands.{module_name}")
        sub = subparsers.add_parser(
            name,
            help=help_text,
            description=module.__doc__,
            # the module docstrings lay their examples out line by line: keep them so
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(sub)
        sub.set_defaults(execute=module.execute)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kscheck`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "execute", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.execute(args))
    except TargetUnreachableError as error:  # e.g. LocalStack not running: one line, exit 1
        print(f"kscheck {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kscheck: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last net: a user never gets a traceback
        if os.environ.get("KSCHECK_DEBUG"):
            raise
        print(
            f"kscheck {args.command}: internal error: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''} "
            "(a kscheck bug; KSCHECK_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
