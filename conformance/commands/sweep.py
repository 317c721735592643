"""`kscheck sweep`: delete the stores earlier runs left in the sandbox account.

Goes through the aws target's gate (``KSCHECK_AWS_OPT_IN=1``, the account allow-list
``KSCHECK_AWS_ACCOUNT_ALLOWLIST``, checked with STS) and touches only stores whose names
carry a run prefix (``kscheck-<run id>-``): never the fixture store ``kscheck_fixture``,
never anyone else's store. Each is disconnected, waited for and deleted.

Examples::

    kscheck sweep --dry-run                 # list what would be deleted
    kscheck sweep --older-than 6h           # leave stores of a run that may still be going

Exit status: 0 when every store found was deleted (or listed, with --dry-run), 1 when one
is left (it holds keys, it did not settle) or AWS could not be reached, 2 for usage errors
and a closed gate.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from datetime import timedelta

from conformance.commands import checks_of_flags as flags
from conformance.session import UsageError, run_command
from conformance.targets.aws.account import AwsFenceError, verified_account
from conformance.targets.aws.clients import AwsClients
from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.aws.sender import PacedSender
from conformance.targets.aws.sweep import parse_age, sweep
from conformance.targets.base import TargetUnreachableError
from conformance.targets.boto import BotoTarget
from conformance.targets.timing import Timing


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    parser.add_argument(
        "--older-than",
        metavar="AGE",
        default=None,
        help="only stores created at least AGE ago (30m, 6h, 2d)",
    )
    parser.add_argument(
        "--region",
        default=None,
        help="AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=None,
        metavar="S",
        help="Describe poll interval while a store disconnects (default 12, digest §9)",
    )


def validate(args: argparse.Namespace) -> tuple[timedelta | None, str]:
    """The age limit and the Region, checked before anything is sent; UsageError names
    the flag and the rule."""
    older_than = None
    if args.older_than is not None:
        try:
            older_than = parse_age(args.older_than)
        except ValueError as error:
            raise UsageError(f"--older-than {error}") from None
    if args.poll_seconds is not None and not 0 < args.poll_seconds <= 600:
        raise UsageError(f"--poll-seconds {args.poll_seconds:g}: must be 0-600 seconds")
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return older_than, flags.region("--region", region or "us-east-1")


def execute(args: argparse.Namespace) -> int:
    """Sweep the account; returns the exit code."""
    return run_command(
        "sweep",
        lambda _signals: _sweep(args),
        usage_errors=(AwsFenceError,),
        unreachable=(TargetUnreachableError,),
    )


def _sweep(args: argparse.Namespace) -> int:
    older_than, region = validate(args)
    clients = AwsClients.for_region(region)
    try:
        account = verified_account(clients.sts, os.environ)
        sender = PacedSender(BotoTarget("aws", clients.kms), OperationPacer())
        timing = Timing.aws()
        if args.poll_seconds is not None:
            timing = dataclasses.replace(timing, poll_seconds=args.poll_seconds)
        lines = sweep(sender.call, timing, dry_run=args.dry_run, older_than=older_than)
    finally:
        clients.close()
    for line in lines:
        print(line)
    left = [line for line in lines if not line.done]
    what = "listed" if args.dry_run else "deleted"
    print(
        f"kscheck sweep: account {account}, {region}: {len(lines) - len(left)} {what}, "
        f"{len(left)} left"
    )
    return 1 if left else 0
