"""Key usage and key state: restricted keys refuse what they may not do, disabled keys
refuse everything but metadata."""

from __future__ import annotations

import pytest

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import lenient_b64decode, metadata_body
from conformance.checks.xks.flows import (
    decrypt,
    encrypt,
    encrypt_for_setup,
    key_suffix,
    require,
    require_key,
    sealed_or_fail,
)
from conformance.checks.xks.wire import XksWire

INVALID_KEY_USAGE = "InvalidKeyUsageException"
ENCRYPT_VARIANTS = [
    (None, False),
    (generators.TC_AAD_1, False),
    (generators.TC_AAD_1, True),
    (None, True),
]
ENCRYPT_IDS = ["no-aad", "aad", "aad-cdiv", "cdiv"]


@pytest.mark.requirement("XKS-USAGE-001")
@pytest.mark.parametrize("aad", [None, generators.TC_AAD_1], ids=["no-aad", "aad"])
def test_an_encrypt_only_key_encrypts_but_refuses_decrypt(wire: XksWire, aad: bytes | None) -> None:
    key = require_key(wire, "encrypt_only_key_id", "ENCRYPT_ONLY_KEY_ID")
    sealed, _ = sealed_or_fail(encrypt(wire, key, generators.TC_PLAINTEXT_2, aad), "XKS-USAGE-001")
    decrypt(wire, key, sealed, aad).expect_error("XKS-USAGE-001", INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-002")
@pytest.mark.parametrize("aad", [None, generators.TC_AAD_1], ids=["no-aad", "aad"])
def test_an_encrypt_only_key_refuses_encrypt_with_cdiv(wire: XksWire, aad: bytes | None) -> None:
    key = require_key(wire, "encrypt_only_key_id", "ENCRYPT_ONLY_KEY_ID")
    exchange = encrypt(wire, key, generators.TC_PLAINTEXT_2, aad, cdiv=True)
    exchange.expect_error("XKS-USAGE-002", INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-003")
@pytest.mark.parametrize("aad, cdiv", ENCRYPT_VARIANTS, ids=ENCRYPT_IDS)
def test_a_decrypt_only_key_refuses_encrypt(wire: XksWire, aad: bytes | None, cdiv: bool) -> None:
    key = require_key(wire, "decrypt_only_key_id", "DECRYPT_ONLY_KEY_ID")
    exchange = encrypt(wire, key, generators.TC_PLAINTEXT_2, aad, cdiv=cdiv)
    exchange.expect_error("XKS-USAGE-003", INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-004")
@pytest.mark.parametrize("aad, cdiv", ENCRYPT_VARIANTS, ids=ENCRYPT_IDS)
def test_a_key_without_usages_refuses_encrypt(wire: XksWire, aad: bytes | None, cdiv: bool) -> None:
    key = require_key(wire, "impotent_key_id", "IMPOTENT_KEY_ID")
    exchange = encrypt(wire, key, generators.TC_PLAINTEXT_2, aad, cdiv=cdiv)
    exchange.expect_error("XKS-USAGE-004", INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-004")
def test_a_key_without_usages_refuses_decrypt(wire: XksWire) -> None:
    key = require_key(wire, "impotent_key_id", "IMPOTENT_KEY_ID")
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
    decrypt(wire, key, sealed).expect_error("XKS-USAGE-004", INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-005")
def test_a_disabled_key_reports_disabled_and_refuses_crypto(wire: XksWire) -> None:
    key = require(wire.target.disabled_key_id, "disabled key id (--disabled-key-id)")
    exchange = wire.post(key_suffix(key, "metadata"), metadata_body("DescribeKey"))
    if exchange.expect_ok("XKS-USAGE-005").get("keyStatus") != "DISABLED":
        exchange.fail("XKS-USAGE-005", "keyStatus DISABLED")
    encrypt(wire, key, generators.TC_PLAINTEXT_2).expect_error(
        "XKS-USAGE-005", "InvalidStateException"
    )
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
    decrypt(wire, key, sealed).expect_error("XKS-USAGE-005", "InvalidStateException")


@pytest.mark.requirement("XKS-USAGE-006")
@pytest.mark.parametrize(
    "role, present, absent",
    [
        ("encrypt_only_key_id", "ENCRYPT", "DECRYPT"),
        ("decrypt_only_key_id", "DECRYPT", "ENCRYPT"),
        ("impotent_key_id", None, "ENCRYPT"),
        ("impotent_key_id", None, "DECRYPT"),
    ],
)
def test_key_usage_of_a_restricted_key_matches_what_it_allows(
    wire: XksWire, role: str, present: str | None, absent: str
) -> None:
    key = require_key(wire, role, role.upper())
    exchange = wire.post(key_suffix(key, "metadata"), metadata_body("DescribeKey"))
    usage = exchange.expect_ok("XKS-USAGE-006").get("keyUsage")
    if not isinstance(usage, list) or absent in usage or (present and present not in usage):
        wanted = f"keyUsage {'with ' + present + ' and ' if present else ''}without {absent}"
        exchange.fail("XKS-USAGE-006", wanted)


#: The kmsOperation values KMS sends on each API [SPEC §2]: a key usage or key state rule
#: must hold for every one of them, not only for the one the other checks send.
ENCRYPT_KMS_OPERATIONS = (
    "Encrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
)
DECRYPT_KMS_OPERATIONS = ("Decrypt", "ReEncrypt")
METADATA_KMS_OPERATIONS = ("CreateKey", "DescribeKey")


def _decoded(value: object) -> bytes | None:
    """A base64 plaintext field decoded (any flavour: XKS-CRYPT-002 judges the encoding)."""
    try:
        return lenient_b64decode(str(value))
    except ValueError:
        return None


def _operation(kms_operation: str) -> dict[str, str | None]:
    return {"kmsOperation": kms_operation}


@pytest.mark.requirement("XKS-USAGE-001", "XKS-USAGE-003", "XKS-USAGE-004")
@pytest.mark.parametrize(
    "role, refused",
    [
        ("encrypt_only_key_id", ("decrypt",)),
        ("decrypt_only_key_id", ("encrypt",)),
        ("impotent_key_id", ("encrypt", "decrypt")),
    ],
)
def test_key_usage_holds_for_every_kms_operation_value(
    wire: XksWire, role: str, refused: tuple[str, ...]
) -> None:
    key = require_key(wire, role, role.upper())
    requirement = {"encrypt_only_key_id": "XKS-USAGE-001", "decrypt_only_key_id": "XKS-USAGE-003"}
    rid = requirement.get(role, "XKS-USAGE-004")
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
    for kms_operation in ENCRYPT_KMS_OPERATIONS if "encrypt" in refused else ():
        exchange = encrypt(
            wire,
            key,
            generators.TC_PLAINTEXT_2,
            metadata_changes=_operation(kms_operation),
            note=f"kmsOperation {kms_operation}",
        )
        exchange.expect_error(rid, INVALID_KEY_USAGE)
    for kms_operation in DECRYPT_KMS_OPERATIONS if "decrypt" in refused else ():
        exchange = decrypt(
            wire,
            key,
            sealed,
            metadata_changes=_operation(kms_operation),
            note=f"kmsOperation {kms_operation}",
        )
        exchange.expect_error(rid, INVALID_KEY_USAGE)


@pytest.mark.requirement("XKS-USAGE-005")
def test_a_disabled_key_is_refused_under_every_kms_operation_value(wire: XksWire) -> None:
    key = require(wire.target.disabled_key_id, "disabled key id (--disabled-key-id)")
    for kms_operation in METADATA_KMS_OPERATIONS:
        exchange = wire.post(key_suffix(key, "metadata"), metadata_body(kms_operation))
        if exchange.expect_ok("XKS-USAGE-005").get("keyStatus") != "DISABLED":
            exchange.fail("XKS-USAGE-005", f"keyStatus DISABLED for {kms_operation}")
    for kms_operation in ENCRYPT_KMS_OPERATIONS:
        exchange = encrypt(
            wire,
            key,
            generators.TC_PLAINTEXT_2,
            metadata_changes=_operation(kms_operation),
            note=f"kmsOperation {kms_operation}",
        )
        exchange.expect_error("XKS-USAGE-005", "InvalidStateException")
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
    for kms_operation in DECRYPT_KMS_OPERATIONS:
        exchange = decrypt(
            wire, key, sealed, metadata_changes=_operation(kms_operation), note=kms_operation
        )
        exchange.expect_error("XKS-USAGE-005", "InvalidStateException")


@pytest.mark.requirement("XKS-CRYPT-006")
@pytest.mark.parametrize("encrypt_operation", ENCRYPT_KMS_OPERATIONS)
def test_round_trips_hold_for_every_kms_operation_pair(
    wire: XksWire, encrypt_operation: str
) -> None:
    plaintext = generators.PLAINTEXT_MARKER
    exchange = encrypt(
        wire,
        wire.target.key_id,
        plaintext,
        generators.TC_AAD_1,
        metadata_changes=_operation(encrypt_operation),
        note=f"kmsOperation {encrypt_operation}",
    )
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
    for decrypt_operation in DECRYPT_KMS_OPERATIONS:
        back = decrypt(
            wire,
            wire.target.key_id,
            sealed,
            generators.TC_AAD_1,
            metadata_changes=_operation(decrypt_operation),
            note=f"kmsOperation {decrypt_operation}",
        )
        value = back.expect_ok("XKS-CRYPT-006").get("plaintext")
        if _decoded(value) != plaintext:
            back.fail("XKS-CRYPT-006", "the plaintext that was encrypted")
