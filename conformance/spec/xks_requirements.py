"""XKS proxy API requirements (``XKS-<AREA>-NNN``), paraphrased from the public spec.

Sources are cited by tag: ``[SPEC]`` is aws/aws-kms-xksproxy-api-spec ``xks_proxy_api_spec.md``
v1.0.3, ``[TC]`` the official test client (aws-kms-xksproxy-test-client v1.1.0), ``[BOTO]`` the
botocore KMS model. Areas: HTTP (transport, routing), AUTH (SigV4), HEALTH, META (key metadata),
CRYPT (encrypt/decrypt), TAMPER, VAL (validation), USAGE (key usage and state), TLS, MTLS,
PERF (latency and load), ERR (error body).

>>> from conformance.spec.xks_requirements import XKS_REQUIREMENTS, xks_requirement
>>> xks_requirement("XKS-HTTP-002").level.value
'MUST'
>>> all(r.id.startswith("XKS-") for r in XKS_REQUIREMENTS)
True
"""

from __future__ import annotations

from conformance.spec.requirements import Level, Requirement

SPEC = "[SPEC] xks_proxy_api_spec.md"
TC = "[TC] aws-kms-xksproxy-test-client"

MUST, SHOULD, MAY = Level.MUST, Level.SHOULD, Level.MAY


def _r(rid: str, level: Level, source: str, summary: str) -> Requirement:
    return Requirement(rid, level, source, summary, tags=frozenset({"xks"}))


