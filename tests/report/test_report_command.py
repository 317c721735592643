"""`kscheck report matrix` and `publish`: outputs, and one-line usage errors on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matrix_fixtures import REQUIREMENTS, parse_html, write_synthetic_runs

from conformance.commands.report_publish import publish, published_dirs
from conformance.report.matrix import load_matrix
from conformance.report.matrix_markdown import render_matrix_markdown
from conformance.report.outcomes import CheckOutcome, Outcome
from conformance.report.redaction import Redactor
from conformance.report.run import build_run_record
from conformance.report.writers import write_reports
from conformance.spec.requirements import Level, Requirement


def kscheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return write_synthetic_runs(tmp_path / "runs")


def test_the_matrix_command_writes_html_or_markdown_after_the_suffix(
    runs: list[Path], tmp_path: Path
) -> None:
    html_out, md_out = tmp_path / "out" / "m.html", tmp_path / "m.md"
    done = kscheck("report", "matrix", *map(str, runs), "-o", str(html_out))
    assert done.returncode == 0, done.stderr
    dom = parse_html(html_out.read_text())
    assert len(dom.find_all("tr", "req")) == len(REQUIREMENTS)
    assert len(dom.find_all("th", "target")) == 3
    assert kscheck("report", "matrix", *map(str, runs), "-o", str(md_out)).returncode == 0
    markdown = md_out.read_text()
    assert markdown.startswith("# kscheck conformance matrix\n")
    assert (
        "| CKS-PAGE-001 | MUST | Limit bounds a page. | PASS | [FAIL](#finding-1-CKS-PAGE-001)"
        in markdown
    )
    assert '<a id="finding-1-CKS-PAGE-001"></a>' in markdown
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown


def test_markdown_cells_cannot_break_the_table() -> None:
    req = Requirement("CKS-X-001", Level.MUST, "s", "a | b\nc")
    run = build_run_record(
        [req],
        [CheckOutcome("t", "CKS-X-001", Outcome.FAIL, "e|x", "a`b`|<i>", "i*n*")],
        target={"name": "t|x"},
        inputs={},
        reproduce="k",
    )
    from conformance.report.matrix import build_matrix, column_from_document
    from conformance.report.results_json import results_document

    matrix = build_matrix([column_from_document(results_document(run), fallback_title="d")])
    rows = [line for line in render_matrix_markdown(matrix).splitlines() if "CKS-X-001 |" in line]
    assert len(rows) == 1
    assert rows[0].replace("\\|", "").count("|") == 5  # 4 cells, none split by a stray pipe


def _one_line_usage_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_bad_inputs_are_usage_errors_naming_the_argument_and_the_rule(
    runs: list[Path], tmp_path: Path
) -> None:
    out = str(tmp_path / "m.html")
    missing = tmp_path / "nowhere"
    _one_line_usage_error(
        kscheck("report", "matrix", str(missing), "-o", out), f"DIR {missing}", "existing"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_usage_error(kscheck("report", "matrix", str(empty), "-o", out), "results.json")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "results.json").write_text(json.dumps({"format": "junit/9", "requirements": []}))
    _one_line_usage_error(
        kscheck("report", "matrix", str(wrong), "-o", out), "format", "kscheck-results/1"
    )
    (wrong / "results.json").write_text("{not json")
    _one_line_usage_error(kscheck("report", "matrix", str(wrong), "-o", out), "JSON")
    document = json.loads((runs[0] / "results.json").read_text())
    document["requirements"][0]["outcome"] = "GREAT"
    (wrong / "results.json").write_text(json.dumps(document))
    _one_line_usage_error(kscheck("report", "matrix", str(wrong), "-o", out), "'GREAT'")
    _one_line_usage_error(
        kscheck("report", "matrix", str(runs[0]), "-o", str(tmp_path / "m.pdf")), "-o", ".html"
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    _one_line_usage_error(
        kscheck("report", "matrix", str(runs[0]), "-o", str(blocker / "m.html")), "-o", "writable"
    )
    assert not (tmp_path / "m.html").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_output_directory_is_a_usage_error(runs: list[Path], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = kscheck("report", "matrix", str(runs[0]), "-o", str(locked / "m.html"))
    _one_line_usage_error(done, "-o", "writable")


def test_publish_matrix_only_rebuilds_both_matrices_in_column_order(
    runs: list[Path], tmp_path: Path
) -> None:
    published = tmp_path / "published"
    for name, run in zip(("zeta", "moto", "emulator"), runs, strict=True):
        (published / name).mkdir(parents=True)
        (published / name / "results.json").write_text((run / "results.json").read_text())
    assert [p.name for p in published_dirs(published)] == ["emulator", "moto", "zeta"]
    assert publish(published, matrix_only=True) == 0
    dom = parse_html((published / "matrix.html").read_text())
    assert [h.text.strip() for h in dom.find_all("th", "target")] == [
        "emulator",  # gamma-dir's run has no target name: the published directory names it
        "beta",
        "alpha-kms 1.2",
    ]
    assert (published / "matrix.md").read_text().startswith("# kscheck conformance matrix")


def test_publish_keeps_results_and_summary_with_the_target_version(tmp_path: Path) -> None:
    done = kscheck(
        "report", "publish", "--dir", str(tmp_path), "--target", "moto", "--profile", "ci"
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "moto").iterdir()) == ["results.json", "summary.md"]
    import moto

    results = json.loads((tmp_path / "moto" / "results.json").read_text())
    assert results["target"]["version"] == moto.__version__
    assert results["suite_version"] and results["started"]
    summary = (tmp_path / "moto" / "summary.md").read_text().splitlines()
    heading = summary[0].removeprefix("# kscheck run: ")  # the run's own verdict
    assert heading != summary[0]
    assert heading.split(":")[0] in ("CONFORMANT", "NOT CONFORMANT", "NOTHING VERIFIED")
    assert f"- Target: moto ({moto.__version__}) us-east-1" in summary  # the run says it
    matrix = load_matrix(published_dirs(tmp_path))
    assert [c.title for c in matrix.columns] == [f"moto {moto.__version__}"]


def test_publish_of_a_target_that_gives_no_results_keeps_the_old_ones(tmp_path: Path) -> None:
    (tmp_path / "localstack").mkdir()
    old = write_synthetic_runs(tmp_path / "old")[0] / "results.json"
    (tmp_path / "localstack" / "results.json").write_text(old.read_text())
    done = kscheck(
        "report", "publish", "--dir", str(tmp_path), "--target", "localstack=http://127.0.0.1:9"
    )
    assert done.returncode == 1
    assert "left no results" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "localstack" / "results.json").read_text() == old.read_text()
    assert (tmp_path / "matrix.html").is_file()


def test_html_reports_mask_secrets_in_their_escaped_spelling(tmp_path: Path) -> None:
    secret = "s3cr&t<\"pass'word>"
    req = Requirement("CKS-X-001", Level.MUST, "s", "A rule.")
    run = build_run_record(
        [req],
        [CheckOutcome("t", "CKS-X-001", Outcome.FAIL, "e", f"password {secret}", "i")],
        target={"name": "t"},
        inputs={},
        reproduce="k",
    )
    written = write_reports(run, tmp_path, Redactor([secret]))
    for path in written:
        text = path.read_text()
        assert "s3cr" not in text, path.name
        assert "password ***" in text, path.name
