"""The flags of ``kscheck emulator`` that dress it as AWS for a rehearsal of the nightly run.

``--aws-like`` (transitions last 3 s, reads lag 1 s, a foreign store exists), or each habit
alone: ``--transition-seconds``, ``--lag-seconds``, ``--foreign-store``; ``--account-id``
(the account STS names, e.g. moto's); ``--request-log FILE`` (every request served, as JSON
lines, for an audit from the emulator's side).

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> configure(parser)
>>> sorted(start_options(parser.parse_args(["--aws-like"])))
['foreign_store', 'request_log', 'scenario', 'timing']
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import Any

from conformance.emulator.aws_like import AWS_LIKE, EmulatorTiming
from conformance.emulator.scenario import Scenario
from conformance.session import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the AWS-like flags to `parser`."""
    group = parser.add_argument_group("AWS-like behaviour (rehearsing --target aws)")
    group.add_argument(
        "--aws-like",
        action="store_true",
        help="behave like AWS: CONNECTING/DISCONNECTING last 3 s, reads lag 1 s, a foreign "
        "store exists",
    )
    group.add_argument("--transition-seconds", type=float, default=None, metavar="S")
    group.add_argument("--lag-seconds", type=float, default=None, metavar="S")
    group.add_argument(
        "--foreign-store", action="store_true", help="a store another team made before the run"
    )
    group.add_argument(
        "--account-id", default=None, metavar="ID", help="the caller's 12-digit account"
    )
    group.add_argument(
        "--request-log", type=Path, default=None, metavar="FILE", help="append requests (JSONL)"
    )
    group.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="HOST=URL",
        help="reach XksProxyUriEndpoint https://HOST at the loopback URL (e.g. a separately "
        "started kscheck proxy rig; repeatable; needs --route-ca)",
    )
    group.add_argument(
        "--route-ca", type=Path, default=None, metavar="FILE", help="CA bundle of --route"
    )


def timing_of(args: argparse.Namespace) -> EmulatorTiming:
    """The timing the flags ask for (UsageError names the flag)."""
    base = AWS_LIKE if args.aws_like else EmulatorTiming()
    transition = (
        base.transition_seconds if args.transition_seconds is None else args.transition_seconds
    )
    lag = base.visibility_lag_seconds if args.lag_seconds is None else args.lag_seconds
    for flag, value in (("--transition-seconds", transition), ("--lag-seconds", lag)):
        if not 0 <= value <= 3600:
            raise UsageError(f"{flag} {value:g}: must be between 0 and 3600 seconds")
    return EmulatorTiming(transition, lag)


def validate(args: argparse.Namespace) -> None:
    """Check the AWS-like flags before anything starts."""
    timing_of(args)
    if args.account_id is not None and re.fullmatch(r"[0-9]{12}", args.account_id) is None:
        raise UsageError(f"--account-id {args.account_id!r}: must be 12 digits")
    log = args.request_log
    if log is not None and not log.parent.is_dir():
        raise UsageError(f"--request-log {log}: directory {log.parent} does not exist")
    routes_of(args)


def routes_of(args: argparse.Namespace) -> tuple[tuple[str, str, str], ...]:
    """The ``--route`` flags as (host, URL, CA bundle); UsageError names the flag."""
    if args.route and (args.route_ca is None or not args.route_ca.is_file()):
        raise UsageError(f"--route-ca {args.route_ca}: --route needs a readable CA bundle file")
    routes = []
    for given in args.route:
        host, _, url = given.partition("=")
        if re.fullmatch(r"[a-z0-9.-]+", host) is None or not url.startswith("https://"):
            raise UsageError(f"--route {given!r}: must be HOST=https://127.0.0.1:PORT")
        routes.append((host, url.rstrip("/"), str(args.route_ca)))
    return tuple(routes)


def start_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`conformance.emulator.start_emulator`."""
    scenario = Scenario.from_environment()
    if args.account_id is not None:
        scenario = dataclasses.replace(scenario, account_id=args.account_id)
    if args.route:
        scenario = dataclasses.replace(scenario, routes=routes_of(args))
    return {
        "scenario": scenario,
        "timing": timing_of(args),
        "foreign_store": bool(args.aws_like or args.foreign_store),
        "request_log": args.request_log,
    }
