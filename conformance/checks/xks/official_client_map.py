"""Every case of the official XKS test client and the kscheck check that covers it.

The official client (aws-samples/aws-kms-xksproxy-test-client v1.1.0, digest §9) greps curl
output for a word; kscheck asserts the HTTP status, the errorName and the body. One row per
case; ``checks`` names test functions of this package (``module::function``) and ``ids``
the requirements they grade. A self-test verifies that every named check exists, carries
those requirement markers, and that the case counts match the digest (35 default cases,
14 more with ``-a``, 2 more with mTLS).

>>> len(OFFICIAL_CLIENT_CASES), sum(c.runs for c in OFFICIAL_CLIENT_CASES)
(49, 51)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfficialCase:
    """One case of the official client: script, label, what it greps, kscheck's counterpart.

    `runs` is how many times the client runs it (one pair runs twice under one name);
    `group` is ``default``, ``-a`` (only with ``test-xks-proxy -a``) or ``mtls``.
    """

    script: str
    label: str
    expects: str
    checks: tuple[str, ...]
    ids: tuple[str, ...]
    group: str = "default"
    runs: int = 1


def _c(
    script: str,
    label: str,
    expects: str,
    check: str,
    rid: str,
    group: str = "default",
    runs: int = 1,
) -> OfficialCase:
    return OfficialCase(script, label, expects, (check,), (f"XKS-{rid}",), group, runs)


H, M, E = "test_get_health_status", "test_get_key_metadata", "test_encrypt_decrypt"
EO, DO, IM, MT = (
    "test_encrypt_only_key",
    "test_decrypt_only_key",
    "test_impotent_key",
    "test_negative_mtls",
)

HEALTH_OK = "test_health::test_health_answers_with_the_exact_schema"
HEALTH_BAD_RM = "test_health::test_health_without_request_metadata_is_refused"
BAD_AKID = "test_sigv4::test_an_unknown_access_key_id_is_refused_with_401"
BAD_SECRET = "test_sigv4::test_a_wrong_secret_is_refused_with_401"
BAD_PATH = "test_transport::test_paths_outside_the_api_are_refused_with_invalid_uri_path"
META_OK = "test_metadata::test_metadata_answers_with_the_three_fields"
MISSING = "test_validation::test_a_missing_required_field_gets_a_400"
NOT_FOUND = "test_metadata::test_an_unknown_key_is_refused_with_404_key_not_found"
ROUND_TRIP = "test_crypto::test_the_official_client_plaintexts_round_trip"
AAD_MISMATCH = "test_tamper::test_the_official_client_aad_mismatches_fail_decrypt"
CDIV = "test_crypto::test_cdiv_is_the_sha256_of_the_spec_fields_and_decrypt_then_works"
LARGE = "test_crypto::test_the_largest_required_plaintext_and_aad_round_trip"
ENC_ONLY = "test_key_usage::test_an_encrypt_only_key_encrypts_but_refuses_decrypt"
ENC_ONLY_CDIV = "test_key_usage::test_an_encrypt_only_key_refuses_encrypt_with_cdiv"
DEC_ONLY = "test_key_usage::test_a_decrypt_only_key_refuses_encrypt"
IMPOTENT = "test_key_usage::test_a_key_without_usages_refuses_encrypt"
SELF_SIGNED = "test_tls::test_a_self_signed_client_certificate_is_refused"
EXPIRED = "test_tls::test_an_expired_client_certificate_is_refused"

AUTH_FAILED, VALIDATION = "AuthenticationFailedException", "ValidationException"
BAD_CT, BAD_USAGE, TLS_ALERT = "InvalidCiphertextException", "InvalidKeyUsageException", "TLS alert"
CT, PT, CDIV_OUT = '"ciphertext":', '"plaintext":', '"ciphertextDataIntegrityValue":'

OFFICIAL_CLIENT_CASES: tuple[OfficialCase, ...] = (
    # test_get_health_status (6)
    _c(H, "valid GetHealthStatus", '"healthStatus":', HEALTH_OK, "HEALTH-001"),
    _c(H, "body {}", VALIDATION, HEALTH_BAD_RM, "HEALTH-004"),
    _c(H, "empty requestMetadata", VALIDATION, HEALTH_BAD_RM, "HEALTH-004"),
    _c(H, "AKID prefixed Invalid", AUTH_FAILED, BAD_AKID, "AUTH-002"),
    _c(H, "secret prefixed Invalid", AUTH_FAILED, BAD_SECRET, "AUTH-003"),
    _c(H, "prefix + /invalid", "InvalidUriPathException", BAD_PATH, "HTTP-005"),
    # test_get_key_metadata (8)
    _c(M, "kmsOperation DescribeKey", '"keyStatus":', META_OK, "META-001"),
    _c(M, "kmsOperation CreateKey", '"keyStatus":', META_OK, "META-001"),
    _c(M, "body {}", VALIDATION, MISSING, "VAL-001"),
    _c(M, "empty requestMetadata", VALIDATION, MISSING, "VAL-001"),
    _c(M, "non_existing_key", "KeyNotFoundException", NOT_FOUND, "META-005"),
    _c(M, "AKID prefixed Invalid", AUTH_FAILED, BAD_AKID, "AUTH-002"),
    _c(M, "secret prefixed Invalid", AUTH_FAILED, BAD_SECRET, "AUTH-003"),
    _c(M, "prefix + /invalid", "InvalidUriPathException", BAD_PATH, "HTTP-005"),
    # test_encrypt_decrypt (21)
    _c(E, "encrypt to non_existing_key", "KeyNotFoundException", NOT_FOUND, "META-005"),
    _c(E, "encrypt without plaintext", VALIDATION, MISSING, "VAL-001"),
    _c(E, "encrypt, AKID prefixed Invalid", AUTH_FAILED, BAD_AKID, "AUTH-002"),
    _c(E, "encrypt, secret prefixed Invalid", AUTH_FAILED, BAD_SECRET, "AUTH-003"),
    _c(E, "encrypt, bad path", "InvalidUriPathException", BAD_PATH, "HTTP-005"),
    _c(E, "PT1+AAD1 encrypt", CT, ROUND_TRIP, "CRYPT-006", runs=2),
    _c(E, "PT1+AAD1 -> decrypt without AAD", BAD_CT, AAD_MISMATCH, "TAMPER-002", runs=2),
    _c(E, "PT1+AAD1 encrypt (for AAD2)", CT, ROUND_TRIP, "CRYPT-006"),
    _c(E, "PT1+AAD1 -> decrypt with AAD2", BAD_CT, AAD_MISMATCH, "TAMPER-002"),
    _c(E, "PT2 encrypt", CT, ROUND_TRIP, "CRYPT-006"),
    _c(E, "PT2 decrypt", PT, ROUND_TRIP, "CRYPT-006"),
    _c(E, "PT2+AAD1 encrypt", CT, ROUND_TRIP, "CRYPT-006"),
    _c(E, "PT2+AAD1 decrypt", PT, ROUND_TRIP, "CRYPT-006"),
    _c(E, "PT2+AAD1+SHA_256 encrypt (CDIV recomputed)", CDIV_OUT, CDIV, "CRYPT-009"),
    _c(E, "PT2+AAD1+SHA_256 decrypt", PT, CDIV, "CRYPT-009"),
    _c(E, "PT2+SHA_256 encrypt, no AAD", CDIV_OUT, CDIV, "CRYPT-009"),
    _c(E, "PT2+SHA_256 decrypt, no AAD", PT, CDIV, "CRYPT-009"),
    _c(E, "large PT+AAD encrypt", CT, LARGE, "CRYPT-007"),
    _c(E, "large PT+AAD decrypt", PT, LARGE, "CRYPT-007"),
    # test_encrypt_only_key (6, -a)
    _c(EO, "encrypt with AAD", CT, ENC_ONLY, "USAGE-001", "-a"),
    _c(EO, "decrypt with AAD", BAD_USAGE, ENC_ONLY, "USAGE-001", "-a"),
    _c(EO, "encrypt without AAD", CT, ENC_ONLY, "USAGE-001", "-a"),
    _c(EO, "decrypt without AAD", BAD_USAGE, ENC_ONLY, "USAGE-001", "-a"),
    _c(EO, "encrypt+CDIV with AAD", BAD_USAGE, ENC_ONLY_CDIV, "USAGE-002", "-a"),
    _c(EO, "encrypt+CDIV without AAD", BAD_USAGE, ENC_ONLY_CDIV, "USAGE-002", "-a"),
    # test_decrypt_only_key and test_impotent_key (4 each, -a)
    *(
        _c(script, label, BAD_USAGE, check, rid, "-a")
        for script, check, rid in ((DO, DEC_ONLY, "USAGE-003"), (IM, IMPOTENT, "USAGE-004"))
        for label in ("encrypt AAD", "encrypt no AAD", "encrypt AAD+CDIV", "encrypt CDIV only")
    ),
    # test_negative_mtls (2, only with MTLS)
    _c(MT, "expired client certificate", TLS_ALERT, EXPIRED, "MTLS-004", "mtls"),
    _c(MT, "self-signed client certificate", TLS_ALERT, SELF_SIGNED, "MTLS-003", "mtls"),
)


def cases_in_group(group: str) -> tuple[OfficialCase, ...]:
    """The cases of one group (``default``, ``-a`` or ``mtls``)."""
    return tuple(case for case in OFFICIAL_CLIENT_CASES if case.group == group)


def render_markdown_table() -> str:
    """The mapping as a Markdown table (docs/certify.md embeds it)."""
    rows = [
        "| Official script | Case | Client greps for | kscheck check | Requirement |",
        "|---|---|---|---|---|",
    ]
    for case in OFFICIAL_CLIENT_CASES:
        times = f" (x{case.runs})" if case.runs > 1 else ""
        group = "" if case.group == "default" else f" [{case.group}]"
        checks = "<br>".join(f"`{c.split('::')[1]}`" for c in case.checks)
        expects = case.expects.replace("|", "\\|")
        rows.append(
            f"| {case.script}{group} | {case.label}{times} | `{expects}` | {checks} | "
            f"{', '.join(case.ids)} |"
        )
    return "\n".join(rows) + "\n"