XKS_REQUIREMENTS: tuple[Requirement, ...] = (
    # --- transport and routing -------------------------------------------------------------
    _r("XKS-HTTP-001", MUST, f"{SPEC} §Overview (HTTPS+JSON)",
       "Every API response, success or error, carries a JSON object body."),
    _r("XKS-HTTP-002", MUST, f"{SPEC} §API operations (POST only)",
       "A GET on any of the four API URIs is refused with HTTP 405."),
    _r("XKS-HTTP-003", SHOULD, f"{SPEC} §API operations (POST only)",
       "PUT and DELETE on an API URI are refused with HTTP 405 as well."),
    _r("XKS-HTTP-004", MUST, f"{SPEC} §Transport (HTTP/1.1)",
       "The proxy speaks HTTP/1.1 and answers a plain HTTP/1.1 POST."),
    _r("XKS-HTTP-005", MUST, f"{SPEC} §Errors (InvalidUriPathException); an unknown prefix "
       "may get 401 first: §URI path prefix (credentials per prefix), digest §8.4 (order open)",
       "A path outside the configured prefix or API version is refused: 404 InvalidUriPath."),
    _r("XKS-HTTP-006", SHOULD, f"{SPEC} §Overview (application/json)",
       "JSON responses are labelled with Content-Type application/json."),
    _r("XKS-HTTP-007", MUST, f"{SPEC} §Load balancer health check",
       "A load-balancer health endpoint (e.g. GET /ping) answers 2xx without SigV4."),
    _r("XKS-HTTP-008", MAY, f"{SPEC} §API operations (response fields; none forbids more)",
       "Responses carry only the fields the spec names (informational: extra ones are recorded)."),
    # --- SigV4 ----------------------------------------------------------------------------
    _r("XKS-AUTH-001", MUST, f"{SPEC} App. A (SigV4)",
       "A request signed with SigV4 for service kms-xks-proxy and the region is accepted."),
    _r("XKS-AUTH-002", MUST, f"{SPEC} App. A; {TC} test_* 'Invalid' AKID",
       "An unknown access key id is refused with 401 AuthenticationFailedException."),
    _r("XKS-AUTH-003", MUST, f"{SPEC} App. A; {TC} test_* 'Invalid' secret",
       "A signature made with the wrong secret is refused with 401 on every operation."),
    _r("XKS-AUTH-004", MUST, f"{SPEC} App. A",
       "A request without an Authorization header is refused with 401."),
    _r("XKS-AUTH-005", MUST, f"{SPEC} App. A",
       "A malformed Authorization header is refused with 401, never a 5xx."),
    _r("XKS-AUTH-006", MUST, f"{SPEC} App. A (payload hash)",
       "A body altered after signing is refused with 401."),
    _r("XKS-AUTH-007", MUST, f"{SPEC} App. A (canonical URI)",
       "A request sent to another URI than the one signed is refused with 401."),
    _r("XKS-AUTH-008", MUST, f"{SPEC} App. A (signed host)",
       "A request whose Host differs from the signed host is refused with 401 (or 421)."),
    _r("XKS-AUTH-009", SHOULD, f"{SPEC} App. A (clock skew)",
       "A request dated more than 5 minutes off the proxy clock is refused with 401."),
    _r("XKS-AUTH-010", MUST, f"{SPEC} App. A (clock skew)",
       "A correctly signed request dated a couple of minutes off is still accepted."),
    _r("XKS-AUTH-011", MUST, f"{SPEC} App. A (service kms-xks-proxy)",
       "A signature scoped to another service name is refused with 401."),
    _r("XKS-AUTH-012", MUST, f"{SPEC} App. A (credential scope)",
       "A credential-scope date different from the X-Amz-Date day is refused with 401."),
    _r("XKS-AUTH-013", MUST, f"{SPEC} App. A (x-amz-date signed)",
       "A request without X-Amz-Date (and no Date) is refused with 401."),
    _r("XKS-AUTH-014", MUST, f"{SPEC} App. A (SignedHeaders)",
       "Exactly the headers listed in SignedHeaders are canonicalised (content-type too)."),
    _r("XKS-AUTH-015", SHOULD, f"{SPEC} §Authentication (credential rotation)",
       "Two credential sets for the same prefix are accepted at the same time."),
    _r("XKS-AUTH-016", MAY, f"{SPEC} App. A; digest §8.5 (region pinning)",
       "A signature scoped to another region is refused (informational: spec is unclear)."),
    _r("XKS-AUTH-017", MUST, f"{SPEC} §URI path prefix (isolated tenants)",
       "A credential of one prefix's tenant is refused with 401 on another prefix."),
    _r("XKS-AUTH-018", MAY, f"{SPEC} §Errors (AccessDeniedException: secondary authorization "
       "may refuse a principal or key ARN it does not know; never on health)",
       "Unusual principals are served (informational: a 403 from authorization is recorded)."),
    _r("XKS-AUTH-019", MUST, f"{SPEC} App. A (canonical request: method, path, signed "
       "headers, payload hash)",
       "Any canonical-request component or signature digit altered after signing gets 401."),
    _r("XKS-AUTH-020", SHOULD, f"{SPEC} App. A (KMS signs host); digest §8.7 (not obliged)",
       "A signature whose SignedHeaders leave out host is refused with 401."),
    # --- health ---------------------------------------------------------------------------
    _r("XKS-HEALTH-001", MUST, f"{SPEC} §GetHealthStatus (response: the vendor and model "
       "fields are strings, which may be empty; extra fields: XKS-HTTP-008)",
       "GetHealthStatus answers 200 with the exact response schema and value ranges."),
    _r("XKS-HEALTH-002", MUST, f"{SPEC} §GetHealthStatus (kmsOperation)",
       "Health accepts every kmsOperation KMS sends (Create/Connect/Update, KmsHealthCheck)."),
    _r("XKS-HEALTH-003", MUST, f"{SPEC} §GetHealthStatus (no secondary auth)",
       "GetHealthStatus is exempt from secondary authorization: never 403 AccessDenied."),
    _r("XKS-HEALTH-004", SHOULD, f"{TC} test_get_health_status; digest §8.1",
       "A health request with no or empty requestMetadata is refused: 400 Validation."),
    _r("XKS-HEALTH-005", SHOULD, f"{SPEC} §GetHealthStatus (deep check, cache ≤ 60 s)",
       "Health reflects a live check: the fleet details are not stale or frozen."),
    # --- key metadata ---------------------------------------------------------------------
    _r("XKS-META-001", MUST, f"{SPEC} §GetKeyMetadata (response; extra fields: XKS-HTTP-008)",
       "GetKeyMetadata answers 200 with keySpec, keyUsage and keyStatus."),
    _r("XKS-META-002", MUST, f"{SPEC} §GetKeyMetadata (keySpec)",
       "keySpec is AES_256."),
    _r("XKS-META-003", MUST, f"{SPEC} §GetKeyMetadata (keyUsage; unknown values: XKS-META-007)",
       "keyUsage is a list of at most 10 usages, with ENCRYPT and DECRYPT for a full key."),
    _r("XKS-META-004", MUST, f"{SPEC} §GetKeyMetadata (keyStatus)",
       "keyStatus is ENABLED or DISABLED, and ENABLED for an enabled key."),
    _r("XKS-META-005", MUST, f"{SPEC} §Errors (KeyNotFoundException); generated unknown ids "
       "start kscheck-no-such-key-<uuid>, so they cannot be a vendor's real key",
       "An unknown key id is refused with 404 KeyNotFoundException on all key operations."),
    _r("XKS-META-006", MUST, f"{SPEC} §externalKeyId; [BOTO] XksKeyIdType",
       "Key ids outside 1-128 chars of [A-Za-z0-9._-] get a 4xx, never 2xx or 5xx."),
    _r("XKS-META-007", MAY, f"{SPEC} §GetKeyMetadata (keyUsage lists ENCRYPT, DECRYPT, DERIVE, "
       "SIGN, VERIFY, WRAP, UNWRAP; KMS needs only ENCRYPT and DECRYPT)",
       "keyUsage holds only usages the spec lists (informational: unknown ones are recorded)."),
    # --- encrypt / decrypt ----------------------------------------------------------------
    _r("XKS-CRYPT-001", MUST, f"{SPEC} §Encrypt (response; extra fields: XKS-HTTP-008)",
       "Encrypt answers 200 with ciphertext, initializationVector and authenticationTag."),
    _r("XKS-CRYPT-002", MUST, f"{SPEC} §Base64 (RFC 4648 §4)",
       "Every binary response field is standard, padded base64 (not URL-safe)."),
    _r("XKS-CRYPT-003", MUST, f"{SPEC} §Encrypt (initializationVector)",
       "The initialization vector is 12 or 16 bytes."),
    _r("XKS-CRYPT-004", MUST, f"{SPEC} §Encrypt (authenticationTag)",
       "The authentication tag is 16 bytes, split off the ciphertext."),
    _r("XKS-CRYPT-005", MUST, f"{SPEC} §Encrypt (ciphertext length)",
       "The ciphertext has exactly the plaintext's length."),
    _r("XKS-CRYPT-006", MUST, f"{SPEC} §Encrypt/§Decrypt",
       "Decrypt of an Encrypt result (same AAD and metadata) returns the original plaintext."),
    _r("XKS-CRYPT-007", MUST, f"{SPEC} §Sizes (4300 B plaintext, 8192 B AAD)",
       "A 4300-byte plaintext with an 8192-byte AAD encrypts and decrypts."),
    _r("XKS-CRYPT-008", MUST, f"{SPEC} §Encrypt (AES-GCM IV uniqueness)",
       "No initialization vector repeats across many Encrypt calls under one key."),
    _r("XKS-CRYPT-009", MUST, f"{SPEC} §Ciphertext data integrity value",
       "CDIV is returned iff requested, and equals b64(SHA-256(aad||cm||iv||ct||tag))."),
    _r("XKS-CRYPT-010", MUST, f"{SPEC} §ciphertextMetadata",
       "ciphertextMetadata, when returned, is at most 20 bytes."),
    _r("XKS-CRYPT-011", MUST, f"{SPEC} §Decrypt (response)",
       "Decrypt answers 200 with a base64 plaintext field."),
    _r("XKS-CRYPT-012", SHOULD, f"{SPEC} §Sizes; digest §13.4",
       "An empty plaintext encrypts and decrypts."),
    _r("XKS-CRYPT-013", MAY, f"{SPEC} §AAD construction; digest §8.6",
       "An empty-string AAD and an absent AAD are interchangeable (informational)."),
    _r("XKS-CRYPT-014", MUST, f"{SPEC} §Encrypt/§Decrypt (each call answers its own request)",
       "Under parallel clients, every Decrypt returns its own request's plaintext."),
    # --- tamper ---------------------------------------------------------------------------
    _r("XKS-TAMPER-001", MUST, f"{SPEC} §Decrypt (InvalidCiphertextException)",
       "A flipped bit in ciphertext, IV or tag makes Decrypt fail with 400 InvalidCiphertext."),
    _r("XKS-TAMPER-002", MUST, f"{SPEC} §Decrypt (AAD)",
       "A changed, dropped or added AAD makes Decrypt fail with 400 InvalidCiphertext."),
    _r("XKS-TAMPER-003", MUST, f"{SPEC} §ciphertextMetadata (bound by the tag)",
       "A changed, dropped or added ciphertextMetadata makes Decrypt fail with 400."),
    _r("XKS-TAMPER-004", SHOULD, f"{SPEC} §AAD construction (length prefixes)",
       "Moving ciphertextMetadata into the AAD makes Decrypt fail (lengths are bound)."),
    _r("XKS-TAMPER-005", MUST, f"{SPEC} §Decrypt",
       "A ciphertext decrypted under another key id fails with 400, never 200."),
    # --- validation -----------------------------------------------------------------------
    _r("XKS-VAL-001", MUST, f"{SPEC} §Errors (ValidationException); {TC}",
       "A request missing a required field (requestMetadata included) gets a 400."),
    _r("XKS-VAL-002", MUST, f"{SPEC} §Errors (ValidationException)",
       "A field of the wrong JSON type gets a 400, never a 2xx or 5xx."),
    _r("XKS-VAL-003", MUST, f"{SPEC} §Base64 (RFC 4648 §4)",
       "Invalid or URL-safe base64 in a request field gets a 400."),
    _r("XKS-VAL-004", MUST, f"{SPEC} §Encrypt/§Decrypt (encryptionAlgorithm)",
       "An encryptionAlgorithm other than AES_GCM gets 400 ValidationException."),
    _r("XKS-VAL-005", MUST, f"{SPEC} §Encrypt (ciphertextDataIntegrityValueAlgorithm)",
       "A CDIV algorithm other than SHA_256 gets 400 ValidationException."),
    _r("XKS-VAL-006", MUST, f"{SPEC} §ciphertextMetadata (≤ 20 B)",
       "A Decrypt with ciphertextMetadata over 20 bytes gets a 400."),
    _r("XKS-VAL-007", MUST, f"{SPEC} §Decrypt (IV and tag lengths); digest §8.3",
       "A Decrypt with a wrong-length IV or tag gets a 400."),
    _r("XKS-VAL-008", MUST, f"{SPEC} §requestMetadata (kmsOperation)",
       "An unknown kmsOperation value is accepted, not rejected."),
    _r("XKS-VAL-009", MUST, f"{SPEC} App. B (future fields)",
       "Unknown requestMetadata and top-level fields are ignored."),
    _r("XKS-VAL-010", MUST, f"{SPEC} §requestMetadata (kmsRequestId opaque: its format is not "
       "validated; the empty string is XKS-VAL-014)",
       "Any non-empty kmsRequestId (UUID or not, long, odd characters) is accepted."),
    _r("XKS-VAL-011", MUST, f"{SPEC} §requestMetadata (ARN length; a 403 from secondary "
       "authorization is XKS-AUTH-018, not a refusal of the length)",
       "ARNs of up to 2048 characters in requestMetadata are accepted."),
    _r("XKS-VAL-012", MUST, f"{SPEC} §Errors (UnsupportedOperationException)",
       "Inputs above the spec minimum sizes get 200, 400 or 501, never a 5xx crash."),
    _r("XKS-VAL-013", MUST, f"{SPEC} §Errors (ValidationException)",
       "A body that is not a JSON object gets 400 ValidationException."),
    _r("XKS-VAL-014", MAY, f"{SPEC} §requestMetadata (kmsRequestId is a required string; KMS "
       "always sends a UUID, so refusing an empty one as missing is a fair reading)",
       "An empty kmsRequestId is accepted (informational: a 400 as a missing field is recorded)."),
    _r("XKS-VAL-015", MUST, f"{SPEC} §requestMetadata (awsSourceVpc, awsSourceVpce and "
       "kmsViaService are optional; KMS sends them per endpoint type)",
       "Every combination of the optional requestMetadata fields KMS may send is served."),
    # --- key usage and state --------------------------------------------------------------
    _r("XKS-USAGE-001", MUST, f"{SPEC} §Errors (InvalidKeyUsageException); {TC} -a",
       "An encrypt-only key encrypts, and refuses Decrypt with 400 InvalidKeyUsage."),
    _r("XKS-USAGE-002", MUST, f"{TC} test_encrypt_only_key; digest §8.2",
       "An Encrypt with CDIV on an encrypt-only key is refused with 400 InvalidKeyUsage."),
    _r("XKS-USAGE-003", MUST, f"{SPEC} §Errors (InvalidKeyUsageException); {TC} -a",
       "A decrypt-only key refuses Encrypt (with or without AAD/CDIV): 400 InvalidKeyUsage."),
    _r("XKS-USAGE-004", MUST, f"{SPEC} §Errors (InvalidKeyUsageException); {TC} -a",
       "A key with no usage refuses Encrypt and Decrypt with 400 InvalidKeyUsage."),
    _r("XKS-USAGE-005", MUST, f"{SPEC} §GetKeyMetadata; §Errors (InvalidStateException)",
       "A disabled key reports keyStatus DISABLED and refuses crypto with 400 InvalidState."),
    _r("XKS-USAGE-006", SHOULD, f"{SPEC} §GetKeyMetadata (keyUsage)",
       "keyUsage reported for a restricted key matches what the key actually allows."),
    # --- TLS and mTLS ---------------------------------------------------------------------
    _r("XKS-TLS-001", MUST, f"{SPEC} §Transport (TLS ≥ 1.2)",
       "TLS 1.2 or 1.3 is negotiated with a default client."),
    _r("XKS-TLS-002", MUST, f"{SPEC} §Transport (TLS ≥ 1.2)",
       "TLS 1.0 and TLS 1.1 handshakes are refused."),
    _r("XKS-TLS-003", MUST, f"{SPEC} §Transport (cipher suites)",
       "At least one listed suite works (TLS 1.3 AES-256-GCM/ChaCha20, 1.2 ECDHE AES-256-GCM)."),
    _r("XKS-TLS-004", MUST, f"{SPEC} §Server certificate",
       "The server certificate is valid now, chains to the trusted CA and matches the host."),
    _r("XKS-TLS-005", SHOULD, f"{SPEC} §Server certificate; TrustedCertificateAuthorities",
       "The server certificate chains to a public CA KMS trusts (private CA is a warning)."),
    _r("XKS-TLS-006", SHOULD, f"{SPEC} §Server certificate",
       "The server certificate stays valid for at least 30 more days."),
    _r("XKS-MTLS-001", MUST, f"{SPEC} §mTLS",
       "With mTLS on, a client certificate with the configured subject and CA is accepted."),
    _r("XKS-MTLS-002", MUST, f"{SPEC} §mTLS",
       "With mTLS on, a handshake without a client certificate is terminated."),
    _r("XKS-MTLS-003", MUST, f"{SPEC} §mTLS; {TC} test_negative_mtls",
       "With mTLS on, a self-signed client certificate is refused."),
    _r("XKS-MTLS-004", MUST, f"{SPEC} §mTLS; {TC} test_negative_mtls",
       "With mTLS on, an expired client certificate from the trusted CA is refused."),
    _r("XKS-MTLS-005", MUST, f"{SPEC} §mTLS (configured subject)",
       "With mTLS on, a trusted-CA client certificate with the wrong subject is refused."),
    # --- latency and load -----------------------------------------------------------------
    _r("XKS-PERF-001", MUST, f"{SPEC} §Timeouts (250 ms)",
       "p99 latency of every operation stays under KMS's 250 ms budget with keep-alive."),
    _r("XKS-PERF-002", SHOULD, f"{SPEC} §Timeouts (35 ms recommended)",
       "Median latency of every operation stays within the recommended 35 ms."),
    _r("XKS-PERF-003", SHOULD, f"{SPEC} §Timeouts (connection reuse)",
       "The proxy keeps HTTP/1.1 connections alive across requests."),
    _r("XKS-PERF-004", MUST, f"{SPEC} §Errors (ThrottlingException)",
       "Under a burst every request gets 200 or 429 ThrottlingException, never a timeout."),
    # --- error body -----------------------------------------------------------------------
    _r("XKS-ERR-001", MUST, f"{SPEC} §Errors (error body)",
       "An error response is a JSON object whose errorName is one of the spec's names."),
    _r("XKS-ERR-002", MUST, f"{SPEC} §Errors (errorMessage)",
       "errorMessage, when present, is under 512 characters of printable ASCII."),
    _r("XKS-ERR-003", MUST, f"{SPEC} §Errors (status table)",
       "The HTTP status of an error matches its errorName in the spec's table."),
)  # fmt: skip

_BY_ID = {r.id: r for r in XKS_REQUIREMENTS}


def xks_requirement(requirement_id: str) -> Requirement:
    """The XKS requirement with this ID (KeyError if unknown)."""
    return _BY_ID[requirement_id]
