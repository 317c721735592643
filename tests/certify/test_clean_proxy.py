"""`kscheck certify` against the clean fake proxy: certified, zero FAIL, zero ERROR, every
requirement graded, and all three report files well formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from certify_runs import CertifyRun

from conformance.spec.xks_requirements import XKS_REQUIREMENTS


def test_the_clean_fake_proxy_is_certified(certify_runs: dict[str, CertifyRun]) -> None:
    run = certify_runs["clean"]
    assert run.exit_code == 0, run.console[-3000:]
    assert run.ids_with("FAIL") == set()
    assert run.ids_with("ERROR") == set()
    assert run.results["certified"] is True
    assert "\nCERTIFIED: " in run.console and "no MUST failed" in run.console


def test_every_requirement_is_graded_and_none_is_skipped(
    certify_runs: dict[str, CertifyRun],
) -> None:
    results = certify_runs["clean"].results
    graded = {r["id"]: r["outcome"] for r in results["requirements"]}
    assert set(graded) == {r.id for r in XKS_REQUIREMENTS}
    assert [rid for rid, outcome in graded.items() if outcome == "SKIPPED"] == []


def test_the_only_clean_warning_is_the_private_test_ca(
    certify_runs: dict[str, CertifyRun],
) -> None:
    run = certify_runs["clean"]
    assert run.ids_with("NON_STRICT") <= {"XKS-TLS-005"}
    assert run.ids_with("INFO") == set()


def test_results_json_records_inputs_and_reproduce_commands(
    certify_runs: dict[str, CertifyRun],
) -> None:
    results = certify_runs["clean"].results
    assert results["format"] == "kscheck-results/1"
    assert results["inputs"]["profile"] == "certify"
    assert results["inputs"]["seed"] == 0
    assert results["target"]["second_credential"] is True
    for requirement in results["requirements"]:
        assert requirement["reproduce"].startswith("kscheck certify")
        assert f"-k {requirement['id']} --seed 0" in requirement["reproduce"]
        assert requirement["checks"], requirement["id"]
    perf = next(r for r in results["requirements"] if r["id"] == "XKS-PERF-001")
    assert "p99=" in perf["actual"]


def test_junit_has_one_testcase_per_requirement(certify_runs: dict[str, CertifyRun]) -> None:
    suite = ET.parse(certify_runs["clean"].report_dir / "junit.xml").getroot()
    names = [case.get("name", "").split(" ")[0] for case in suite.iter("testcase")]
    assert sorted(names) == sorted(r.id for r in XKS_REQUIREMENTS)
    assert suite.get("failures") == "0"
    assert suite.findall(".//failure") == []


def test_summary_markdown_has_counts_and_a_row_per_requirement(
    certify_runs: dict[str, CertifyRun],
) -> None:
    text = (certify_runs["clean"].report_dir / "summary.md").read_text()
    assert text.startswith("# kscheck certify: CERTIFIED")
    assert "- Counts: PASS " in text
    for requirement in XKS_REQUIREMENTS:
        assert f"| {requirement.id} | {requirement.level.value} |" in text


def test_a_failing_run_prints_findings_in_the_h2spec_format(
    certify_runs: dict[str, CertifyRun],
) -> None:
    console = certify_runs["fault:get_accepted"].console
    block = console[console.index("[XKS-HTTP-002] MUST FAIL") :]
    lines = block.splitlines()[1:5]
    assert [line.split(":")[0].strip() for line in lines] == [
        "Expected",
        "Actual",
        "Input",
        "Reproduce",
    ]
    assert "HTTP 405" in lines[0]
    assert lines[2].strip().startswith("Input: GET /example/uri/path/prefix/kms/xks/v1/")
    assert "kscheck certify --fault get_accepted" in lines[3]
    assert "-k XKS-HTTP-002 --seed 0" in lines[3]
    assert "NOT CERTIFIED" in console


def test_junit_reports_each_failed_requirement_as_a_failure(
    certify_runs: dict[str, CertifyRun],
) -> None:
    run = certify_runs["fault:key_usage_ignored"]
    suite = ET.parse(run.report_dir / "junit.xml").getroot()
    failed = {
        case.get("name", "").split(" ")[0]
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    }
    assert failed == run.ids_with("FAIL") != set()
    assert suite.get("failures") == str(len(failed))
