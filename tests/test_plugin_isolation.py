"""Installing kscheck changes nothing in another project's pytest run.

The kscheck plugin is no entry point: it loads only in kscheck's own sessions or when a
pytest run asks for it with ``-p conformance.pytest_plugin``. A foreign test file that
happens to use a ``requirement`` marker keeps its plain pytest outcomes.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

FOREIGN_TESTS = """
import pytest


@pytest.mark.requirement("CKS-SHAPE-001")
def test_a_foreign_failure_stays_a_failure():
    assert 1 + 1 == 3


@pytest.mark.requirement("CKS-SHAPE-002")
def test_a_foreign_pass_stays_a_pass():
    assert True


@pytest.mark.requirement("NOT-A-KSCHECK-ID")
def test_a_foreign_marker_with_any_argument_is_collected():
    assert True
"""


def _pytest(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, "."]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=120, check=False
    )


def test_kscheck_registers_no_pytest_entry_point() -> None:
    groups = metadata.entry_points(group="pytest11")
    assert [e for e in groups if e.value.startswith("conformance")] == []


def test_a_foreign_suite_keeps_its_outcomes(tmp_path: Path) -> None:
    (tmp_path / "test_foreign.py").write_text(FOREIGN_TESTS)
    done = _pytest(tmp_path)
    assert done.returncode == 1, done.stdout
    assert "1 failed, 2 passed" in done.stdout
    assert "[CKS-SHAPE-001]" not in done.stdout  # no kscheck finding text replaced pytest's
    assert "PytestUnknownMarkWarning" in done.stdout  # the marker is unknown: no plugin there


def test_the_plugin_loads_when_asked_for(tmp_path: Path) -> None:
    (tmp_path / "test_foreign.py").write_text(FOREIGN_TESTS)
    done = _pytest(tmp_path, "-p", "conformance.pytest_plugin")
    assert done.returncode != 0  # the plugin refuses the unknown requirement ID at collection
    assert "NOT-A-KSCHECK-ID" in done.stdout + done.stderr
