"""Known deviations: listed failures do not fail `kscheck run`; unlisted ones and fixed ones
are reported; a bad file is a usage error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hermetic import hermetic_environment

from conformance.report.expectations import ExpectationsError, parse_expectations


def test_an_unknown_requirement_id_is_refused() -> None:
    with pytest.raises(ExpectationsError, match="CKS-NOPE-001"):
        parse_expectations('[deviations]\n"CKS-NOPE-001" = "why"\n')


def test_a_deviation_needs_a_reason() -> None:
    with pytest.raises(ExpectationsError, match="needs a reason"):
        parse_expectations('[deviations]\n"CKS-PAGE-001" = ""\n')


def test_broken_toml_is_refused_naming_the_file() -> None:
    with pytest.raises(ExpectationsError, match=r"x\.toml: not valid TOML"):
        parse_expectations("[deviations", source="x.toml")


def run(tmp_path: Path, expectations: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "expectations.toml"
    path.write_text(expectations)
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", "ci", "--seed", "3"]
    command += ["--no-shrink", "--emulator-fault", "limit_ignored", "-k", "describe_pages"]
    command += ["--expectations", str(path), "--report-dir", str(tmp_path / "r")]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=hermetic_environment()
    )


def test_a_listed_failure_keeps_the_run_green_and_an_unlisted_one_does_not(
    tmp_path: Path,
) -> None:
    listed = run(tmp_path, '[deviations]\n"CKS-PAGE-001" = "Limit not implemented"\n')
    assert listed.returncode == 0, listed.stdout[-1500:]
    assert "CONFORMANT EXCEPT KNOWN DEVIATIONS" in listed.stdout
    other = run(tmp_path, '[deviations]\n"CKS-QUOTA-001" = "not this one"\n')
    assert other.returncode == 1
    assert "departs from its expectations file: CKS-PAGE-001 failed" in other.stdout


def test_a_listed_requirement_that_passes_fails_the_run(tmp_path: Path) -> None:
    done = run(tmp_path, '[deviations]\n"CKS-PAGE-001" = "x"\n"CKS-PAGE-003" = "fixed since"\n')
    assert done.returncode == 1
    assert "CKS-PAGE-003 passed (listed as a deviation)" in done.stdout


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ExpectationsError, match="NoSuchOperation"):
        parse_expectations('[unsupported]\n"NoSuchOperation" = "why"\n')
