"""GetKeyMetadata: schema and values, unknown keys, key id format.

Fields the spec does not name and keyUsage values it does not list are recorded as
informational (XKS-HTTP-008 in ``test_transport``, XKS-META-007 here), never failed: the
spec forbids neither, and KMS only needs keySpec, ENCRYPT/DECRYPT and keyStatus."""

from __future__ import annotations

import pytest
from hypothesis import given

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import encrypt_body, metadata_body
from conformance.checks.xks.flows import key_suffix
from conformance.checks.xks.schemas import metadata_problem, unknown_usages
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.report.evidence import reached
from conformance.spec.xks_protocol import KEY_ID_PATTERN, METADATA_KMS_OPERATIONS


def _metadata(wire: XksWire, key_id: str, kms_operation: str = "CreateKey") -> Exchange:
    return wire.post(key_suffix(key_id, "metadata"), metadata_body(kms_operation))


@pytest.mark.requirement("XKS-META-001")
@pytest.mark.parametrize("kms_operation", METADATA_KMS_OPERATIONS)
def test_metadata_answers_with_the_three_fields(wire: XksWire, kms_operation: str) -> None:
    exchange = _metadata(wire, wire.target.key_id, kms_operation)
    body = exchange.expect_ok("XKS-META-001")
    problem = metadata_problem(body)
    if problem is not None:
        exchange.fail("XKS-META-001", f"keySpec, keyUsage and keyStatus ({problem})")
    reached("XKS-META-001")


@pytest.mark.requirement("XKS-META-002")
def test_key_spec_is_aes_256(wire: XksWire) -> None:
    exchange = _metadata(wire, wire.target.key_id)
    body = exchange.expect_ok("XKS-META-002")
    if body.get("keySpec") != "AES_256":
        exchange.fail("XKS-META-002", "keySpec AES_256")


@pytest.mark.requirement("XKS-META-003")
def test_key_usage_of_a_full_key_holds_encrypt_and_decrypt(wire: XksWire) -> None:
    exchange = _metadata(wire, wire.target.key_id)
    body = exchange.expect_ok("XKS-META-003")
    usage = body.get("keyUsage")
    problem = metadata_problem(body)
    if not isinstance(usage, list) or not {"ENCRYPT", "DECRYPT"} <= set(usage) or problem:
        exchange.fail("XKS-META-003", "keyUsage with ENCRYPT and DECRYPT, at most 10 values")
    reached("XKS-META-003")


@pytest.mark.requirement("XKS-META-007")
def test_key_usage_holds_only_the_usages_the_spec_lists(wire: XksWire) -> None:
    exchange = _metadata(wire, wire.target.key_id)
    unknown = unknown_usages(exchange.expect_ok("XKS-META-007"))
    if unknown:
        exchange.fail("XKS-META-007", f"only usages the spec lists (also saw {unknown})")
    reached("XKS-META-007")


@pytest.mark.requirement("XKS-META-004")
def test_key_status_of_an_enabled_key_is_enabled(wire: XksWire) -> None:
    exchange = _metadata(wire, wire.target.key_id)
    if exchange.expect_ok("XKS-META-004").get("keyStatus") != "ENABLED":
        exchange.fail("XKS-META-004", "keyStatus ENABLED")


@pytest.mark.requirement("XKS-META-005")
@pytest.mark.parametrize("operation", ["metadata", "encrypt", "decrypt"])
def test_an_unknown_key_is_refused_with_404_key_not_found(wire: XksWire, operation: str) -> None:
    key_id = "non_existing_key"
    if operation == "metadata":
        body = metadata_body()
    elif operation == "encrypt":
        body = encrypt_body(b"Hello World!", None)
    else:
        body = {
            **encrypt_body(b"", None),
            "ciphertext": "AAAAAAAAAAAAAAAA",
            "initializationVector": "AAAAAAAAAAAAAAAA",
            "authenticationTag": "AAAAAAAAAAAAAAAAAAAAAA==",
        }
        body.pop("plaintext")
        body["requestMetadata"]["kmsOperation"] = "Decrypt"
    wire.post(key_suffix(key_id, operation), body).expect_error(
        "XKS-META-005", "KeyNotFoundException"
    )


@pytest.mark.requirement("XKS-META-005")
@given(key_id=generators.unknown_key_ids())
def test_any_unknown_well_formed_key_id_is_not_found(wire: XksWire, key_id: str) -> None:
    # Drawn as kscheck-no-such-key-<uuid>...: ids are case-sensitive and may be one
    # character long, so a short random id could be a real key of the vendor's proxy.
    _metadata(wire, key_id).expect_error("XKS-META-005", "KeyNotFoundException")


@pytest.mark.requirement("XKS-META-006")
@given(key_id=generators.invalid_key_ids())
def test_a_malformed_key_id_gets_a_4xx(wire: XksWire, key_id: str) -> None:
    assert KEY_ID_PATTERN.fullmatch(key_id) is None
    _metadata(wire, key_id).expect_client_error("XKS-META-006")
