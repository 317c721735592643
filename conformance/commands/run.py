"""`kscheck run`: check a KMS target's custom key store API against the reference model.

Examples::

    kscheck run                                  # the embedded emulator + fake proxies
    kscheck run --target moto-server             # moto's server on loopback
    kscheck run --target http://127.0.0.1:4566   # any KMS-compatible endpoint
    kscheck run --target http://127.0.0.1:4599 --world world.toml   # with its backends
    kscheck run --emulator-fault delete_ignores_state   # watch the suite catch a defect

Exit status: 0 when no MUST requirement failed and something was verified, 1 when one
failed (or nothing was verified, or the target is unreachable or was lost), 2 for usage
errors, 130/143 when interrupted by SIGINT/SIGTERM (never a green verdict).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.commands import checks_of_flags as flags
from conformance.commands import run_account
from conformance.commands.run_report import build_record, describe_target, secrets_of
from conformance.emulator.faults import (
    EMULATOR_FAULTS,
    UnknownEmulatorFaultError,
    validate_emulator_faults,
)
from conformance.model import STORE_QUOTA
from conformance.profiles import PROFILES
from conformance.pytest_plugin import PREPARED_TARGET_KEY
from conformance.report.expectations import Expectations, ExpectationsError, load_expectations
from conformance.report.finish import decide, finish
from conformance.report.redaction import Redactor
from conformance.session import (
    SessionRequest,
    SessionResult,
    UsageError,
    interrupted_before_checks,
    prepare_report_dir,
    run_checks,
    run_command,
)
from conformance.targets.aws import AwsFenceError
from conformance.targets.backends import Backends
from conformance.targets.base import TargetUnreachableError
from conformance.targets.factory import (
    TARGET_CHOICES,
    PreparedTarget,
    UnknownTargetError,
    prepare_target,
)
from conformance.targets.preflight import http_preflight
from conformance.worldfile import WorldFileError, load_world_file


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument(
        "--target",
        default="emulator",
        help=f"what to check: {', '.join(TARGET_CHOICES)} (default: emulator)",
    )
    parser.add_argument("--region", default="us-east-1", help="AWS Region (default us-east-1)")
    parser.add_argument(
        "--emulator-fault",
        metavar="NAME",
        action="append",
        default=[],
        help="switch on an emulator defect (repeatable); see --list-faults",
    )
    parser.add_argument("--list-faults", action="store_true", help="list emulator faults")
    parser.add_argument(
        "--profile", default="default", choices=sorted(PROFILES), help="Hypothesis profile"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="Hypothesis seed (default: a fresh one, printed)"
    )
    parser.add_argument(
        "--no-shrink",
        action="store_true",
        help="report the first failing example as found (faster; not minimal)",
    )
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help="where results.json, junit.xml and summary.md go (default reports/runs/<time>/)",
    )
    parser.add_argument(
        "--expectations",
        type=Path,
        default=None,
        metavar="TOML",
        help="known deviations of the target ([deviations] ID = reason): listed failures do "
        "not fail the run; listed requirements that pass are reported",
    )
    parser.add_argument(
        "--world",
        type=Path,
        action="append",
        default=[],
        metavar="TOML",
        help="what the target can reach (proxies, VPC services, clusters; docs/world.md); "
        "secrets come from the environment variables it names; repeatable (joined in "
        "order: the first file's places are used first). Not for --target emulator",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="pytest's verbose output")
    run_account.configure(parser)


def reproduce_line(args: argparse.Namespace) -> str:
    """The command that repeats this run."""
    parts = ["kscheck run", f"--target {args.target}", f"--profile {args.profile}"]
    parts += [f"--emulator-fault {name}" for name in args.emulator_fault]
    parts += [f"--world {path}" for path in args.world]
    if args.store_quota != STORE_QUOTA:
        parts.append(f"--store-quota {args.store_quota}")
    return " ".join(parts)


def load_backends(args: argparse.Namespace) -> Backends | None:
    """The backends of ``--world`` (None without it); UsageError names the file and the key."""
    if not args.world:
        return None
    if args.target == "emulator":
        raise UsageError(
            "--world: the emulator target has its own world; to check a separately started "
            "`kscheck emulator --world-out FILE`, give its URL as --target"
        )
    try:
        loaded = [load_world_file(path, os.environ, region=args.region) for path in args.world]
    except WorldFileError as error:
        raise UsageError(f"--world: {error}") from None
    joined = loaded[0]
    for more in loaded[1:]:
        joined = joined.joined(more)
    return joined


def validate(args: argparse.Namespace) -> Expectations | None:
    """Check every flag before anything starts; returns the target's expectations, if any.

    UsageError names the flag and the rule.
    """
    target = str(args.target)
    if target.startswith("localstack="):
        target = target.split("=", 1)[1]
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        if not parts.hostname:
            raise UsageError(f"--target {target!r}: an endpoint URL needs a host")
        try:
            parts.port  # noqa: B018  (raises ValueError on a bad port)
        except ValueError:
            raise UsageError(f"--target {target!r}: the port must be 1-65535") from None
    elif target not in ("emulator", "moto", "moto-server", "localstack", "aws"):
        raise UsageError(f"--target {target!r}: choose one of {', '.join(TARGET_CHOICES)}")
    flags.region("--region", args.region)
    flags.seed("--seed", args.seed)
    try:
        validate_emulator_faults(args.emulator_fault)
    except UnknownEmulatorFaultError as error:
        raise UsageError(f"--emulator-fault: {error}") from None
    if args.emulator_fault and args.target != "emulator":
        raise UsageError("--emulator-fault: applies only to --target emulator")
    run_account.validate(args)
    try:
        return load_expectations(args.expectations) if args.expectations else None
    except ExpectationsError as error:
        raise UsageError(str(error)) from None


def preflight(prepared: PreparedTarget) -> str | None:
    """Why the target's KMS endpoint gives no HTTP answer, or None (in-process targets and
    AWS, whose fence already asked STS, are taken as reachable)."""
    url = getattr(prepared.target, "endpoint_url", None)
    if not url:
        return None
    return http_preflight(
        url,
        headers={
            "X-Amz-Target": "TrentService.DescribeCustomKeyStores",
            "Content-Type": "application/x-amz-json-1.1",
        },
        verify=True,
    )


def execute(args: argparse.Namespace) -> int:
    """Run the control-plane checks against the target; returns the exit code."""
    if args.list_faults:
        for fault in EMULATOR_FAULTS.values():
            print(f"{fault.name:<28} {fault.summary}")
        return 0
    return run_command(
        "run",
        lambda signals: _run(args, signals),
        usage_errors=(UnknownTargetError, UnknownEmulatorFaultError, AwsFenceError),
        unreachable=(TargetUnreachableError,),
    )


def _run(args: argparse.Namespace, signals: list[str]) -> int:
    expected = validate(args)
    backends = load_backends(args)
    report_dir = prepare_report_dir(args.report_dir, "run")
    if args.seed is None:
        args.seed = random.randrange(1, 2**32)
    result: SessionResult | None = None
    described: dict[str, Any] = {"name": args.target, "region": args.region}
    redactor = Redactor()
    try:
        with prepare_target(
            args.target,
            region=args.region,
            emulator_faults=args.emulator_fault,
            backends=backends,
            timing=run_account.timing_of(args),
        ) as prepared:
            unreachable = preflight(prepared)
            if unreachable:
                raise TargetUnreachableError(f"target {args.target}: {unreachable}")
            run_account.prepare_account(prepared, args)
            described = describe_target(args, prepared)
            endpoint = described.get("endpoint")
            where = f" at {endpoint}" if endpoint and endpoint != args.target else ""
            print(
                f"kscheck run: target {args.target}{where}, profile {args.profile}, "
                f"seed {args.seed}; reports -> {report_dir}",
                flush=True,
            )
            redactor = secrets_of(prepared)
            request = SessionRequest(
                command="run",
                checks_package="conformance.checks.cks",
                stash={PREPARED_TARGET_KEY: prepared},
                profile=args.profile,
                seed=args.seed,
                shrink=not args.no_shrink,
                keyword=args.keyword,
                verbose=args.verbose,
                progress=sys.stdout,
                redactor=redactor,
                target_alive=lambda: preflight(prepared),
            )
            result = run_checks(request, signals)
    except KeyboardInterrupt:  # a signal outside the checks: starting or stopping the target
        if result is None:
            result = interrupted_before_checks(signals[0] if signals else "SIGINT")
    if result.unusable:
        detail = "\n".join(result.collection_errors) or f"pytest exit code {result.exit_code}"
        print(f"kscheck run: the checks could not be collected:\n{detail}", file=sys.stderr)
        return 2
    if result.collected == 0 and not result.interrupted:
        print(f"kscheck run: -k: no check matches {args.keyword!r}", file=sys.stderr)
        return 2
    record = build_record(args, result, reproduce_line(args), described)
    verdict = decide(
        record,
        command="run",
        expectations=expected,
        interrupted=result.interrupted,
        target_lost=result.target_lost,
    )
    return finish(record, verdict, report_dir, redactor, sys.stdout)
