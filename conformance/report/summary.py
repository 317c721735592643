"""``summary.md`` and the console's summary table: counts, then one row per requirement.

>>> from conformance.report.run import build_run_record
>>> print(render_counts_line(build_run_record([], [], target={}, inputs={}, reproduce="k")))
PASS 0 · FAIL 0 · NON_STRICT 0 · INFO 0 · UNSUPPORTED 0 · SKIPPED 0 · ERROR 0
"""

from __future__ import annotations

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
    return "\n".join(lines) + "\n"
