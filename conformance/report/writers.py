"""Write every report file of a run into a directory, redacted.

>>> import tempfile
>>> from conformance.report.redaction import Redactor
>>> from conformance.report.run import build_run_record
>>> run = build_run_record([], [], target={}, inputs={}, reproduce="kscheck certify")
>>> sorted(p.name for p in write_reports(run, tempfile.mkdtemp(), Redactor()))
['junit.xml', 'report.html', 'results.json', 'summary.md']
"""

from __future__ import annotations

from pathlib import Path

from conformance.report.junit import render_junit
from conformance.report.matrix_html import render_report_html
from conformance.report.redaction import Redactor
from conformance.report.results_json import render_results_json
from conformance.report.run import RunRecord
from conformance.report.summary import render_summary_markdown


def write_reports(run: RunRecord, directory: str | Path, redactor: Redactor) -> list[Path]:
    """Write results.json, junit.xml, summary.md and report.html (each through `redactor`)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in (
        ("results.json", render_results_json),
        ("junit.xml", render_junit),
        ("summary.md", render_summary_markdown),
        ("report.html", render_report_html),
    ):
        path = out / name
        path.write_text(redactor.redact(render(run)), encoding="utf-8")
        written.append(path)
    return written
