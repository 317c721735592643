"""Every CKS requirement is named by a check that runs against a target.

Coverage means a check under ``conformance/checks/cks`` names the requirement; self-tests of
the model against itself earn none. The checks are collected in a subprocess with the
kscheck plugin (so the markers are the ones ``kscheck run`` grades, parametrized and
class-level marks included) and a small plugin that writes each item's requirement IDs.
The only exceptions are the rules no API call can reach (:data:`MODEL_ONLY`, each with its
reason). That the named rules are also *reached* is held by the clean-emulator run in
``tests/emulator/test_emulator_faults.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.spec.cks_requirements import CKS_REQUIREMENTS
from conformance.spec.reach import MODEL_ONLY, NOT_REACHED_ON_EMULATOR

TESTS = Path(__file__).resolve().parents[1]
CHECKS = TESTS.parent / "conformance" / "checks" / "cks"


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
        "conformance.pytest_plugin",  # the markers are the plugin's; it loads only when asked
        "-p",
        "requirement_marker_dump",
        str(CHECKS),
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, cwd=TESTS.parent, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    loaded: dict[str, list[str]] = json.loads(dump.read_text())
    return loaded


def test_collection_saw_the_control_plane_checks(marker_ids: dict[str, list[str]]) -> None:
    files = {nodeid.split("::")[0] for nodeid in marker_ids}
    assert files and all("conformance/checks/cks/" in f for f in files), sorted(files)[:5]
    assert any(f.endswith("test_stateful.py") for f in files)
    assert sum(bool(ids) for ids in marker_ids.values()) > len(CKS_REQUIREMENTS)


def test_every_cks_requirement_is_named_by_a_check(marker_ids: dict[str, list[str]]) -> None:
    named = {rid for ids in marker_ids.values() for rid in ids}
    unnamed = sorted(r.id for r in CKS_REQUIREMENTS if r.id not in named and r.id not in MODEL_ONLY)
    assert unnamed == [], f"requirements no check names (and not model-only): {unnamed}"


def test_model_only_requirements_are_named_by_no_check(marker_ids: dict[str, list[str]]) -> None:
    """A model-only rule that a check names is not model-only: drop it from the list."""
    named = {rid for ids in marker_ids.values() for rid in ids}
    assert sorted(named & set(MODEL_ONLY)) == []


def test_the_exception_lists_hold_known_requirements_with_reasons() -> None:
    known = {r.id for r in CKS_REQUIREMENTS}
    for listed in (MODEL_ONLY, NOT_REACHED_ON_EMULATOR):
        assert set(listed) <= known
        assert all(len(reason) > 20 for reason in listed.values())
    assert not set(MODEL_ONLY) & set(NOT_REACHED_ON_EMULATOR)
