"""``kscheck emulator --world-out FILE [--world-env-out FILE]``: the emulator's world as a file.

The running scenario becomes a world file (docs/world.md) with a ``reset_path``, its secrets
replaced by environment variable names. The ``export`` lines that set those variables are
printed, or, with ``--world-env-out``, written to a file only its owner can read (mode 0600)
for scripts to source.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> configure(parser)
>>> parser.parse_args(["--world-out", "w.toml"]).world_out
PosixPath('w.toml')
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from conformance.emulator.wire import RESET_PATH
from conformance.session import UsageError
from conformance.targets.backends import Backends
from conformance.worldfile import export_lines, world_file_text

if TYPE_CHECKING:
    from conformance.emulator import RunningEmulator


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``--world-out`` and ``--world-env-out`` to `parser`."""
    parser.add_argument(
        "--world-out",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the emulator's world file (secrets as variable names; docs/world.md) "
        "and print the export lines that set them",
    )
    parser.add_argument(
        "--world-env-out",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --world-out: write the export lines to FILE (mode 0600) instead of printing",
    )


def validate(args: argparse.Namespace) -> None:
    """UsageError for an unusable destination, before anything starts."""
    if args.world_env_out is not None and args.world_out is None:
        raise UsageError("--world-env-out: needs --world-out")
    for flag, path in (("--world-out", args.world_out), ("--world-env-out", args.world_env_out)):
        if path is None:
            continue
        if path.is_dir():
            raise UsageError(f"{flag} {path}: is a directory")
        if not path.resolve().parent.is_dir():
            raise UsageError(f"{flag} {path}: no such directory {path.resolve().parent}")


def write(args: argparse.Namespace, emulator: RunningEmulator, out: TextIO) -> None:
    """Write the files `args` ask for; print the export lines or where they went."""
    if args.world_out is None:
        return
    backends = Backends.from_running_scenario(emulator.scenario, reset_path=RESET_PATH)
    written = world_file_text(backends)
    args.world_out.write_text(written.text, encoding="utf-8")
    exports = export_lines(written.environment)
    print(f"# world file: {args.world_out}", file=out, flush=True)
    if args.world_env_out is None:
        print(exports, end="", file=out, flush=True)
        return
    descriptor = os.open(args.world_env_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
        env_file.write(exports)
    print(f"# its secrets: set -a; . {args.world_env_out}", file=out, flush=True)
