"""Key usage and key state: restricted keys refuse what they may not do, disabled keys
refuse everything but metadata."""

from __future__ import annotations

import pytest

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import metadata_body
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
