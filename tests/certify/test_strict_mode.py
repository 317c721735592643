"""`--strict` turns a broken SHOULD (NON_STRICT) into a failing exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hermetic import hermetic_environment


def certify(tmp_path: Path, *extra: str) -> int:
    command = [sys.executable, "-m", "conformance.cli", "certify", "--quiet", "--no-shrink"]
    command += ["--fault", "skew_not_checked", "-k", "XKS-AUTH-009"]
    command += ["--report-dir", str(tmp_path), *extra]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=hermetic_environment()
    )
    return done.returncode


def test_a_should_level_fault_fails_only_under_strict(tmp_path: Path) -> None:
    assert certify(tmp_path / "lenient") == 0
    assert certify(tmp_path / "strict", "--strict") == 1
