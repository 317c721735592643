"""The fault catalog of the fake XKS proxy: each fault copies one real-world defect class.

A fault is switched on per proxy instance by name (``start_fake_proxy(faults=["slow"])``)
and changes exactly one observable behaviour, so that a conformance check can be shown to
catch it. Sources are the spec digest's tags (``/work/shared/spec/xks-proxy-api.md``):
[SPEC], [REF] the reference proxy, [TC] the official test client, Cosmian, toyxks, yxks.

>>> from conformance.xks.faults import FAULTS, validate_fault_names
>>> FAULTS["slow"].category
'http'
>>> sorted(validate_fault_names(["slow", "iv_reused"]))
['iv_reused', 'slow']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: Extra latency added by the ``slow`` fault; KMS gives up after 250 ms [SPEC §7].
SLOW_FAULT_DELAY_SECONDS = 0.3


@dataclass(frozen=True)
class Fault:
    """One switchable defect of the fake proxy.

    ``informational`` marks behaviours the spec leaves open (a check should report INFO,
    not FAIL, when it sees them).

    >>> Fault("x", "does x", "made up", "http").informational
    False
    """

    name: str
    summary: str
    imitates: str
    category: str
    informational: bool = False


_CATALOG: tuple[Fault, ...] = (
    # --- TLS ---------------------------------------------------------------------------
    Fault(
        "tls_legacy",
        "TLS 1.0 and 1.1 are accepted as well as 1.2/1.3",
        "proxies behind old load balancers; KMS needs TLS >= 1.2 [SPEC §1]",
        "tls",
    ),
    Fault(
        "expired_cert",
        "the server certificate expired yesterday",
        "forgotten certificate renewal (XKS_PROXY_INVALID_TLS_CONFIGURATION) [SPEC §5]",
        "tls",
    ),
    Fault(
        "untrusted_ca",
        "the server certificate chains to a CA the client does not trust",
        "private or self-signed CA not in TrustedCertificateAuthorities [SPEC §5]",
        "tls",
    ),
    Fault(
        "wrong_hostname",
        "the server certificate names another host",
        "certificate issued for the wrong FQDN [SPEC §5]",
        "tls",
    ),
    Fault(
        "mtls_not_enforced",
        "with mTLS on, clients without a valid certificate get in",
        "mTLS configured but the handshake never terminated on mismatch [SPEC §5]",
        "tls",
    ),
    # --- HTTP and error bodies ---------------------------------------------------------
    Fault(
        "get_accepted",
        "non-POST methods are processed like POST instead of 405",
        "routers without method guards (TC never checks 405) [SPEC §1]",
        "http",
    ),
    Fault(
        "wrong_status_codes",
        "400-class errors are sent as 401 and KeyNotFound as 418",
        "Cosmian kms error.rs status mapping [digest §11]",
        "http",
    ),
    Fault(
        "not_found_as_500",
        "KeyNotFoundException is answered as 500 InternalException",
        "REF PR #30: CKR_GENERAL_ERROR mapped to InternalException [digest §12]",
        "http",
    ),
    Fault(
        "invalid_ciphertext_as_500",
        "InvalidCiphertextException is answered with HTTP 500",
        "toyxks returns InvalidCiphertextException as 500 [digest §11]",
        "http",
    ),
    Fault(
        "oversize_as_500",
        "inputs above the size limits crash into 500 InternalException",
        "unchecked buffer sizes handed to the HSM [SPEC §3]",
        "http",
    ),
    Fault(
        "no_error_body",
        "error responses carry an empty text/plain body",
        "framework default error pages; KMS then cannot interpret the error [SPEC §6]",
        "http",
    ),
    Fault(
        "bad_error_message",
        "errorMessage holds control characters and exceeds 512 chars",
        "stack traces or HSM dumps leaked into errorMessage [SPEC §3]",
        "http",
    ),
    Fault(
        "invalid_json_responses",
        "successful responses are truncated, invalid JSON",
        "hand-built JSON strings [SPEC §6]",
        "http",
    ),
    Fault(
        "no_keepalive",
        "every response closes the connection",
        "HTTP/1.0-style servers; costs a TLS handshake per call against 250 ms [SPEC §7]",
        "http",
    ),
    Fault(
        "slow",
        f"every API response is delayed by {SLOW_FAULT_DELAY_SECONDS * 1000:.0f} ms",
        "an overloaded HSM; KMS times out after 250 ms [SPEC §7]",
        "http",
    ),
    # --- authentication ----------------------------------------------------------------
    Fault(
        "signature_not_checked",
        "SigV4 is not verified at all (even a missing header passes)",
        "toyxks and yxks have no SigV4 [digest §11]",
        "auth",
    ),
    Fault(
        "skew_not_checked",
        "X-Amz-Date may be any distance from the server clock",
        "verifiers that skip the +-5 minute window [SPEC App. A]",
        "auth",
    ),
    Fault(
        "region_not_checked",
        "a credential scope naming any region is accepted",
        "App. A derives the key from the request's region; REF pins it (OQ5)",
        "auth",
        informational=True,
    ),
    Fault(
        "single_credential",
        "only the first credential of a prefix is accepted",
        "REF and Cosmian keep one credential per prefix: no rotation [SPEC §5]",
        "auth",
    ),
    Fault(
        "cross_tenant_credentials",
        "any tenant's credential works on every URI prefix",
        "a global credential table instead of one per prefix [SPEC §1]",
        "auth",
    ),
    Fault(
        "health_requires_authz",
        "GetHealthStatus is refused with 403 AccessDeniedException",
        "REF sends health through Oso secondary authorization [digest §10]",
        "auth",
    ),
    # --- request validation ------------------------------------------------------------
    Fault(
        "unknown_kms_operation_rejected",
        "a kmsOperation the proxy does not know gives 400",
        "allow-lists of kmsOperation values (REF polar file) [SPEC §2]",
        "validation",
    ),
    Fault(
        "unknown_fields_rejected",
        "unknown request or requestMetadata fields give 400",
        "strict deserialisers (deny_unknown_fields) [SPEC App. B]",
        "validation",
    ),
    Fault(
        "request_id_validated",
        "a kmsRequestId that is not a UUID gives 400 ValidationException",
        "parsers typing kmsRequestId as a UUID because KMS always sends one [SPEC §2]",
        "validation",
    ),
    Fault(
        "request_metadata_not_required",
        "requests without requestMetadata are served",
        "toyxks/yxks ignore requestMetadata; TC expects ValidationException [TC]",
        "validation",
    ),
    # --- metadata, health, keys --------------------------------------------------------
    Fault(
        "wrong_key_spec",
        "GetKeyMetadata reports keySpec RSA_0 instead of AES_256",
        "aws-kms-xks-proxy#53 (TC did not notice) [digest §12]",
        "metadata",
    ),
    Fault(
        "stale_health",
        "health keeps reporting the EKM fleet as it was at start-up",
        "health results cached far beyond the allowed 60 s [SPEC §2]",
        "health",
    ),
    Fault(
        "shallow_health",
        "health reports one ACTIVE EKM whatever the fleet's state",
        "REF: GetTokenInfo on slot 0, always ACTIVE [digest §10]",
        "health",
    ),
    Fault(
        "health_fleet_size_zero",
        "health reports xksProxyFleetSize 0",
        "fleet counters that start at zero [SPEC §2]",
        "health",
    ),
    Fault(
        "health_missing_fields",
        "health omits ekmVendor and ekmFleetDetails",
        "partial health responses (yxks fixed response) [digest §11]",
        "health",
    ),
    Fault(
        "key_usage_ignored",
        "encrypt-only, decrypt-only and no-usage keys do everything",
        "key usage attributes never enforced [SPEC §6]",
        "keys",
    ),
    Fault(
        "disabled_key_usable",
        "a DISABLED key still encrypts and decrypts",
        "key state reported but not enforced [SPEC §6]",
        "keys",
    ),
    # --- crypto ------------------------------------------------------------------------
    Fault(
        "urlsafe_base64",
        "responses use URL-safe base64 without padding",
        "toyxks base64.URLEncoding [digest §11]",
        "crypto",
    ),
    Fault(
        "unbound_metadata",
        "ciphertextMetadata is returned but not bound by the tag",
        "Cosmian puts the key UID in metadata outside the AAD [digest §11]",
        "crypto",
    ),
    Fault(
        "oversized_metadata",
        "ciphertextMetadata is a 36-byte key UUID (limit 20 B)",
        "Cosmian tag-addressed keys [digest §11]",
        "crypto",
    ),
    Fault(
        "iv_reused",
        "every Encrypt uses the same all-zero 12-byte IV",
        "HSMs configured with is_zero_iv_required / counters reset [digest §10]",
        "crypto",
    ),
    Fault(
        "wrong_iv_length",
        "Encrypt uses 8-byte IVs (the spec allows 12 or 16)",
        "HSM mechanisms with short nonces [SPEC §3]",
        "crypto",
    ),
    Fault(
        "wrong_plaintext",
        "Decrypt returns a plaintext with one bit flipped",
        "buffer handling bugs nobody sees: TC never compares plaintexts [TC]",
        "crypto",
    ),
    Fault(
        "missing_cdiv",
        "ciphertextDataIntegrityValue is omitted even when requested",
        "proxies that ignore ciphertextDataIntegrityValueAlgorithm [SPEC §4]",
        "crypto",
    ),
    Fault(
        "wrong_cdiv",
        "ciphertextDataIntegrityValue hashes the length-prefixed HSM AAD",
        "misreading the CDIV formula (it has no lengths) [SPEC §4]",
        "crypto",
    ),
    Fault(
        "ciphertext_length_mismatch",
        "the ciphertext keeps the 16-byte tag appended",
        "HSMs that append the tag, not split off [SPEC §3]",
        "crypto",
    ),
    Fault(
        "aad_hashed",
        "the HSM AAD uses SHA-256(aad), so an empty AAD differs from none",
        "REF's AAD encoding (spec ambiguity 6) [digest §10]",
        "crypto",
        informational=True,
    ),
    # --- subtle defects: they show only at one position, one boundary, one kmsOperation
    # value, one optional field, after repetition or under concurrency (issue 13) ----------
    Fault(
        "tag_prefix_checked",
        "Decrypt verifies only the first 12 bytes of the 16-byte tag",
        "a truncated-tag compare (memcmp with a short length); a flip in the last bytes passes",
        "position",
    ),
    Fault(
        "metadata_last_byte_unbound",
        "the last byte of ciphertextMetadata is left out of the tag",
        "an off-by-one copy of the metadata into the HSM AAD [SPEC §4]",
        "position",
    ),
    Fault(
        "aad_tail_unbound",
        "only the first 4096 bytes of the AAD are bound by the tag",
        "a 4 KiB AAD buffer; the spec asks for 8192 B [SPEC §3]",
        "position",
    ),
    Fault(
        "long_tag_truncated",
        "a Decrypt tag longer than 16 bytes is cut to 16 instead of refused",
        "fixed-size tag buffers filled with a bounded copy [SPEC §3]",
        "position",
    ),
    Fault(
        "iv_extension_ignored",
        "a Decrypt IV of 13 to 15 bytes is cut to 12 instead of refused",
        "a 12-byte nonce buffer filled with a bounded copy [SPEC §3]",
        "position",
    ),
    Fault(
        "plaintext_buffer_4096",
        "Encrypt keeps only the first 4096 bytes of a longer plaintext",
        "a 4 KiB HSM buffer; the spec's minimum is 4300 B [SPEC §3]",
        "boundary",
    ),
    Fault(
        "metadata_21_crash",
        "a Decrypt ciphertextMetadata of exactly 21 bytes crashes into 500 InternalException",
        "a `<=` where `<` was meant in the 20-byte limit, then a 20-byte buffer [SPEC §3]",
        "boundary",
    ),
    Fault(
        "iv_17_crash",
        "a Decrypt IV over 16 bytes crashes into 500 InternalException",
        "an unchecked copy into a 16-byte IV buffer [SPEC §3]",
        "boundary",
    ),
    Fault(
        "key_id_128_refused",
        "a 128-character key id in an Encrypt or Decrypt URI gets 400 (limit off by one)",
        "a `< 128` length check on the crypto routes only [SPEC §1]",
        "boundary",
    ),
    Fault(
        "reencrypt_skips_usage",
        "key usage is not enforced when kmsOperation is ReEncrypt",
        "usage checks keyed on the KMS operation name, with ReEncrypt forgotten [SPEC §2]",
        "operation",
    ),
    Fault(
        "generate_data_key_on_disabled",
        "a DISABLED key still encrypts for GenerateDataKey and GenerateDataKeyWithoutPlaintext",
        "key state checked on the Encrypt operation only [SPEC §2, §6]",
        "operation",
    ),
    Fault(
        "create_key_reports_enabled",
        "GetKeyMetadata for kmsOperation CreateKey reports every key ENABLED",
        "a status path for CreateKey that never reads the key state [SPEC §2]",
        "operation",
    ),
    Fault(
        "via_service_required",
        "Encrypt and Decrypt without kmsViaService get 400 ValidationException",
        "an optional requestMetadata field typed as required [SPEC §2]",
        "optional",
    ),
    Fault(
        "vpc_fields_crash",
        "a request carrying awsSourceVpce crashes into 500 InternalException",
        "VPC endpoint fields never exercised: KMS sends them only through a VPC [SPEC §2]",
        "optional",
    ),
    Fault(
        "every_tenth_decrypt_wrong",
        "every tenth successful Decrypt returns a plaintext with one bit flipped",
        "a buffer pool that hands out a dirty buffer now and then",
        "repetition",
    ),
    Fault(
        "health_flaky_schema",
        "every seventh health answer omits ekmFleetDetails",
        "an EKM poller whose result is read while being refreshed [SPEC §2]",
        "repetition",
    ),
    Fault(
        "shared_plaintext_buffer",
        "Decrypt passes its plaintext through one buffer shared by all requests",
        "a static response buffer: concurrent requests get each other's plaintext",
        "concurrency",
    ),
    Fault(
        "iv_counter_race",
        "Encrypt IVs come from a counter incremented without a lock",
        "a non-atomic nonce counter: concurrent encrypts reuse an IV [SPEC §4]",
        "concurrency",
    ),
    Fault(
        "signature_prefix_compared",
        "only the first 63 hex digits of the SigV4 signature are compared",
        "a string compare bounded one short [SPEC App. A]",
        "auth",
    ),
    Fault(
        "content_sha256_trusted",
        "the x-amz-content-sha256 header is taken as the payload hash, never checked",
        "S3-style verifiers: a lying hash or UNSIGNED-PAYLOAD passes [SPEC App. A]",
        "auth",
    ),
    Fault(
        "host_unsigned_accepted",
        "a signature whose SignedHeaders leave out host is accepted",
        "verifiers that only require x-amz-date to be signed [SPEC App. A]",
        "auth",
    ),
    Fault(
        "ciphertext_error_control_chars",
        "InvalidCiphertextException messages carry control characters",
        "HSM return codes pasted raw into errorMessage [SPEC §6]",
        "http",
    ),
    Fault(
        "usage_error_message_too_long",
        "InvalidKeyUsageException messages are 600 characters long",
        "the key's whole attribute dump in errorMessage [SPEC §6]",
        "http",
    ),
)

#: Every fault by name, in catalog order.
FAULTS: Mapping[str, Fault] = MappingProxyType({fault.name: fault for fault in _CATALOG})


class UnknownFaultError(ValueError):
    """A fault name that is not in :data:`FAULTS`; the message lists the valid names."""


def validate_fault_names(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset, or raise :class:`UnknownFaultError` naming the bad ones.

    >>> validate_fault_names([])
    frozenset()
    """
    chosen = frozenset(names)
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(
            f"unknown fault name(s): {', '.join(unknown)}; valid names: {', '.join(FAULTS)}"
        )
    return chosen
