"""Every emulator fault makes `kscheck run` fail exactly the requirements it breaks; the
clean emulator passes, and every control-plane rule is reached (PASS) on it.

Each fault runs `kscheck run` in a subprocess (the real CLI, the real emulator, real fake
proxies) on the checks that reach the defect, and reads results.json. Two run at a time.
The clean run is made once per module and shared by the checks of its results.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.faults import EMULATOR_FAULTS
from conformance.spec.cks_requirements import CKS_REQUIREMENTS
from conformance.spec.reach import MODEL_ONLY, NOT_REACHED_ON_EMULATOR

#: fault -> (the checks that reach the defect, as -k; the exact set of requirements the run
#: must FAIL, side effects included). The full `kscheck run` catches each too; the narrow
#: selection keeps this self-test fast.
FAULT_EXPECTATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "owner_not_described": ("vpc_store_is_described", frozenset({"CKS-OWNER-007"})),
    "creation_date_missing": ("public_store_connects", frozenset({"CKS-DESCRIBE-005"})),
    "error_code_missing": ("failing_backend", frozenset({"CKS-DESCRIBE-009"})),
    "limit_ignored": ("describe_pages", frozenset({"CKS-PAGE-001"})),
    "name_length_unchecked": ("CustomKeyStoreName-above_max", frozenset({"CKS-SHAPE-002"})),
    "proxy_not_checked": (
        "refused_when_its_proxy",
        frozenset({"CKS-XKS-003", "CKS-XKS-004", "CKS-XKS-005", "CKS-XKS-007"}),
    ),
    "connect_always_succeeds": ("failing_backend", frozenset({"CKS-DESCRIBE-010"})),
    "delete_ignores_state": ("respect_the_connection_state", frozenset({"CKS-STATE-003"})),
    "not_found_as_validation": (
        "unknown_store_id",
        # the unknown ID: Describe (DESCRIBE-004), CreateKey (KEY-010), the others (STATE-006)
        frozenset({"CKS-STATE-006", "CKS-DESCRIBE-004", "CKS-KEY-010"}),
    ),
    "synchronous_connect_errors": ("failing_backend", frozenset({"CKS-CONNECT-001"})),
    "client_errors_as_500": ("keys_without_a_store", frozenset({"CKS-WIRE-001"})),
    "store_less_keys": (
        "keys_without_a_store",
        # an XksKeyId with the AWS_KMS origin names no store: refused as KEY-003 all the same
        frozenset({"CKS-KEY-002", "CKS-KEY-010"}),
    ),
}
#: a secret member followed by a value that is not redacted (the proxies' secrets are random;
#: junit.xml escapes the '<' of '<redacted>')
SECRET_VALUE = re.compile(
    r"(RawSecretAccessKey|KeyStorePassword)\\?['\"]?\s*[:=]\s*\\?['\"](?!'?(<|&lt;)redacted)"
)


def run_kscheck(fault: str | None, keyword: str, report_dir: Path) -> tuple[int, dict[str, Any]]:
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", "ci", "--seed", "7"]
    command.append("--no-shrink")
    command += ["-k", keyword] if keyword else []
    command += ["--report-dir", str(report_dir)]
    if fault is not None:
        command += ["--emulator-fault", fault]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    results = json.loads((report_dir / "results.json").read_text())
    return done.returncode, results


def failed_requirements(results: dict[str, Any]) -> set[str]:
    return {r["id"] for r in results["requirements"] if r["outcome"] == "FAIL"}


def test_every_fault_has_an_expectation() -> None:
    assert set(FAULT_EXPECTATIONS) == set(EMULATOR_FAULTS)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    """The whole `kscheck run` against the clean emulator (ci profile, fixed seed), once."""
    return run_kscheck(None, "", tmp_path_factory.mktemp("clean"))


def test_the_clean_emulator_passes_every_control_plane_check(
    clean_run: tuple[int, dict[str, Any]],
) -> None:
    """A conformant target must not be failed."""
    code, results = clean_run
    problems = {
        r["id"]: r["outcome"] for r in results["requirements"] if r["outcome"] in ("FAIL", "ERROR")
    }
    assert problems == {}
    assert code == 0


def test_every_control_plane_rule_is_reached_on_the_clean_emulator(
    clean_run: tuple[int, dict[str, Any]],
) -> None:
    """The honest figure: every CKS rule is PASS, i.e. a check reached it and the emulator's
    answer matched, except the listed ones (conformance/spec/reach.py, each with a reason).
    Fails when a check stops reaching a rule."""
    _, results = clean_run
    outcomes = {r["id"]: r["outcome"] for r in results["requirements"]}
    excused = set(MODEL_ONLY) | set(NOT_REACHED_ON_EMULATOR)
    not_pass = {
        r.id: f"{outcomes.get(r.id)}: {reason_of(results, r.id)}"
        for r in CKS_REQUIREMENTS
        if r.id not in excused and outcomes.get(r.id) != "PASS"
    }
    assert not_pass == {}, f"rules not reached on the emulator: {not_pass}"
    now_pass = sorted(rid for rid in excused if outcomes.get(rid) == "PASS")
    assert now_pass == [], f"listed as unreachable but PASS: drop them from the lists {now_pass}"


def reason_of(results: dict[str, Any], rid: str) -> str:
    return next((r["reason"] for r in results["requirements"] if r["id"] == rid), "absent")


@pytest.mark.requirement("CKS-SECRET-003")
def test_each_emulator_fault_fails_a_requirement_it_breaks(tmp_path: Path) -> None:
    def one(fault: str) -> tuple[str, int, set[str]]:
        keyword, _ = FAULT_EXPECTATIONS[fault]
        code, results = run_kscheck(fault, keyword, tmp_path / fault)
        return fault, code, failed_requirements(results)

    with ThreadPoolExecutor(max_workers=2) as pool:
        observed = list(pool.map(one, sorted(FAULT_EXPECTATIONS)))
    wrong = {
        fault: sorted(failed)
        for fault, code, failed in observed
        if code != 1 or failed != FAULT_EXPECTATIONS[fault][1]
    }
    assert wrong == {}, f"faults not caught exactly as listed (fault: FAILed requirements): {wrong}"
    for fault, _, _ in observed:
        for path in (tmp_path / fault).iterdir():
            text = path.read_text()
            assert "kmsuser-pass" not in text, f"{fault}: a password reached {path.name}"
            leaked = SECRET_VALUE.search(text)
            assert leaked is None, f"{fault}: a secret reached {path.name}: {leaked[0][:30]}"
