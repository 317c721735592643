"""`kscheck rehearse`: the nightly real-AWS run on loopback, audited from the server's side.

Starts moto server's STS and ``kscheck emulator`` (with a foreign store and moto's account;
``--aws-like`` adds 3 s transitions and 1 s lagging reads), runs ``kscheck run --target aws``
against them with the fence on, then audits the emulator's request log (run prefix on every
store created, the foreign store never touched, at most 5 requests/s per operation) and the
account left (nothing of the run's but the fixture store). Nothing reaches AWS.

Examples::

    kscheck rehearse                      # instant timing, profile aws
    kscheck rehearse --aws-like -k store_scenarios

Exit status: the run's when it failed, else 1 when the audit found something, else 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance import rehearsal
from conformance.emulator.aws_like import FOREIGN_STORE, read_request_log
from conformance.profiles import PROFILES
from conformance.session import UsageError
from conformance.targets.aws.account import FIXTURE_STORE_NAME


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument("--aws-like", action="store_true", help="slow transitions, lagging reads")
    parser.add_argument("--profile", default="aws", choices=sorted(PROFILES))
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed")
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression")
    parser.add_argument(
        "--report-dir", type=Path, default=None, help="the run's reports (default: a temp dir)"
    )


def execute(args: argparse.Namespace) -> int:
    """Rehearse; returns the exit code."""
    if args.report_dir is not None and not args.report_dir.parent.is_dir():
        print(f"kscheck rehearse: --report-dir: {args.report_dir.parent} does not exist",
              file=sys.stderr)  # fmt: skip
        return 2
    with tempfile.TemporaryDirectory(prefix="kscheck-rehearsal-") as scratch:
        workdir = Path(scratch)
        report_dir = args.report_dir or workdir / "reports"
        with rehearsal.rehearsal_rig(workdir / "rig", aws_like=args.aws_like) as rig:
            extra = ["--profile", args.profile, "--report-dir", str(report_dir)]
            extra += ["--seed", str(args.seed)] if args.seed is not None else []
            extra += ["-k", args.keyword] if args.keyword else []
            mode = "AWS-like" if args.aws_like else "instant"
            print(f"kscheck rehearse: {mode} emulator + moto STS; reports -> {report_dir}",
                  flush=True)  # fmt: skip
            code = subprocess.run(rehearsal.run_command(rig, extra), env=rig.environment).returncode
            problems = rehearsal.audit_log(rig.request_log)
            left = set(rehearsal.stores_left(rig)) - {
                FOREIGN_STORE["CustomKeyStoreName"],
                FIXTURE_STORE_NAME,
            }
            if left:
                problems.append(f"stores of the run left in the account: {sorted(left)}")
            requests = len(read_request_log(rig.request_log))
    for problem in problems:
        print(f"AUDIT: {problem}")
    print(f"kscheck rehearse: run exit {code}; {requests} requests audited; "
          f"{len(problems)} audit finding(s)")  # fmt: skip
    if code != 0:
        return code
    return 1 if problems else 0


def validate(args: argparse.Namespace) -> None:
    """Flags are checked in :func:`execute` (UsageError kept for the CLI's contract)."""
    if args.seed is not None and args.seed < 0:
        raise UsageError("--seed must be >= 0")
