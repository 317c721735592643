"""Request validation: missing and mistyped fields, encodings, enums, lengths, sizes, and
the inputs a proxy must accept (unknown kmsOperation and fields, opaque ids, long ARNs)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import (
    Sealed,
    b64,
    decrypt_body,
    encrypt_body,
    health_body,
    metadata_body,
)
from conformance.checks.xks.flows import encrypt_for_setup, key_suffix
from conformance.checks.xks.generators import Payload
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.report.evidence import reached
from conformance.spec.xks_protocol import MAX_AAD_BYTES, MAX_ARN_CHARS, MAX_PLAINTEXT_BYTES

VALIDATION = "ValidationException"
BAD_INPUT = ("ValidationException", "InvalidCiphertextException")
KEY_OPERATIONS = ("metadata", "encrypt", "decrypt")
RM_REQUIRED = {
    "metadata": ("awsPrincipalArn", "kmsOperation", "kmsRequestId"),
    "encrypt": ("awsPrincipalArn", "kmsKeyArn", "kmsOperation", "kmsRequestId"),
    "decrypt": ("awsPrincipalArn", "kmsKeyArn", "kmsOperation", "kmsRequestId"),
}
TOP_REQUIRED = {
    "metadata": ("requestMetadata",),
    "encrypt": ("requestMetadata", "plaintext", "encryptionAlgorithm"),
    "decrypt": (
        "requestMetadata",
        "ciphertext",
        "encryptionAlgorithm",
        "initializationVector",
        "authenticationTag",
    ),
}
CIPHERTEXT_FIELDS = frozenset({"ciphertext", "initializationVector", "authenticationTag"})
BASE64_FIELDS = {
    "encrypt": ("plaintext", "additionalAuthenticatedData"),
    "decrypt": (
        "ciphertext",
        "initializationVector",
        "authenticationTag",
        "additionalAuthenticatedData",
        "ciphertextMetadata",
    ),
}
#: Not standard padded base64: garbage, URL-safe alphabet, missing padding, lone padding.
BAD_BASE64 = ("not base64!", "-_-_", "+/+", "QUJD\n", "====", "QQ", "QUJDRA=")


@pytest.fixture(scope="module")
def sealed_sample(wire: XksWire) -> Sealed:
    """One genuine Encrypt result, so Decrypt bodies are valid apart from the mutation."""
    return encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2, None)


def _valid_body(operation: str, sealed: Sealed) -> dict[str, Any]:
    if operation == "health":
        return health_body()
    if operation == "metadata":
        return metadata_body()
    if operation == "encrypt":
        return encrypt_body(generators.TC_PLAINTEXT_2, generators.TC_AAD_1)
    return decrypt_body(sealed, None)


def _post(wire: XksWire, operation: str, body: Any, note: str = "", **kw: Any) -> Exchange:
    suffix = "health" if operation == "health" else key_suffix(wire.target.key_id, operation)
    return wire.post(suffix, body, note=note, **kw)


def _paths(operation: str) -> Iterator[tuple[str, ...]]:
    for name in TOP_REQUIRED[operation]:
        yield (name,)
    for name in RM_REQUIRED[operation]:
        yield ("requestMetadata", name)


def _without(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent = changed if len(path) == 1 else changed[path[0]]
    parent.pop(path[-1], None)
    return changed


def _with(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent = changed if len(path) == 1 else changed[path[0]]
    parent[path[-1]] = value
    return changed


MISSING_CASES = [(op, path) for op in KEY_OPERATIONS for path in _paths(op)]


@pytest.mark.requirement("XKS-VAL-001")
@pytest.mark.parametrize(
    "operation, path", MISSING_CASES, ids=[f"{o}-{'.'.join(p)}" for o, p in MISSING_CASES]
)
def test_a_missing_required_field_gets_a_400(
    wire: XksWire, sealed_sample: Sealed, operation: str, path: tuple[str, ...]
) -> None:
    body = _without(_valid_body(operation, sealed_sample), path)
    allowed = BAD_INPUT if path[-1] in CIPHERTEXT_FIELDS else VALIDATION
    _post(wire, operation, body, f"{'.'.join(path)} missing").expect_error("XKS-VAL-001", allowed)


OPTIONAL_PATHS = [
    ("encrypt", ("additionalAuthenticatedData",)),
    ("encrypt", ("ciphertextDataIntegrityValueAlgorithm",)),
    ("decrypt", ("additionalAuthenticatedData",)),
    ("decrypt", ("ciphertextMetadata",)),
]
TYPED_PATHS = [(op, path) for op in KEY_OPERATIONS for path in _paths(op)] + OPTIONAL_PATHS


@pytest.mark.requirement("XKS-VAL-002")
@given(case=st.sampled_from(TYPED_PATHS), data=st.data())
def test_a_field_of_the_wrong_json_type_gets_a_400(
    wire: XksWire, sealed_sample: Sealed, case: tuple[str, tuple[str, ...]], data: st.DataObject
) -> None:
    operation, path = case
    # JSON null in an optional field reads as "absent" to common decoders (serde's Option in
    # the reference proxy): the spec does not say it is a wrong type, so it is not drawn there.
    optional = (operation, path) in OPTIONAL_PATHS
    value = data.draw(
        generators.wrong_type_values(path == ("requestMetadata",), nullable=optional),
        label="value",
    )
    body = _with(_valid_body(operation, sealed_sample), path, value)
    allowed = BAD_INPUT if path[-1] in CIPHERTEXT_FIELDS else VALIDATION
    exchange = _post(wire, operation, body, f"{'.'.join(path)} = {type(value).__name__}")
    exchange.expect_error("XKS-VAL-002", allowed)


BASE64_CASES = [(op, name) for op, names in BASE64_FIELDS.items() for name in names]


@pytest.mark.requirement("XKS-VAL-003")
@pytest.mark.parametrize(
    "operation, field", BASE64_CASES, ids=[f"{o}-{f}" for o, f in BASE64_CASES]
)
@pytest.mark.parametrize("value", BAD_BASE64, ids=range(len(BAD_BASE64)))
def test_invalid_or_url_safe_base64_gets_a_400(
    wire: XksWire, sealed_sample: Sealed, operation: str, field: str, value: str
) -> None:
    body = _with(_valid_body(operation, sealed_sample), (field,), value)
    _post(wire, operation, body, f"{field} not standard base64").expect_error(
        "XKS-VAL-003", BAD_INPUT
    )


@pytest.mark.requirement("XKS-VAL-004")
@pytest.mark.parametrize("operation", ["encrypt", "decrypt"])
@pytest.mark.parametrize("algorithm", ["AES_CBC", "aes_gcm", "RSAES_OAEP_SHA_256", ""])
def test_an_algorithm_other_than_aes_gcm_gets_validation_exception(
    wire: XksWire, sealed_sample: Sealed, operation: str, algorithm: str
) -> None:
    body = _with(_valid_body(operation, sealed_sample), ("encryptionAlgorithm",), algorithm)
    _post(wire, operation, body).expect_error("XKS-VAL-004", VALIDATION)


@pytest.mark.requirement("XKS-VAL-005")
@pytest.mark.parametrize("algorithm", ["SHA_512", "sha_256", "MD5", ""])
def test_a_cdiv_algorithm_other_than_sha_256_gets_validation_exception(
    wire: XksWire, sealed_sample: Sealed, algorithm: str
) -> None:
    path = ("ciphertextDataIntegrityValueAlgorithm",)
    body = _with(_valid_body("encrypt", sealed_sample), path, algorithm)
    _post(wire, "encrypt", body).expect_error("XKS-VAL-005", VALIDATION)


@pytest.mark.requirement("XKS-VAL-006")
@given(size=st.integers(21, 64))
def test_ciphertext_metadata_over_20_bytes_gets_a_400(
    wire: XksWire, sealed_sample: Sealed, size: int
) -> None:
    body = _with(_valid_body("decrypt", sealed_sample), ("ciphertextMetadata",), b64(bytes(size)))
    _post(wire, "decrypt", body, f"ciphertextMetadata of {size} B").expect_error(
        "XKS-VAL-006", BAD_INPUT
    )


@pytest.mark.requirement("XKS-VAL-007")
@given(
    field=st.sampled_from(["initializationVector", "authenticationTag"]),
    size=st.integers(0, 40),
)
def test_a_wrong_length_iv_or_tag_gets_a_400(
    wire: XksWire, sealed_sample: Sealed, field: str, size: int
) -> None:
    allowed_sizes = {12, 16} if field == "initializationVector" else {16}
    if size in allowed_sizes:
        return
    body = _with(_valid_body("decrypt", sealed_sample), (field,), b64(bytes(size)))
    _post(wire, "decrypt", body, f"{field} of {size} B").expect_error("XKS-VAL-007", BAD_INPUT)


ALL_OPERATIONS = ("health", *KEY_OPERATIONS)


@pytest.mark.requirement("XKS-VAL-008")
@given(operation=st.sampled_from(ALL_OPERATIONS), kms_operation=generators.kms_operations_unknown())
def test_an_unknown_kms_operation_is_accepted(
    wire: XksWire, sealed_sample: Sealed, operation: str, kms_operation: str
) -> None:
    body = _with(
        _valid_body(operation, sealed_sample), ("requestMetadata", "kmsOperation"), kms_operation
    )
    _post(wire, operation, body, "unknown kmsOperation").expect_ok("XKS-VAL-008")


@pytest.mark.requirement("XKS-VAL-009")
@given(
    operation=st.sampled_from(ALL_OPERATIONS),
    in_metadata=st.booleans(),
    name=generators.unknown_field_names(),
    value=st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none()),
)
def test_unknown_fields_are_ignored(
    wire: XksWire, sealed_sample: Sealed, operation: str, in_metadata: bool, name: str, value: Any
) -> None:
    path = ("requestMetadata", name) if in_metadata else (name,)
    body = _with(_valid_body(operation, sealed_sample), path, value)
    _post(wire, operation, body, f"unknown field {'.'.join(path)}").expect_ok("XKS-VAL-009")


@pytest.mark.requirement("XKS-VAL-010")
@given(operation=st.sampled_from(ALL_OPERATIONS), request_id=generators.opaque_request_ids())
def test_any_non_empty_kms_request_id_is_accepted(
    wire: XksWire, sealed_sample: Sealed, operation: str, request_id: str
) -> None:
    path = ("requestMetadata", "kmsRequestId")
    body = _with(_valid_body(operation, sealed_sample), path, request_id)
    _post(wire, operation, body, f"kmsRequestId of {len(request_id)} chars").expect_ok(
        "XKS-VAL-010"
    )


@pytest.mark.requirement("XKS-VAL-014", "XKS-VAL-010")
@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_an_empty_kms_request_id_is_accepted_or_refused_as_missing(
    wire: XksWire, sealed_sample: Sealed, operation: str
) -> None:
    """kmsRequestId is a required string and KMS always sends a UUID: refusing an empty one
    as a missing field (400 ValidationException) is a fair reading of "required", so it is
    recorded (XKS-VAL-014, MAY -> INFO). Any other refusal breaks XKS-VAL-010."""
    body = _with(_valid_body(operation, sealed_sample), ("requestMetadata", "kmsRequestId"), "")
    exchange = _post(wire, operation, body, "empty kmsRequestId")
    response = exchange.response
    if response.status == 400 and response.error_name == VALIDATION:
        exchange.fail("XKS-VAL-014", "HTTP 200 (a 400 refusing it as missing is informational)")
    if response.status != 200 or not isinstance(response.json, dict):
        exchange.fail("XKS-VAL-010", "HTTP 200, or 400 ValidationException as a missing field")
    reached("XKS-VAL-014", "XKS-VAL-010")


def _long_arn(kind: str) -> str:
    head = (
        "arn:aws:iam::123456789012:role/"
        if kind == "principal"
        else "arn:aws:kms:us-east-1:123456789012:key/"
    )
    return head + "r" * (MAX_ARN_CHARS - len(head))


@pytest.mark.requirement("XKS-VAL-011", "XKS-AUTH-018")
@pytest.mark.parametrize("operation", KEY_OPERATIONS)
def test_2048_character_arns_are_accepted(
    wire: XksWire, sealed_sample: Sealed, operation: str
) -> None:
    body = _with(
        _valid_body(operation, sealed_sample),
        ("requestMetadata", "awsPrincipalArn"),
        _long_arn("principal"),
    )
    if operation != "metadata":
        body["requestMetadata"]["kmsKeyArn"] = _long_arn("key")
    exchange = _post(wire, operation, body, "2048-char ARNs")
    if exchange.response.status == 403 and exchange.response.error_name == "AccessDeniedException":
        # A secondary-authorization policy keyed on the caller or the key ARN may rightly
        # not know this made-up role (§Errors, AccessDeniedException): the ARN was read
        # and judged, not refused for its length. Recorded (MAY -> INFO), not failed.
        exchange.fail("XKS-AUTH-018", "HTTP 200 (a 403 from secondary authorization is recorded)")
    exchange.expect_ok("XKS-VAL-011")
    reached("XKS-VAL-011", "XKS-AUTH-018")


@pytest.mark.requirement("XKS-VAL-012")
@given(
    field=st.sampled_from(["plaintext", "additionalAuthenticatedData"]),
    extra=st.integers(1, 4096),
)
def test_inputs_above_the_required_sizes_never_crash_the_proxy(
    wire: XksWire, field: str, extra: int
) -> None:
    if field == "plaintext":
        plaintext, aad = Payload(MAX_PLAINTEXT_BYTES + extra).data, None
    else:
        plaintext, aad = generators.TC_PLAINTEXT_2, Payload(MAX_AAD_BYTES + extra).data
    exchange = wire.post(
        key_suffix(wire.target.key_id, "encrypt"),
        encrypt_body(plaintext, aad),
        note=f"{field} {extra} B above the required size",
    )
    if exchange.response.status == 200:
        return
    # 501 UnsupportedOperationException is the spec's own answer for a size above what the
    # implementation supports (§Errors; the reference proxy uses it), so it passes.
    exchange.expect_error("XKS-VAL-012", (VALIDATION, "UnsupportedOperationException"))


NOT_JSON_OBJECTS = (b"", b"not json", b"[]", b'"text"', b"42", b"\xff\xfe", b'{"requestMetadata":')


@pytest.mark.requirement("XKS-VAL-013")
@pytest.mark.parametrize("operation", KEY_OPERATIONS)
@pytest.mark.parametrize("raw", NOT_JSON_OBJECTS, ids=range(len(NOT_JSON_OBJECTS)))
def test_a_body_that_is_not_a_json_object_gets_validation_exception(
    wire: XksWire, operation: str, raw: bytes
) -> None:
    suffix = key_suffix(wire.target.key_id, operation)
    wire.post(suffix, None, raw_body=raw).expect_error("XKS-VAL-013", VALIDATION)


#: Lengths just outside the Decrypt rules [SPEC §3]: ciphertextMetadata at most 20 bytes,
#: IV 12 or 16, tag 16 (min-1 and max+1 of each, and one far off).
METADATA_OVER_LIMIT = (21, 22, 255)
IV_OFF_LENGTHS = (11, 13, 15, 17, 32)
TAG_OFF_LENGTHS = (15, 17, 32)


@pytest.mark.requirement("XKS-VAL-006", "XKS-VAL-007")
def test_decrypt_length_rules_at_their_boundaries(wire: XksWire, sealed_sample: Sealed) -> None:
    cases = [("ciphertextMetadata", size, "XKS-VAL-006") for size in METADATA_OVER_LIMIT]
    cases += [("initializationVector", size, "XKS-VAL-007") for size in IV_OFF_LENGTHS]
    cases += [("authenticationTag", size, "XKS-VAL-007") for size in TAG_OFF_LENGTHS]
    for field, size, requirement in cases:
        value = b64(bytes(range(size)))
        body = _with(_valid_body("decrypt", sealed_sample), (field,), value)
        _post(wire, "decrypt", body, f"{field} of {size} B").expect_error(requirement, BAD_INPUT)


@pytest.mark.requirement("XKS-META-006")
@pytest.mark.parametrize("operation", KEY_OPERATIONS)
def test_key_id_length_boundaries_hold_in_the_uri_of_every_operation(
    wire: XksWire, sealed_sample: Sealed, operation: str
) -> None:
    """A well-formed 128-character id that names no key is 404 KeyNotFoundException on
    every key operation (not a 400 for its length); 129 characters or none get a 4xx."""
    at_max = (generators.UNKNOWN_KEY_ID_PREFIX + "x" * 128)[:128]
    body = _valid_body(operation, sealed_sample)
    exchange = wire.post(key_suffix(at_max, operation), body, note="128-character key id")
    exchange.expect_error("XKS-META-006", "KeyNotFoundException")
    for key_id, what in ((at_max + "x", "129-character"), ("", "empty")):
        exchange = wire.post(key_suffix(key_id, operation), body, note=f"{what} key id")
        exchange.expect_client_error("XKS-META-006")


#: requestMetadata's optional fields [SPEC §2]: the bodies of the other checks always carry
#: kmsViaService and never the VPC fields; KMS sends every combination.
OPTIONAL_RM_FIELDS = ("awsSourceVpc", "awsSourceVpce", "kmsViaService")


@pytest.mark.requirement("XKS-VAL-015")
@given(operation=st.sampled_from(KEY_OPERATIONS), optional=generators.optional_request_metadata())
def test_every_combination_of_optional_request_metadata_is_served(
    wire: XksWire, sealed_sample: Sealed, operation: str, optional: dict[str, str]
) -> None:
    body = copy.deepcopy(_valid_body(operation, sealed_sample))
    metadata = body["requestMetadata"]
    for name in OPTIONAL_RM_FIELDS:
        metadata.pop(name, None)
    if operation == "metadata":  # GetKeyMetadata has no kmsViaService [SPEC §2]
        optional = {k: v for k, v in optional.items() if k != "kmsViaService"}
    metadata.update(optional)
    shown = ", ".join(f"{k} ({len(v)} chars)" for k, v in sorted(optional.items())) or "none"
    _post(wire, operation, body, f"optional fields: {shown}").expect_ok("XKS-VAL-015")
