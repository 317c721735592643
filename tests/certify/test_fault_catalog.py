"""Every fault of the fake proxy's catalog is caught by ``kscheck certify``, for the right
reason: the run grades a requirement that the fault really breaks, and fails no requirement
the fault has nothing to do with.

``EXPECTATIONS`` is the explicit mapping fault -> (grade, primary IDs, collateral IDs). At
least one primary requirement must get the grade; every FAIL of the run must be primary or
collateral. Collateral lists the requirements whose checks cannot pass once the primary one
is broken (e.g. no HTTPS session at all, or every error answered without a body).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from certify_runs import CertifyRun

from conformance.spec.xks_requirements import xks_requirement
from conformance.xks.faults import FAULTS


@dataclass(frozen=True)
class Expect:
    """What a fault must produce: `grade` on one of `primary`; FAILs only in primary+also."""

    grade: str
    primary: frozenset[str]
    also: frozenset[str] = frozenset()
    why: str = ""


def _ids(*parts: str) -> frozenset[str]:
    """``_ids("AUTH-002", "VAL-001")`` -> the full XKS IDs."""
    return frozenset(f"XKS-{p}" for p in parts)


FAIL, NON_STRICT, INFO = "FAIL", "NON_STRICT", "INFO"

#: Requirements whose checks need *some* HTTPS session with the server certificate verified.
NO_SESSION = _ids("MTLS-001")
#: Requirements whose checks expect an error answer (status + errorName).
ERROR_ANSWERS = _ids(
    "HTTP-001",
    "HTTP-005",
    "AUTH-002",
    "AUTH-003",
    "AUTH-004",
    "AUTH-005",
    "AUTH-006",
    "AUTH-007",
    "AUTH-008",
    "AUTH-011",
    "AUTH-012",
    "AUTH-013",
    "AUTH-017",
    "META-005",
    "TAMPER-001",
    "TAMPER-002",
    "TAMPER-003",
    "TAMPER-005",
    "VAL-001",
    "VAL-002",
    "VAL-003",
    "VAL-004",
    "VAL-005",
    "VAL-006",
    "VAL-007",
    "VAL-012",
    "VAL-013",
    "USAGE-001",
    "USAGE-002",
    "USAGE-003",
    "USAGE-004",
    "USAGE-005",
    "ERR-001",
    "ERR-003",
)
#: Requirements whose checks expect a successful JSON answer.
SUCCESS_ANSWERS = _ids(
    "HTTP-001",
    "HTTP-004",
    "AUTH-001",
    "AUTH-010",
    "AUTH-014",
    "AUTH-015",
    "AUTH-017",
    "HEALTH-001",
    "HEALTH-002",
    "HEALTH-003",
    "META-001",
    "META-002",
    "META-003",
    "META-004",
    "CRYPT-001",
    "CRYPT-002",
    "CRYPT-003",
    "CRYPT-004",
    "CRYPT-005",
    "CRYPT-006",
    "CRYPT-007",
    "CRYPT-008",
    "CRYPT-009",
    "CRYPT-010",
    "CRYPT-011",
    "USAGE-001",
    "USAGE-005",
    "VAL-008",
    "VAL-009",
    "VAL-010",
    "VAL-011",
    "MTLS-001",
    "PERF-003",
    "PERF-004",
)

EXPECTATIONS: dict[str, Expect] = {
    "tls_legacy": Expect(FAIL, _ids("TLS-002")),
    "expired_cert": Expect(FAIL, _ids("TLS-004"), NO_SESSION),
    "untrusted_ca": Expect(FAIL, _ids("TLS-004"), NO_SESSION),
    "wrong_hostname": Expect(FAIL, _ids("TLS-004"), NO_SESSION),
    "mtls_not_enforced": Expect(FAIL, _ids("MTLS-002", "MTLS-003", "MTLS-004", "MTLS-005")),
    "get_accepted": Expect(FAIL, _ids("HTTP-002"), _ids("HTTP-003")),
    "wrong_status_codes": Expect(FAIL, _ids("ERR-003", "META-005", "VAL-001"), ERROR_ANSWERS),
    "not_found_as_500": Expect(FAIL, _ids("META-005")),
    "invalid_ciphertext_as_500": Expect(
        FAIL,
        _ids("TAMPER-001", "TAMPER-002"),
        _ids("TAMPER-003", "TAMPER-005", "VAL-007", "ERR-003"),
    ),
    "oversize_as_500": Expect(FAIL, _ids("VAL-012"), _ids("VAL-006")),
    "no_error_body": Expect(FAIL, _ids("HTTP-001", "ERR-001"), ERROR_ANSWERS),
    "bad_error_message": Expect(FAIL, _ids("ERR-002")),
    "invalid_json_responses": Expect(FAIL, _ids("HTTP-001"), SUCCESS_ANSWERS),
    "no_keepalive": Expect(
        NON_STRICT,
        _ids("PERF-003"),
        _ids("PERF-001", "PERF-004"),
        "keep-alive is a SHOULD; a fresh TLS handshake per call can also blow the budgets",
    ),
    "slow": Expect(FAIL, _ids("PERF-001"), _ids("PERF-004")),
    "signature_not_checked": Expect(
        FAIL, _ids("AUTH-002", "AUTH-003", "AUTH-004", "AUTH-006"), ERROR_ANSWERS
    ),
    "skew_not_checked": Expect(NON_STRICT, _ids("AUTH-009"), why="skew rejection is a SHOULD"),
    "region_not_checked": Expect(INFO, _ids("AUTH-016"), why="region pinning is open (OQ5)"),
    "single_credential": Expect(NON_STRICT, _ids("AUTH-015"), why="rotation is a SHOULD"),
    "cross_tenant_credentials": Expect(FAIL, _ids("AUTH-017")),
    "health_requires_authz": Expect(
        FAIL, _ids("HEALTH-003"), SUCCESS_ANSWERS | _ids("HEALTH-004", "HEALTH-005")
    ),
    "unknown_kms_operation_rejected": Expect(FAIL, _ids("VAL-008")),
    "unknown_fields_rejected": Expect(FAIL, _ids("VAL-009")),
    "request_metadata_not_required": Expect(FAIL, _ids("VAL-001")),
    "request_id_validated": Expect(
        FAIL,
        _ids("VAL-010"),
        _ids("HTTP-004"),
        "the bare HTTP/1.1 check sends kmsRequestId 'kscheck-raw', not a UUID",
    ),
    "wrong_key_spec": Expect(FAIL, _ids("META-002")),
    "stale_health": Expect(
        NON_STRICT,
        _ids("HEALTH-005"),
        why="a deep, fresh health check is a SHOULD; a black box cannot tell a 60 s cache apart",
    ),
    "shallow_health": Expect(NON_STRICT, _ids("HEALTH-005"), why="deep health is a SHOULD"),
    "health_fleet_size_zero": Expect(FAIL, _ids("HEALTH-001")),
    "health_missing_fields": Expect(FAIL, _ids("HEALTH-001")),
    "key_usage_ignored": Expect(FAIL, _ids("USAGE-001", "USAGE-002", "USAGE-003", "USAGE-004")),
    "disabled_key_usable": Expect(FAIL, _ids("USAGE-005")),
    "urlsafe_base64": Expect(
        FAIL, _ids("CRYPT-002"), _ids("CRYPT-009"), "the CDIV value is URL-safe base64 too"
    ),
    "unbound_metadata": Expect(FAIL, _ids("TAMPER-003"), _ids("TAMPER-004")),
    "oversized_metadata": Expect(FAIL, _ids("CRYPT-010")),
    "iv_reused": Expect(FAIL, _ids("CRYPT-008")),
    "wrong_iv_length": Expect(FAIL, _ids("CRYPT-003")),
    "wrong_plaintext": Expect(FAIL, _ids("CRYPT-006"), _ids("CRYPT-007", "CRYPT-009")),
    "missing_cdiv": Expect(FAIL, _ids("CRYPT-009")),
    "wrong_cdiv": Expect(FAIL, _ids("CRYPT-009")),
    "ciphertext_length_mismatch": Expect(FAIL, _ids("CRYPT-005")),
    "aad_hashed": Expect(INFO, _ids("CRYPT-013"), why="empty vs absent AAD is open (digest §8.6)"),
}


def test_every_fault_of_the_catalog_has_an_expectation() -> None:
    assert set(EXPECTATIONS) == set(FAULTS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_expectations_name_real_requirements_of_a_fitting_level(name: str) -> None:
    expect = EXPECTATIONS[name]
    levels = {xks_requirement(rid).level.value for rid in expect.primary | expect.also}
    wanted = {"FAIL": "MUST", "NON_STRICT": "SHOULD", "INFO": "MAY"}[expect.grade]
    assert wanted in {xks_requirement(rid).level.value for rid in expect.primary}
    assert levels  # every ID resolved (xks_requirement raises KeyError otherwise)
    if expect.grade != FAIL:
        assert expect.why, f"{name}: a fault graded {expect.grade} needs a justification"


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_fault_is_caught_for_the_right_reason(
    name: str, certify_runs: dict[str, CertifyRun]
) -> None:
    run = certify_runs[f"fault:{name}"]
    expect = EXPECTATIONS[name]
    graded = run.ids_with(expect.grade)
    failed = run.ids_with("FAIL")
    assert not run.ids_with("ERROR"), f"{name}: checks errored: {run.ids_with('ERROR')}"
    assert graded & expect.primary, (
        f"{name}: expected {expect.grade} on one of {sorted(expect.primary)}, "
        f"got FAIL {sorted(failed)}"
    )
    assert failed <= expect.primary | expect.also, (
        f"{name}: failed for the wrong reason: {sorted(failed - expect.primary - expect.also)}"
    )
    assert run.exit_code == (1 if failed else 0)
    assert f"[{sorted(graded & expect.primary)[0]}]" in run.console
