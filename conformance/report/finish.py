"""The end of every run: decide the verdict once, write every report, print the outcome.

``run`` and ``certify`` both end here, so the console, results.json, junit.xml and
summary.md carry the same verdict and the same exit status.

>>> import io, tempfile
>>> from conformance.report.redaction import Redactor
>>> from conformance.report.run import build_run_record
>>> record = build_run_record([], [], target={"label": "demo"}, inputs={}, reproduce="k",
...                           command="run")
>>> out = io.StringIO()
>>> finish(record, decide(record, command="run"), tempfile.mkdtemp(), Redactor(), out)
1
>>> out.getvalue().splitlines()[-2]
'NOTHING VERIFIED: 0 requirement(s) unsupported by the target, 0 not reached'
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from conformance.report.console import (
    render_findings,
    render_measurements,
    render_summary_table,
)
from conformance.report.outcomes import CheckOutcome, Outcome
from conformance.report.redaction import Redactor
from conformance.report.run import RunRecord
from conformance.report.verdict import Verdict, decide
from conformance.report.writers import write_reports

__all__ = ["decide", "finish", "mark_unreached"]


def mark_unreached(record: RunRecord, reason: str, *, only: str | None = None) -> None:
    """Give every requirement no check ran (or just `only`) a SKIPPED outcome with `reason`
    (the run was interrupted, no check names it, ...), so no report shows an empty reason."""
    for item in record.requirements:
        if not item.checks and only in (None, item.requirement_id):
            item.checks.append(
                CheckOutcome("(none)", item.requirement_id, Outcome.SKIPPED, reason=reason)
            )


def finish(
    record: RunRecord,
    verdict: Verdict,
    directory: str | Path,
    redactor: Redactor,
    out: TextIO,
) -> int:
    """Stamp `verdict` on `record`, write the reports, print table, findings and verdict;
    returns the exit status."""
    record.verdict_word = verdict.word
    record.verdict_line = verdict.line
    record.exit_code = verdict.exit_code
    written = write_reports(record, directory, redactor)
    out.write("\n" + render_summary_table(record) + "\n")
    measured = render_measurements(record)
    if measured:
        out.write("\nMeasured\n" + redactor.redact(measured) + "\n")
    findings = render_findings(record)
    if findings:
        out.write("\nFindings\n" + redactor.redact(findings) + "\n")
    out.write(
        f"\n{verdict.line} in {record.duration_seconds:.1f} s\n"
        if record.duration_seconds
        else f"\n{verdict.line}\n"
    )
    out.write(f"reports: {', '.join(str(p) for p in written)}\n")
    out.flush()
    return verdict.exit_code
