"""Console rendering of a certification run: the summary table and h2spec-like failures.

>>> from conformance.report.console import PROGRESS_CHARS
>>> PROGRESS_CHARS["FAIL"], PROGRESS_CHARS["NON_STRICT"]
('F', 'N')
"""

from __future__ import annotations

import re

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
    unsupported = []
    for area, row in area_table(run):
        if row[Outcome.UNSUPPORTED.value] and row[Outcome.UNSUPPORTED.value] == sum(row.values()):
            unsupported.append(area)  # one line for all of them, below
            continue
        lines.append(f"{area:<8}" + "".join(f"{row[n]:>7}" for n in names))
    if unsupported:
        lines.append(f"(entirely UNSUPPORTED: {', '.join(unsupported)})")
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


#: Outcomes summarised one line per reason instead of one block per requirement.
GROUPED = (Outcome.UNSUPPORTED, Outcome.SKIPPED)
#: A reason shared by more ERRORs than this is also summarised in one line.
MAX_ERROR_BLOCKS = 3


_STEP_COUNT = re.compile(r" \(\d+ judged steps?\)")


def _reason_of(item: RequirementOutcome) -> str:
    decisive = item.decisive
    if decisive is None:
        return "no check ran"
    if item.outcome is Outcome.UNSUPPORTED and decisive.input:
        return decisive.input  # "<operation>: <the target's own words>"
    return decisive.reason or decisive.actual or "no reason given"


def _grouped_line(outcome: Outcome, reason: str, ids: list[str]) -> str:
    shown = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
    return f"{outcome.value} x{len(ids)}: {reason[:200]} ({shown})"


def render_grouped(run: RunRecord, outcome: Outcome) -> list[str]:
    """One line per distinct reason for requirements graded `outcome`, with their IDs."""
    by_reason: dict[str, list[str]] = {}
    for item in run.requirements:
        if item.outcome is outcome:
            by_reason.setdefault(_STEP_COUNT.sub("", _reason_of(item)), []).append(
                item.requirement_id
            )
    ranked = sorted(by_reason.items(), key=lambda pair: -len(pair[1]))
    return [_grouped_line(outcome, reason, ids) for reason, ids in ranked]


def render_findings(run: RunRecord) -> str:
    """Every finding worse than PASS, worst first (empty text when there are none);
    UNSUPPORTED and SKIPPED, and ERRORs sharing one reason, in one line per reason."""
    errors: dict[str, list[str]] = {}
    for item in run.problems():
        if item.outcome is Outcome.ERROR:
            errors.setdefault(_reason_of(item), []).append(item.requirement_id)
    crowded = {reason: ids for reason, ids in errors.items() if len(ids) > MAX_ERROR_BLOCKS}
    blocks = [
        render_finding(run, item)
        for item in run.problems()
        if item.outcome not in GROUPED
        and not (item.outcome is Outcome.ERROR and _reason_of(item) in crowded)
    ]
    summary = [_grouped_line(Outcome.ERROR, reason, ids) for reason, ids in crowded.items()]
    for outcome in GROUPED:
        summary += render_grouped(run, outcome)
    if summary:
        blocks.append("\n".join(summary))
    return "\n\n".join(blocks)


def render_measurements(run: RunRecord) -> str:
    """What passing checks measured (latency percentiles, burst answers), one per line,
    then the requests the XKS checks sent, per check module."""
    lines: list[str] = []
    for item in run.requirements:
        decisive = item.decisive
        shown = any(line.endswith(f"] {decisive.actual}") for line in lines) if decisive else True
        if item.outcome is Outcome.PASS and decisive is not None and decisive.actual and not shown:
            lines.append(f"[{item.requirement_id}] {decisive.actual}")
    sent = requests_by_area(run)
    if sent:
        areas = ", ".join(f"{area} {count}" for area, count in sent.items())
        lines.append(f"requests sent: {sum(sent.values())} ({areas})")
    return "\n".join(lines)


def requests_by_area(run: RunRecord) -> dict[str, int]:
    """Requests the XKS checks sent (their judged steps), summed per check module
    (``test_tamper.py`` -> ``tamper``), largest first; each check counted once however many
    requirements it names.

    >>> from conformance.report.outcomes import CheckOutcome, Outcome, RequirementOutcome
    >>> from conformance.report.run import build_run_record
    >>> node = "conformance/checks/xks/test_tamper.py::test_x"
    >>> checks = [CheckOutcome(node, r, Outcome.PASS, requests=5) for r in ("A", "B")]
    >>> run = build_run_record([], [], target={}, inputs={}, reproduce="")
    >>> run.requirements = [RequirementOutcome("XKS-" + c.requirement_id, "MUST", "", "", [c])
    ...                     for c in checks]
    >>> requests_by_area(run)
    {'tamper': 5}
    """
    per_node: dict[str, int] = {}
    for item in run.requirements:
        if not item.requirement_id.startswith("XKS-"):
            continue
        for check in item.checks:
            per_node[check.nodeid] = max(per_node.get(check.nodeid, 0), check.requests)
    areas: dict[str, int] = {}
    for nodeid, count in per_node.items():
        module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        area = module.removeprefix("test_")
        if count:
            areas[area] = areas.get(area, 0) + count
    return dict(sorted(areas.items(), key=lambda pair: (-pair[1], pair[0])))
