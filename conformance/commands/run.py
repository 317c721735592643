"""`kscheck run`: check a KMS target's custom key store API against the reference model.

Examples::

    kscheck run                                  # the embedded emulator + fake proxies
    kscheck run --target moto-server             # moto's server on loopback
    kscheck run --target http://127.0.0.1:4566   # any KMS-compatible endpoint
    kscheck run --emulator-fault delete_ignores_state   # watch the suite catch a defect

Exit status: 0 when no MUST requirement failed, 1 when one did, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from conformance.commands.run_expectations import ExpectationsError, load_expectations
from conformance.commands.run_report import print_summary, secrets_of, write_reports
from conformance.emulator.faults import EMULATOR_FAULTS, UnknownEmulatorFaultError
from conformance.profiles import PROFILES, register_profiles
from conformance.pytest_plugin import OUTCOMES_KEY, PREPARED_TARGET_KEY
from conformance.report.outcomes import CheckOutcome
from conformance.targets.aws import AwsFenceError
from conformance.targets.factory import (
    TARGET_CHOICES,
    PreparedTarget,
    UnknownTargetError,
    prepare_target,
)


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
    parser.add_argument("-v", "--verbose", action="store_true", help="pytest's verbose output")


class _RunPlugin:
    """Hands the prepared target to the checks and keeps their graded outcomes."""

    def __init__(self, prepared: PreparedTarget) -> None:
        self.prepared = prepared
        self.outcomes: list[CheckOutcome] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[PREPARED_TARGET_KEY] = self.prepared

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        empty: list[CheckOutcome] = []
        collected: list[CheckOutcome] = config.stash.get(OUTCOMES_KEY, empty)
        self.outcomes = list(collected)


def _profile_name(args: argparse.Namespace) -> str:
    """The Hypothesis profile to load: the chosen one without the explain phase (it traces
    every line of the model and the target's client: minutes per failure), and without
    shrinking when asked."""
    dropped = {Phase.explain, Phase.shrink} if args.no_shrink else {Phase.explain}
    name = f"{args.profile}-run" + ("-no-shrink" if args.no_shrink else "")
    register_profiles()
    settings.register_profile(
        name,
        parent=settings.get_profile(args.profile),
        phases=[phase for phase in Phase if phase not in dropped],
    )
    return name


def _pytest_args(args: argparse.Namespace) -> list[str]:
    spec = importlib.util.find_spec("conformance.checks.cks")  # located, not imported
    assert spec is not None and spec.submodule_search_locations
    checks_dir = str(spec.submodule_search_locations[0])
    chosen = [
        checks_dir,
        "-p",
        "no:cacheprovider",
        "--rootdir",
        checks_dir,
        "-o",
        "addopts=",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "-p",
        "no:timeout",  # a run is bounded by its profile, not by the self-tests' timeout
        f"--hypothesis-profile={_profile_name(args)}",
        "-v" if args.verbose else "-q",
    ]
    chosen.append(f"--hypothesis-seed={args.seed}")
    if args.keyword:
        chosen += ["-k", args.keyword]
    return chosen


def reproduce_line(args: argparse.Namespace) -> str:
    """The command that repeats this run."""
    parts = ["kscheck run", f"--target {args.target}", f"--profile {args.profile}"]
    parts += [f"--emulator-fault {name}" for name in args.emulator_fault]
    return " ".join(parts)


def execute(args: argparse.Namespace) -> int:
    """Run the control-plane checks against the target; returns the exit code."""
    if args.list_faults:
        for fault in EMULATOR_FAULTS.values():
            print(f"{fault.name:<28} {fault.summary}")
        return 0
    if args.seed is None:
        args.seed = random.randrange(2**32)
    try:
        deviations = load_expectations(args.expectations) if args.expectations else {}
    except ExpectationsError as error:
        print(f"kscheck run: {error}", file=sys.stderr)
        return 2
    try:
        with prepare_target(
            args.target, region=args.region, emulator_faults=args.emulator_fault
        ) as prepared:
            print(
                f"kscheck run: target {args.target}, profile {args.profile}, seed {args.seed}",
                flush=True,
            )
            plugin = _RunPlugin(prepared)
            exit_code = pytest.main(_pytest_args(args), plugins=[plugin])
            redactor = secrets_of(prepared)
            record, report_dir = write_reports(
                args, plugin.outcomes, reproduce_line(args), prepared
            )
    except (UnknownTargetError, UnknownEmulatorFaultError, AwsFenceError) as error:
        print(f"kscheck run: {error}", file=sys.stderr)
        return 2
    if exit_code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return 2
    if exit_code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("kscheck run: no check matched", file=sys.stderr)
        return 2
    return print_summary(record, report_dir, redactor, deviations)
