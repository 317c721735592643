"""Reports of `kscheck run`: results.json, junit.xml, summary.md and the console verdict.

The writers are the certification ones (:mod:`conformance.report`); this module only picks
the control-plane requirements, the target description and the secrets to mask.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping
from pathlib import Path

from conformance.commands.run_expectations import review
from conformance.report.console import render_findings, render_summary_table
from conformance.report.outcomes import CheckOutcome
from conformance.report.redaction import Redactor
from conformance.report.run import RunRecord, build_run_record
from conformance.report.writers import write_reports as write_report_files
from conformance.spec.requirements import registry
from conformance.targets.factory import PreparedTarget


def secrets_of(prepared: PreparedTarget | None) -> Redactor:
    """A redactor knowing every secret of the target's world (proxy secrets, passwords)."""
    redactor = Redactor()
    if prepared is None:
        return redactor
    for proxy in prepared.world.proxies:
        for credential in proxy.credentials:
            redactor.add(credential.raw_secret_access_key)
    for cluster in prepared.world.clusters:
        redactor.add(cluster.kmsuser_password)
    return redactor


def build_record(
    args: argparse.Namespace, outcomes: list[CheckOutcome], reproduce: str
) -> RunRecord:
    """The run as data, over every CKS requirement of the registry."""
    requirements = [r for rid, r in registry().items() if rid.startswith("CKS-")]
    return build_run_record(
        requirements,
        outcomes,
        target={"name": args.target, "region": args.region},
        inputs={
            "profile": args.profile,
            "seed": args.seed,
            "emulator_faults": sorted(args.emulator_fault),
            "keyword": args.keyword,
        },
        reproduce=reproduce,
    )


def default_report_dir() -> Path:
    """``reports/runs/<UTC timestamp>-run/``."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / "runs" / f"{stamp}-run"


def write_reports(
    args: argparse.Namespace,
    outcomes: list[CheckOutcome],
    reproduce: str,
    prepared: PreparedTarget | None = None,
) -> tuple[RunRecord, Path]:
    """Write the report files; returns the record and the directory."""
    record = build_record(args, outcomes, reproduce)
    directory = args.report_dir or default_report_dir()
    write_report_files(record, directory, secrets_of(prepared))
    return record, Path(directory)


def verdict(record: RunRecord, deviations: Mapping[str, str] | None = None) -> tuple[str, int]:
    """The last console line and the exit code.

    0 only when no MUST requirement failed or errored (other than the known `deviations`)
    *and* something was verified: a target that implements no custom key store operation
    has not conformed to anything.
    """
    counts = record.counts()
    if deviations:
        checked = review(record, deviations)
        if checked.unexpected_failures:
            return (
                f"NOT CONFORMANT: {len(checked.unexpected_failures)} requirement(s) failed "
                f"beyond the known deviations: {', '.join(checked.unexpected_failures)}",
                1,
            )
        if checked.expected_failures and counts["PASS"]:
            return (
                f"CONFORMANT EXCEPT KNOWN DEVIATIONS: {counts['PASS']} requirement(s) passed, "
                f"{len(checked.expected_failures)} failed as expected",
                0,
            )
    if record.must_failed or counts["ERROR"]:
        return (
            f"NOT CONFORMANT: {counts['FAIL']} MUST requirement(s) failed, "
            f"{counts['ERROR']} errored",
            1,
        )
    if not counts["PASS"]:
        return (
            f"NOTHING VERIFIED: {counts['UNSUPPORTED']} requirement(s) unsupported by the "
            f"target, {counts['SKIPPED']} skipped",
            1,
        )
    return (
        f"CONFORMANT: {counts['PASS']} requirement(s) passed, no MUST failed "
        f"({counts['NON_STRICT']} SHOULD warning(s), {counts['INFO']} informational, "
        f"{counts['UNSUPPORTED']} unsupported, {counts['SKIPPED']} not exercised)",
        0,
    )


def print_summary(
    record: RunRecord,
    directory: Path,
    redactor: Redactor,
    deviations: Mapping[str, str] | None = None,
) -> int:
    """Print the table, the findings and the verdict; returns the exit code."""
    print(redactor.redact(render_summary_table(record)))
    findings = render_findings(record)
    if findings:
        print(redactor.redact(findings))
    if deviations:
        for requirement_id in review(record, deviations).now_passing:
            print(f"[{requirement_id}] listed as a known deviation but PASSED: remove it")
    line, code = verdict(record, deviations)
    print(line)
    print(f"reports: {directory}")
    return code
