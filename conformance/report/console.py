"""Console rendering of a certification run: the summary table and h2spec-like failures.

>>> from conformance.report.console import PROGRESS_CHARS
>>> PROGRESS_CHARS["FAIL"], PROGRESS_CHARS["NON_STRICT"]
('F', 'N')
"""

from __future__ import annotations

from conformance.report.outcomes import Outcome, RequirementOutcome
from conformance.report.run import RunRecord
from conformance.report.summary import area_table, render_counts_line

#: One character per graded check, as the progress line shows it.
PROGRESS_CHARS = {
    "PASS": ".",
    "FAIL": "F",
    "NON_STRICT": "N",
    "INFO": "I",
    "UNSUPPORTED": "U",
    "SKIPPED": "s",
    "ERROR": "E",
}
_SHORT = {"NON_STRICT": "NSTR", "UNSUPPORTED": "UNSUP", "SKIPPED": "SKIP"}


def render_summary_table(run: RunRecord) -> str:
    """Outcome counts per area, then a total line."""
    names = [o.value for o in Outcome]
    header = "Area    " + "".join(f"{_SHORT.get(n, n):>7}" for n in names)
    lines = ["Summary (requirements per area)", header]
    for area, row in area_table(run):
        lines.append(f"{area:<8}" + "".join(f"{row[n]:>7}" for n in names))
    lines.append(f"Total   {render_counts_line(run)}")
    return "\n".join(lines)


def render_finding(run: RunRecord, item: RequirementOutcome) -> str:
    """One finding in the h2spec-like format of DESIGN.md, with a Reproduce line."""
    decisive = item.decisive
    head = f"[{item.requirement_id}] {item.level} {item.outcome.value}  {item.summary}"
    if decisive is None:
        return head
    if item.outcome in (Outcome.ERROR, Outcome.UNSUPPORTED) and not decisive.expected:
        body = f"      Reason: {decisive.reason}"
        if decisive.input:
            body += f"\n       Input: {decisive.input}"
    else:
        body = (
            f"    Expected: {decisive.expected}\n      Actual: {decisive.actual}\n"
            f"       Input: {decisive.input}"
        )
    return f"{head}\n{body}\n   Reproduce: {run.reproduce_for(item.requirement_id)}"


def render_findings(run: RunRecord) -> str:
    """Every finding worse than PASS, worst first (empty text when there are none)."""
    return "\n\n".join(render_finding(run, item) for item in run.problems())


def render_measurements(run: RunRecord) -> str:
    """What passing checks measured (latency percentiles, burst answers), one per line."""
    lines: list[str] = []
    for item in run.requirements:
        decisive = item.decisive
        shown = any(line.endswith(f"] {decisive.actual}") for line in lines) if decisive else True
        if item.outcome is Outcome.PASS and decisive is not None and decisive.actual and not shown:
            lines.append(f"[{item.requirement_id}] {decisive.actual}")
    return "\n".join(lines)


def render_verdict(run: RunRecord) -> str:
    """The last line: certified or not, and why."""
    counts = run.counts()
    if run.must_failed:
        return (
            f"NOT CERTIFIED: {counts['FAIL']} MUST requirement(s) failed, {counts['ERROR']} errored"
        )
    return (
        f"CERTIFIED: no MUST requirement failed ({counts['NON_STRICT']} SHOULD warning(s), "
        f"{counts['INFO']} informational, {counts['SKIPPED']} skipped)"
    )
