"""`kscheck proxy`: not built yet."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""


def execute(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit code."""
    print("kscheck proxy: not built yet", file=sys.stderr)
    return 2
