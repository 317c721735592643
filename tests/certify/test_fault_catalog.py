"""Every fault of the fake proxy's catalog is caught by ``kscheck certify``, for the right
reason: the run fails exactly the requirements the fault breaks, no more and no fewer.

``EXPECTATIONS`` maps each fault to (grade, primary IDs, collateral IDs). A FAIL fault must
fail exactly primary + collateral; a NON_STRICT or INFO fault must grade one of its primary
IDs so and fail exactly its collateral (usually nothing). Collateral is listed per fault,
with why where it is not obvious: the requirements whose checks cannot pass once the
primary one is broken (no HTTPS session, no error body, no JSON). The only tolerance is
`timing`: requirements whose outcome depends on this machine's speed, named per fault.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from certify_runs import CertifyRun

from conformance.spec.xks_requirements import xks_requirement
from conformance.xks.faults import FAULTS


@dataclass(frozen=True)
class Expect:
    """What a fault must produce: `grade` on `primary`; FAIL exactly on the listed IDs."""

    grade: str
    primary: frozenset[str]
    also: frozenset[str] = frozenset()
    why: str = ""
    timing: frozenset[str] = frozenset()

    @property
    def failures(self) -> frozenset[str]:
        """The exact FAIL set (`timing` aside)."""
        return (self.primary if self.grade == FAIL else frozenset()) | self.also


def _ids(*parts: str) -> frozenset[str]:
    """``_ids("AUTH-002", "VAL-001")`` -> the full XKS IDs."""
    return frozenset(f"XKS-{p}" for p in parts)


FAIL, NON_STRICT, INFO = "FAIL", "NON_STRICT", "INFO"

#: The latency rules: their outcome depends on how loaded this machine is, so no self-test
#: asserts them unless a fault's primary rule is one (``slow``); benchmarks measure them.
LATENCY_GRADED = _ids("PERF-001", "PERF-002", "PERF-004")

EXPECTATIONS: dict[str, Expect] = {
    "tls_legacy": Expect(FAIL, _ids("TLS-002")),
    "expired_cert": Expect(FAIL, _ids("TLS-004"), _ids("MTLS-001"), "no verified session"),
    "untrusted_ca": Expect(FAIL, _ids("TLS-004"), _ids("MTLS-001"), "no verified session"),
    "wrong_hostname": Expect(FAIL, _ids("TLS-004"), _ids("MTLS-001"), "no verified session"),
    "mtls_not_enforced": Expect(FAIL, _ids("MTLS-002", "MTLS-003", "MTLS-004", "MTLS-005")),
    "get_accepted": Expect(FAIL, _ids("HTTP-002")),
    "wrong_status_codes": Expect(
        FAIL,
        _ids("ERR-003", "META-005", "VAL-001"),
        _ids(
            "META-006",
            "TAMPER-001",
            "TAMPER-002",
            "TAMPER-003",
            "TAMPER-005",
            "USAGE-001",
            "USAGE-002",
            "USAGE-003",
            "USAGE-004",
            "USAGE-005",
            "VAL-002",
            "VAL-003",
            "VAL-004",
            "VAL-005",
            "VAL-006",
            "VAL-007",
            "VAL-012",
            "VAL-013",
        ),
        "every error check needs the status the table gives its errorName (META-006: the "
        "128-character unknown key id needs its 404)",
    ),
    "not_found_as_500": Expect(
        FAIL, _ids("META-005"), _ids("META-006"), "a 128-character unknown key id needs its 404"
    ),
    "invalid_ciphertext_as_500": Expect(
        FAIL,
        _ids("TAMPER-001", "TAMPER-002"),
        _ids("TAMPER-003", "TAMPER-005", "VAL-007", "ERR-003"),
        "every tampered or malformed ciphertext check expects the 400",
    ),
    "oversize_as_500": Expect(
        FAIL,
        _ids("VAL-012"),
        _ids("TAMPER-001", "VAL-006"),
        "oversized AAD too, and a 4300-byte ciphertext extended by one byte",
    ),
    "no_error_body": Expect(
        FAIL,
        _ids("HTTP-001", "ERR-001"),
        _ids(
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
            "AUTH-019",
            "ERR-003",
            "HTTP-005",
            "META-005",
            "META-006",
            "TAMPER-001",
            "TAMPER-002",
            "TAMPER-003",
            "TAMPER-005",
            "USAGE-001",
            "USAGE-002",
            "USAGE-003",
            "USAGE-004",
            "USAGE-005",
            "VAL-001",
            "VAL-002",
            "VAL-003",
            "VAL-004",
            "VAL-005",
            "VAL-006",
            "VAL-007",
            "VAL-012",
            "VAL-013",
        ),
        "every error check reads the errorName of the body",
    ),
    "bad_error_message": Expect(FAIL, _ids("ERR-002")),
    "invalid_json_responses": Expect(
        FAIL,
        _ids("HTTP-001"),
        _ids(
            "AUTH-001",
            "AUTH-010",
            "AUTH-014",
            "AUTH-017",
            "CRYPT-001",
            "CRYPT-007",
            "HEALTH-001",
            "HEALTH-002",
            "META-001",
            "META-002",
            "META-003",
            "META-004",
            "MTLS-001",
            "USAGE-001",
            "USAGE-005",
        ),
        "every success check parses the JSON answer",
    ),
    "no_keepalive": Expect(
        NON_STRICT,
        _ids("PERF-003"),
        why="keep-alive is a SHOULD",
        timing=_ids("PERF-001", "PERF-004"),  # a fresh TLS handshake per call may blow them
    ),
    "slow": Expect(FAIL, _ids("PERF-001"), timing=_ids("PERF-004")),
    "signature_not_checked": Expect(
        FAIL,
        _ids("AUTH-002", "AUTH-003", "AUTH-004", "AUTH-006"),
        _ids(
            "AUTH-005",
            "AUTH-007",
            "AUTH-008",
            "AUTH-011",
            "AUTH-012",
            "AUTH-013",
            "AUTH-017",
            "AUTH-019",
            "ERR-001",
            "ERR-003",
        ),
        "every mis-signed request is answered 200, with no error body",
    ),
    "skew_not_checked": Expect(NON_STRICT, _ids("AUTH-009"), why="skew rejection is a SHOULD"),
    "region_not_checked": Expect(INFO, _ids("AUTH-016"), why="region pinning is open (OQ5)"),
    "single_credential": Expect(NON_STRICT, _ids("AUTH-015"), why="rotation is a SHOULD"),
    "cross_tenant_credentials": Expect(FAIL, _ids("AUTH-017")),
    "health_requires_authz": Expect(
        FAIL,
        _ids("HEALTH-003"),
        _ids(
            "AUTH-001",
            "AUTH-010",
            "AUTH-014",
            "AUTH-017",
            "HEALTH-001",
            "HEALTH-002",
            "HTTP-004",
            "MTLS-001",
            "PERF-004",
            "VAL-008",
            "VAL-009",
            "VAL-010",
        ),
        "every check that uses health as its probe meets the 403",
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
    "unbound_metadata": Expect(FAIL, _ids("TAMPER-003")),
    "oversized_metadata": Expect(FAIL, _ids("CRYPT-010")),
    "iv_reused": Expect(FAIL, _ids("CRYPT-008")),
    "wrong_iv_length": Expect(FAIL, _ids("CRYPT-003")),
    "wrong_plaintext": Expect(
        FAIL,
        _ids("CRYPT-006"),
        _ids("CRYPT-007", "CRYPT-009", "CRYPT-014"),
        "every round trip breaks, the parallel ones too",
    ),
    "missing_cdiv": Expect(FAIL, _ids("CRYPT-009")),
    "wrong_cdiv": Expect(FAIL, _ids("CRYPT-009")),
    "ciphertext_length_mismatch": Expect(FAIL, _ids("CRYPT-005")),
    "aad_hashed": Expect(INFO, _ids("CRYPT-013"), why="empty vs absent AAD is open (digest §8.6)"),
    # --- subtle faults (issue 13): one position, boundary, kmsOperation, optional field,
    # repetition or concurrency; each caught by the property written for its class
    "tag_prefix_checked": Expect(FAIL, _ids("TAMPER-001")),
    "metadata_last_byte_unbound": Expect(FAIL, _ids("TAMPER-003")),
    "aad_tail_unbound": Expect(FAIL, _ids("TAMPER-002")),
    "long_tag_truncated": Expect(FAIL, _ids("VAL-007")),
    "iv_extension_ignored": Expect(FAIL, _ids("VAL-007")),
    "plaintext_buffer_4096": Expect(
        FAIL,
        _ids("CRYPT-005"),
        _ids("CRYPT-006", "CRYPT-007"),
        "the cut plaintext cannot round-trip, at 4300 B either",
    ),
    "metadata_21_crash": Expect(FAIL, _ids("VAL-006")),
    "iv_17_crash": Expect(FAIL, _ids("VAL-007")),
    "key_id_128_refused": Expect(FAIL, _ids("META-006")),
    "reencrypt_skips_usage": Expect(FAIL, _ids("USAGE-001", "USAGE-003", "USAGE-004")),
    "generate_data_key_on_disabled": Expect(FAIL, _ids("USAGE-005")),
    "create_key_reports_enabled": Expect(FAIL, _ids("USAGE-005")),
    "via_service_required": Expect(FAIL, _ids("VAL-015")),
    "vpc_fields_crash": Expect(FAIL, _ids("VAL-015")),
    "every_tenth_decrypt_wrong": Expect(
        FAIL,
        _ids("CRYPT-006"),
        _ids("CRYPT-009", "CRYPT-014"),
        "the CDIV property and the parallel clients each decrypt more than ten times",
    ),
    "health_flaky_schema": Expect(FAIL, _ids("HEALTH-001")),
    "shared_plaintext_buffer": Expect(FAIL, _ids("CRYPT-014")),
    "iv_counter_race": Expect(FAIL, _ids("CRYPT-008")),
    "signature_prefix_compared": Expect(FAIL, _ids("AUTH-019")),
    "content_sha256_trusted": Expect(FAIL, _ids("AUTH-019")),
    "host_unsigned_accepted": Expect(
        NON_STRICT, _ids("AUTH-020"), why="KMS signs host, but no rule obliges it (digest §8.7)"
    ),
    "ciphertext_error_control_chars": Expect(FAIL, _ids("ERR-002")),
    "usage_error_message_too_long": Expect(FAIL, _ids("ERR-002")),
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
    tolerated = (LATENCY_GRADED | expect.timing) - expect.primary
    assert failed - tolerated == expect.failures - tolerated, (
        f"{name}: failed {sorted(failed - tolerated)}, "
        f"expected exactly {sorted(expect.failures - tolerated)}"
    )
    assert run.exit_code == (1 if failed else 0)
    assert f"[{sorted(graded & expect.primary)[0]}]" in run.console
