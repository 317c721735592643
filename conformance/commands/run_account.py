"""The flags of ``kscheck run`` about the account and its pace: the store quota, and how a
slow, eventually consistent target (real KMS) is polled.

``--store-quota N`` is the account's custom key store quota (10 unless AWS raised it; OQ-32);
``--poll-seconds``, ``--visibility-seconds`` and ``--settle-seconds`` tune the aws target's
timing (defaults: digest §9, :meth:`~conformance.targets.timing.Timing.aws`) so that a
rehearsal against ``kscheck emulator --aws-like`` takes seconds, not hours.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> configure(parser)
>>> timing_of(parser.parse_args(["--poll-seconds", "0.5"])).poll_seconds
0.5
>>> timing_of(parser.parse_args([])) is None
True
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from conformance.model import STORE_QUOTA
from conformance.session import UsageError
from conformance.targets.aws.fixture import FixtureConfig
from conformance.targets.timing import Timing

#: The most stores one check (other than the quota check, which fills what is free) holds at
#: once; an account with fewer free is refused before the first Create.
STORES_NEEDED = 5


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the account and timing flags to `parser`."""
    group = parser.add_argument_group("account and timing (real AWS and its rehearsal)")
    group.add_argument(
        "--store-quota",
        type=int,
        default=STORE_QUOTA,
        metavar="N",
        help=f"the account's custom key store quota (default {STORE_QUOTA})",
    )
    group.add_argument(
        "--poll-seconds", type=float, default=None, metavar="S", help="Describe poll interval"
    )
    group.add_argument(
        "--visibility-seconds",
        type=float,
        default=None,
        metavar="S",
        help="how long a change may take to become visible (re-read window)",
    )
    group.add_argument(
        "--settle-seconds",
        type=float,
        default=None,
        metavar="S",
        help="how long CONNECTING/DISCONNECTING may last before a check gives up",
    )


def validate(args: argparse.Namespace) -> None:
    """UsageError names the flag and the rule."""
    if not 1 <= args.store_quota <= 1000:
        raise UsageError(f"--store-quota {args.store_quota}: must be 1-1000")
    for flag in ("poll_seconds", "visibility_seconds", "settle_seconds"):
        value = getattr(args, flag)
        if value is not None and not 0 <= value <= 7200:
            raise UsageError(f"--{flag.replace('_', '-')} {value:g}: must be 0-7200 seconds")
    timed = any(getattr(args, f) is not None for f in ("poll_seconds", "visibility_seconds"))
    if (timed or args.settle_seconds is not None) and args.target != "aws":
        raise UsageError("--poll/--visibility/--settle-seconds: apply only to --target aws")


def timing_of(args: argparse.Namespace) -> Timing | None:
    """The aws target's timing: :meth:`Timing.aws` with the flags given (None: no flag)."""
    given: dict[str, Any] = {}
    if args.poll_seconds is not None:
        given["poll_seconds"] = args.poll_seconds
    if args.visibility_seconds is not None:
        given["visibility_seconds"] = args.visibility_seconds
    if args.settle_seconds is not None:
        given.update(
            connect_deadline_xks=args.settle_seconds,
            connect_deadline_hsm=args.settle_seconds,
            disconnect_deadline=args.settle_seconds,
        )
    return dataclasses.replace(Timing.aws(), **given) if given else None


def prepare_account(prepared: Any, args: argparse.Namespace) -> None:
    """Give the checks the quota; on a fenced account, refuse before the first Create when
    fewer than :data:`STORES_NEEDED` stores are free (the error names the numbers), then
    find or make the fixture store (keys live only there) on the world's fixture place."""
    prepared.store_quota = args.store_quota
    check = getattr(prepared.target, "check_free_quota", None)
    if check is not None:
        check(STORES_NEEDED, args.store_quota)
    ensure = getattr(prepared.target, "ensure_fixture", None)
    place = prepared.backends.fixture_place() if prepared.backends is not None else None
    if ensure is not None and place is not None and place.credentials:
        ensure(FixtureConfig.from_proxy(place.as_proxy()))
