"""`kscheck run` end to end on targets other than the emulator, and its usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def kscheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_target_without_custom_key_stores_is_unsupported_not_conformant(
    tmp_path: Path,
) -> None:
    done = kscheck("run", "--target", "moto", "--profile", "ci", "--report-dir", str(tmp_path))
    assert done.returncode == 1, done.stdout[-2000:]
    assert "NOTHING VERIFIED" in done.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    outcomes = {r["outcome"] for r in results["requirements"]}
    assert outcomes <= {"UNSUPPORTED", "SKIPPED"}
    assert results["counts"]["UNSUPPORTED"] > 50


def test_an_unknown_target_is_a_usage_error_naming_the_choices() -> None:
    done = kscheck("run", "--target", "localstack-please")
    assert done.returncode == 2
    assert "localstack-please" in done.stderr and "moto-server" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_emulator_fault_is_a_usage_error() -> None:
    done = kscheck("run", "--emulator-fault", "nope")
    assert done.returncode == 2
    assert "nope" in done.stderr and "limit_ignored" in done.stderr


def test_the_aws_target_refuses_without_opt_in() -> None:
    done = kscheck("run", "--target", "aws")
    assert done.returncode == 2
    assert "KSCHECK_AWS_OPT_IN" in done.stderr
