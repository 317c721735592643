"""``results.json``: the machine-readable report of a run (``run`` or ``certify``).

>>> from conformance.report.run import build_run_record
>>> import json
>>> doc = json.loads(render_results_json(build_run_record([], [], target={"base_url": "u"},
...     inputs={"seed": 0}, reproduce="kscheck certify")))
>>> doc["format"], doc["target"]["base_url"]
('kscheck-results/1', 'u')
"""

from __future__ import annotations

import json
from typing import Any

from conformance.report.console import requests_by_area
from conformance.report.open_questions import summarize
from conformance.report.run import RunRecord

FORMAT = "kscheck-results/1"


def open_questions_section(run: RunRecord) -> dict[str, Any]:
    """The ``open_questions`` section: per open question the run touched, its title, how
    often the target chose each outcome the question leaves open, the rules, and one
    example of each outcome chosen (schema: reports/README.md).

    >>> from conformance.report.open_questions import ObservedBranch
    >>> from conformance.report.run import build_run_record
    >>> run = build_run_record([], [], target={}, inputs={}, reproduce="k")
    >>> run.open_questions.append(ObservedBranch("OQ-999", "DeleteCustomKeyStore", "E",
    ...     ("E", "F"), ("CKS-STATE-003",), "DeleteCustomKeyStore({})", "t::d"))
    >>> open_questions_section(run)["OQ-999"]["outcomes"]
    {'E': 1, 'F': 0}
    """
    return {
        oq: {
            "title": entry.title,
            "outcomes": dict(entry.outcomes),
            "requirements": list(entry.requirement_ids),
            "examples": [
                {
                    "outcome": example.outcome,
                    "operation": example.operation,
                    "input": example.input,
                    "requirements": list(example.requirement_ids),
                    "check": example.nodeid,
                }
                for example in entry.examples
            ],
        }
        for oq, entry in summarize(run.open_questions).items()
    }


def results_document(run: RunRecord) -> dict[str, Any]:
    """The JSON document as Python data (secrets must already be absent from `run`)."""
    requirements = []
    for item in run.requirements:
        decisive = item.decisive
        requirements.append(
            {
                "id": item.requirement_id,
                "level": item.level,
                "summary": item.summary,
                "source": item.source,
                "outcome": item.outcome.value,
                "expected": decisive.expected if decisive else "",
                "actual": decisive.actual if decisive else "",
                "input": decisive.input if decisive else "",
                "reason": decisive.reason if decisive else "",
                "reproduce": run.reproduce_for(item.requirement_id),
                "checks": [
                    {
                        "nodeid": c.nodeid,
                        "outcome": c.outcome.value,
                        "evidence": c.evidence,
                        "duration_seconds": round(c.duration_seconds, 4),
                        "requests": c.requests,
                        **({"actual": c.actual} if c.actual else {}),
                        **({"reason": c.reason} if c.reason else {}),
                    }
                    for c in item.checks
                ],
            }
        )
    return {
        "format": FORMAT,
        "suite_version": run.suite_version,
        "started": run.started,
        "duration_seconds": round(run.duration_seconds, 3),
        "target": dict(run.target),
        "inputs": dict(run.inputs),
        "command": run.command,
        "verdict": {
            "word": run.verdict_word,
            "line": run.verdict_line,
            "exit_code": run.exit_code,
            "passed": run.exit_code == 0,
        },
        "interrupted": run.interrupted is not None,
        **({"interrupted_by": run.interrupted} if run.interrupted else {}),
        **({"certified": run.exit_code == 0} if run.command == "certify" else {}),
        "counts": run.counts(),
        "requests_by_area": requests_by_area(run),
        "notes": list(run.notes),
        "open_questions": open_questions_section(run),
        "requirements": requirements,
    }


def render_results_json(run: RunRecord) -> str:
    """``results.json`` text."""
    return json.dumps(results_document(run), indent=2, sort_keys=False) + "\n"
