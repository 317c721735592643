"""The committed expectations files hold, and a run that departs from one fails.

`nox -s emulators` runs each target against reports/expectations/<target>.toml and relies on
the exit status; these tests run the same command against moto (in process, seconds) with
the committed file and with doctored copies.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.report.expectations import load_expectations

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "reports" / "expectations"


def run_moto(expectations: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", "moto"]
    command += ["--profile", "ci", "--seed", "0", "--expectations", str(expectations)]
    command += ["--report-dir", str(tmp_path / "r")]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("path", sorted(EXPECTATIONS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_committed_expectations_file_is_valid(path: Path) -> None:
    expected = load_expectations(path)
    assert all(reason.strip() for reason in expected.deviations.values())


def test_moto_matches_its_committed_file(tmp_path: Path) -> None:
    done = run_moto(EXPECTATIONS / "moto.toml", tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize(
    "drop, departure",
    [
        ('"CKS-KEY-010"', "CKS-KEY-010 failed"),
        ('"DescribeCustomKeyStores"', "DescribeCustomKeyStores unsupported"),
    ],
)
def test_a_doctored_file_fails_the_run(tmp_path: Path, drop: str, departure: str) -> None:
    lines = (EXPECTATIONS / "moto.toml").read_text().splitlines()
    doctored = tmp_path / "doctored.toml"
    doctored.write_text("\n".join(line for line in lines if not line.startswith(drop)) + "\n")
    done = run_moto(doctored, tmp_path)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "departs from its expectations file" in done.stdout and departure in done.stdout


def test_the_emulators_session_accepts_no_failing_exit_status() -> None:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    session = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "emulators"
    )
    keywords = {
        k.arg for node in ast.walk(session) if isinstance(node, ast.Call) for k in node.keywords
    }
    assert "success_codes" not in keywords


def test_a_moto_run_fits_one_screen_and_every_report_agrees_with_its_exit_status(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", "moto"]
    command += ["--profile", "ci", "--seed", "0", "--report-dir", str(tmp_path / "r")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1  # moto fails the CreateKey rules (see its expectations file)
    # one progress line per check module (nine), the area table, findings, verdict
    assert len(done.stdout.splitlines()) <= 64, done.stdout
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["verdict"]["exit_code"] == done.returncode
    assert results["verdict"]["word"] == "NOT CONFORMANT" and "certified" not in results
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert summary.startswith("# kscheck run: NOT CONFORMANT")
    assert "- Target: moto (" in summary and "exit status 1" in summary
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert f'failures="{results["counts"]["FAIL"]}"' in junit
    assert 'name="kscheck run: moto' in junit and results["duration_seconds"] > 0
