"""`kscheck requirements`: list the requirement registry, as a table or as JSON.

Example: ``kscheck requirements --prefix XKS-AUTH --json``
"""

from __future__ import annotations

import argparse
import json
import sys

from conformance.spec.requirements import registry


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument("--prefix", default="", help="only IDs starting with this (e.g. CKS-VPC)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def validate(args: argparse.Namespace) -> None:
    """Nothing to check before listing: an unmatched --prefix is found while listing."""


def execute(args: argparse.Namespace) -> int:
    """Print the matching requirements; returns 0, or 2 (a usage error) when none match."""
    chosen = [r for rid, r in sorted(registry().items()) if rid.startswith(args.prefix)]
    if not chosen:
        areas = sorted({"-".join(rid.split("-")[:2]) for rid in registry()})
        print(
            f"kscheck requirements: --prefix {args.prefix!r}: no requirement ID starts with it "
            f"(areas: {', '.join(areas)})",
            file=sys.stderr,
        )
        return 2
    if args.json:
        rows = [
            {
                "id": r.id,
                "level": r.level.value,
                "source": r.source,
                "summary": r.summary,
                "members": list(r.members),
                "open_questions": list(r.open_questions),
            }
            for r in chosen
        ]
        print(json.dumps(rows, indent=2))
    else:
        for r in chosen:
            print(f"{r.id:<16} {r.level.value:<6} {r.summary}")
    return 0 if chosen else 1
