"""``junit.xml``: one testcase per requirement, so CI systems show the grade per rule.

FAIL and ERROR become ``<failure>``/``<error>``; SKIPPED and UNSUPPORTED become
``<skipped>``; NON_STRICT and INFO pass with the finding in ``<system-out>``.

>>> from conformance.report.run import build_run_record
>>> text = render_junit(build_run_record([], [], target={}, inputs={}, reproduce="k"))
>>> text.startswith("<?xml")
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.report.outcomes import Outcome
from conformance.report.run import RunRecord


def _detail(run: RunRecord, requirement_id: str, expected: str, actual: str, input: str) -> str:
    return (
        f"Expected: {expected}\nActual: {actual}\nInput: {input}\n"
        f"Reproduce: {run.reproduce_for(requirement_id)}"
    )


def render_junit(run: RunRecord) -> str:
    """``junit.xml`` text."""
    counts = run.counts()
    suite = ET.Element(
        "testsuite",
        {
            "name": f"kscheck {run.command}: {run.target_label}",
            "tests": str(len(run.requirements)),
            "failures": str(counts["FAIL"]),
            "errors": str(counts["ERROR"]),
            "skipped": str(counts["SKIPPED"] + counts["UNSUPPORTED"]),
            "time": f"{run.duration_seconds:.3f}",
            "timestamp": run.started,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("command", run.command),
        ("target", run.target_label),
        ("verdict", run.verdict_word),
        ("exit_code", "" if run.exit_code is None else str(run.exit_code)),
        ("interrupted", run.interrupted or ""),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for item in run.requirements:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"kscheck.{item.requirement_id.split('-')[1].lower()}",
                "name": f"{item.requirement_id} {item.level} {item.summary}",
                "time": f"{sum(c.duration_seconds for c in item.checks):.3f}",
            },
        )
        decisive = item.decisive
        text = (
            _detail(run, item.requirement_id, decisive.expected, decisive.actual, decisive.input)
            if decisive
            else ""
        )
        outcome = item.outcome
        if outcome is Outcome.FAIL:
            ET.SubElement(case, "failure", {"message": f"{item.level} broken"}).text = text
        elif outcome is Outcome.ERROR:
            reason = decisive.reason if decisive else "error"
            ET.SubElement(case, "error", {"message": reason[:200]}).text = reason
        elif outcome in (Outcome.SKIPPED, Outcome.UNSUPPORTED):
            reason = decisive.reason if decisive else "no check ran"
            ET.SubElement(case, "skipped", {"message": f"{outcome.value}: {reason}"[:300]})
        elif outcome in (Outcome.NON_STRICT, Outcome.INFO):
            ET.SubElement(case, "system-out").text = f"{outcome.value}\n{text}"
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )
