"""``summary.md`` and the console's summary table: counts, then one row per requirement.

>>> from conformance.report.run import build_run_record
>>> print(render_counts_line(build_run_record([], [], target={}, inputs={}, reproduce="k")))
PASS 0 · FAIL 0 · NON_STRICT 0 · INFO 0 · UNSUPPORTED 0 · SKIPPED 0 · ERROR 0
"""

from __future__ import annotations

from conformance.report.open_questions import summarize
from conformance.report.outcomes import Outcome
from conformance.report.run import RunRecord


def render_counts_line(run: RunRecord) -> str:
    """``PASS n · FAIL n · ...`` for every grade."""
    return " · ".join(f"{name} {count}" for name, count in run.counts().items())


def area_table(run: RunRecord) -> list[tuple[str, dict[str, int]]]:
    """Outcome counts per requirement area (HTTP, AUTH, ...), in registry order."""
    areas: dict[str, dict[str, int]] = {}
    for item in run.requirements:
        area = item.requirement_id.split("-")[1]
        row = areas.setdefault(area, {o.value: 0 for o in Outcome})
        row[item.outcome.value] += 1
    return list(areas.items())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def open_questions_table(run: RunRecord) -> list[str]:
    """Markdown lines of the open questions the run touched: one row per outcome the question
    leaves open, with how often the target chose it and an example; none when untouched.

    >>> from conformance.report.open_questions import ObservedBranch
    >>> from conformance.report.run import build_run_record
    >>> run = build_run_record([], [], target={}, inputs={}, reproduce="k")
    >>> run.open_questions.append(ObservedBranch("OQ-999", "DeleteCustomKeyStore", "E",
    ...     ("E", "F"), ("CKS-STATE-003",), "DeleteCustomKeyStore({})", "t::d"))
    >>> for line in open_questions_table(run)[2:]:
    ...     print(line)
    | Open question | Outcome | Times | Example |
    |---|---|---:|---|
    | OQ-999 | E | 1 | `DeleteCustomKeyStore({})` (t::d) |
    | OQ-999 | F | 0 |  |
    """
    entries = summarize(run.open_questions)
    if not entries:
        return []
    lines = [
        "## Open questions observed",
        "",
        "| Open question | Outcome | Times | Example |",
        "|---|---|---:|---|",
    ]
    for oq, entry in entries.items():
        label = oq if entry.title == oq else f"{oq}: {entry.title}"
        examples = {example.outcome: example for example in entry.examples}
        for outcome, times in entry.outcomes.items():
            example = examples.get(outcome)
            shown = f"`{_code(example.input)}` ({example.nodeid})" if example else ""
            lines.append(f"| {_cell(label)} | {_cell(outcome)} | {times} | {_cell(shown)} |")
    return lines


def _code(text: str, limit: int = 240) -> str:
    """`text` fit for a code span: no backtick, at most `limit` characters."""
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_summary_markdown(run: RunRecord) -> str:
    """``summary.md`` text."""
    lines = [
        f"# {run.title}",
        "",
        *([f"> {run.verdict_line}", ""] if run.verdict_line else []),
        f"- Target: {run.target_label}",
        f"- Suite: kscheck {run.suite_version}; started {run.started}; "
        f"{run.duration_seconds:.1f} s; exit status {run.exit_code}",
        f"- Inputs: profile {run.inputs.get('profile')}, seed {run.inputs.get('seed')}"
        + (f", filter `{run.inputs['filter']}`" if run.inputs.get("filter") else "")
        + (f", faults {', '.join(run.inputs['faults'])}" if run.inputs.get("faults") else ""),
        f"- Counts: {render_counts_line(run)}",
        "",
        "| Area | " + " | ".join(o.value for o in Outcome) + " |",
        "|---|" + "---:|" * len(Outcome),
    ]
    for area, row in area_table(run):
        lines.append(f"| {area} | " + " | ".join(str(row[o.value]) for o in Outcome) + " |")
    lines += ["", "| Requirement | Level | Outcome | Summary | Detail |", "|---|---|---|---|---|"]
    for item in run.requirements:
        decisive = item.decisive
        detail = ""
        if decisive is not None and decisive.actual and not decisive.expected:
            detail = f"measured: {decisive.actual}"
        elif decisive is not None and decisive.actual:
            detail = f"expected {decisive.expected}; got {decisive.actual}"
        elif decisive is not None and decisive.reason:
            detail = decisive.reason
        lines.append(
            f"| {item.requirement_id} | {item.level} | {item.outcome.value} | "
            f"{_cell(item.summary)} | {_cell(detail)[:300]} |"
        )
    table = open_questions_table(run)
    if table:
        lines += ["", *table]
    return "\n".join(lines) + "\n"
