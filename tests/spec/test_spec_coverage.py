"""Every CKS requirement is exercised by at least one self-test in tests/model or tests/spec.

The test collects those directories in a subprocess with a small plugin that writes every
collected test's ``requirement`` marker IDs, so parametrized and class-level marks count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.spec.cks_requirements import CKS_REQUIREMENTS

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def marker_ids(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    dump = tmp_path_factory.mktemp("markers") / "markers.json"
    env = dict(os.environ, KSCHECK_MARKER_DUMP=str(dump))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(TESTS / "spec"), env.get("PYTHONPATH", "")) if p
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "requirement_marker_dump",
        str(TESTS / "model"),
        str(TESTS / "spec"),
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, cwd=TESTS.parent, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    loaded: dict[str, list[str]] = json.loads(dump.read_text())
    return loaded


def test_collection_saw_the_model_and_spec_tests(marker_ids: dict[str, list[str]]) -> None:
    files = {nodeid.split("::")[0] for nodeid in marker_ids}
    assert any("tests/model/" in f for f in files) and any("tests/spec/" in f for f in files)
    assert sum(bool(ids) for ids in marker_ids.values()) > len(CKS_REQUIREMENTS)


def test_every_cks_requirement_has_a_self_test(marker_ids: dict[str, list[str]]) -> None:
    tested = {rid for ids in marker_ids.values() for rid in ids}
    untested = sorted(r.id for r in CKS_REQUIREMENTS if r.id not in tested)
    assert untested == [], f"requirements without a self-test: {untested}"
