"""Tampering: any change to what the tag binds makes Decrypt fail with 400, never 200."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import Sealed
from conformance.checks.xks.flows import decrypt, encrypt_for_setup, require_key
from conformance.checks.xks.generators import Payload, aad_bytes
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.report.evidence import reached

INVALID_CIPHERTEXT = "InvalidCiphertextException"
#: The error table names InvalidCiphertextException for a corrupt ciphertext, IV, AAD or tag,
#: but not for ciphertextMetadata or a wrong key: a proxy that parses its own metadata may
#: call an altered one invalid input. Both are 400 refusals, which is what the rules ask.
REFUSED = (INVALID_CIPHERTEXT, "ValidationException")
FIELDS = ("ciphertext", "iv", "tag")


def _flip(data: bytes, bit: int) -> bytes:
    if not data:
        return b"\x01"
    index = (bit // 8) % len(data)
    return data[:index] + bytes([data[index] ^ (1 << (bit % 8))]) + data[index + 1 :]


def _tampered(sealed: Sealed, field: str, bit: int) -> Sealed:
    if field == "ciphertext":
        return dataclasses.replace(sealed, ciphertext=_flip(sealed.ciphertext, bit))
    if field == "iv":
        return dataclasses.replace(sealed, iv=_flip(sealed.iv, bit))
    return dataclasses.replace(sealed, tag=_flip(sealed.tag, bit))


@pytest.mark.requirement("XKS-TAMPER-001")
@given(
    plaintext=generators.plaintexts(min_size=1),
    aad=generators.aads(),
    field=st.sampled_from(FIELDS),
    bit=st.integers(0, 8 * 4300),
)
def test_a_flipped_bit_in_ciphertext_iv_or_tag_fails_decrypt(
    wire: XksWire, plaintext: Payload, aad: Payload | None, field: str, bit: int
) -> None:
    sealed = encrypt_for_setup(wire, wire.target.key_id, plaintext.data, aad_bytes(aad))
    tampered = _tampered(sealed, field, bit)
    exchange = decrypt(wire, wire.target.key_id, tampered, aad_bytes(aad), note=f"{field} flipped")
    exchange.expect_error("XKS-TAMPER-001", INVALID_CIPHERTEXT)


AAD_CHANGES = ("flip", "drop", "add", "replace")


@pytest.mark.requirement("XKS-TAMPER-002")
@given(
    plaintext=generators.plaintexts(min_size=1),
    aad=generators.payloads(1, 8192),
    change=st.sampled_from(AAD_CHANGES),
    bit=st.integers(0, 8 * 8192),
)
def test_a_changed_dropped_or_added_aad_fails_decrypt(
    wire: XksWire, plaintext: Payload, aad: Payload, change: str, bit: int
) -> None:
    sealed_aad = None if change == "add" else aad.data
    sealed = encrypt_for_setup(wire, wire.target.key_id, plaintext.data, sealed_aad)
    opened_aad = {
        "flip": _flip(aad.data, bit),
        "drop": None,
        "add": aad.data,
        "replace": generators.TC_AAD_2 if aad.data != generators.TC_AAD_2 else b"x",
    }[change]
    exchange = decrypt(wire, wire.target.key_id, sealed, opened_aad, note=f"AAD {change}")
    exchange.expect_error("XKS-TAMPER-002", INVALID_CIPHERTEXT)


@pytest.mark.requirement("XKS-TAMPER-002")
@pytest.mark.parametrize("opened_with", [None, generators.TC_AAD_2], ids=["no-aad", "aad2"])
def test_the_official_client_aad_mismatches_fail_decrypt(
    wire: XksWire, opened_with: bytes | None
) -> None:
    sealed = encrypt_for_setup(
        wire, wire.target.key_id, generators.TC_PLAINTEXT_1, generators.TC_AAD_1
    )
    exchange = decrypt(wire, wire.target.key_id, sealed, opened_with, note="AAD differs")
    exchange.expect_error("XKS-TAMPER-002", INVALID_CIPHERTEXT)


def _metadata_variants(sealed: Sealed) -> dict[str, bytes | None]:
    if not sealed.metadata:  # absent, or present but empty: the same AAD block [SPEC §AAD]
        return {"added": b"key_version=2"}
    return {
        "flipped": _flip(sealed.metadata, 0),
        "dropped": None,
        "truncated": sealed.metadata[:-1],
    }


@pytest.mark.requirement("XKS-TAMPER-003")
@pytest.mark.parametrize("with_aad", [False, True], ids=["no-aad", "aad1"])
def test_changed_ciphertext_metadata_fails_decrypt(wire: XksWire, with_aad: bool) -> None:
    aad = generators.TC_AAD_1 if with_aad else None
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2, aad)
    for name, metadata in _metadata_variants(sealed).items():
        exchange = decrypt(
            wire, wire.target.key_id, sealed, aad, metadata=metadata, note=f"metadata {name}"
        )
        exchange.expect_error("XKS-TAMPER-003", REFUSED)


@pytest.mark.requirement("XKS-TAMPER-004")
def test_moving_ciphertext_metadata_into_the_aad_fails_decrypt(wire: XksWire) -> None:
    aad = generators.TC_AAD_1
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2, aad)
    if not sealed.metadata:
        pytest.skip("the proxy returns no ciphertextMetadata to move")
    exchange = decrypt(
        wire,
        wire.target.key_id,
        sealed,
        aad + sealed.metadata,
        metadata=None,
        note="metadata appended to the AAD and dropped",
    )
    exchange.expect_error("XKS-TAMPER-004", REFUSED)


@pytest.mark.requirement("XKS-TAMPER-005")
def test_a_ciphertext_opened_under_another_key_fails(wire: XksWire) -> None:
    other = require_key(wire, "decrypt_only_key_id", "DECRYPT_ONLY_KEY_ID")
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
    exchange = decrypt(wire, other, sealed, note="sealed under the main key")
    exchange.expect_error("XKS-TAMPER-005", REFUSED)


#: Every binary field of Decrypt and the requirement its tampering is graded under; a
#: wrong-length IV or tag is XKS-VAL-007 (either refusal is a 400, digest §8.3).
POSITION_FIELDS = ("ciphertext", "iv", "tag", "aad", "metadata")
POSITION_CHANGES = ("first", "middle", "last", "truncated", "extended")
_POSITION_REQUIREMENT = {
    "ciphertext": "XKS-TAMPER-001",
    "iv": "XKS-TAMPER-001",
    "tag": "XKS-TAMPER-001",
    "aad": "XKS-TAMPER-002",
    "metadata": "XKS-TAMPER-003",
}
#: AAD sizes drawn often: both sides of 4 KiB buffers and the spec's 8192 B.
_AAD_EDGES = (3, 4095, 4096, 4097, 8191, 8192)


def _changed_at(data: bytes, change: str, middle: int) -> bytes:
    """`data` with its first, a middle or its last byte flipped, or one byte shorter/longer."""
    if change == "truncated":
        return data[:-1]
    if change == "extended":
        return data + bytes([data[-1] ^ 0x5A])
    index = {"first": 0, "last": len(data) - 1}.get(change, 1 + middle % (len(data) - 2))
    return data[:index] + bytes([data[index] ^ 0x80]) + data[index + 1 :]


def _tampered_field(sealed: Sealed, field: str, value: bytes) -> Sealed:
    if field == "ciphertext":
        return dataclasses.replace(sealed, ciphertext=value)
    if field == "iv":
        return dataclasses.replace(sealed, iv=value)
    if field == "tag":
        return dataclasses.replace(sealed, tag=value)
    return sealed


def _unsupported_size(exchange: Exchange) -> bool:
    response = exchange.response
    return response.status == 501 and response.error_name == "UnsupportedOperationException"


def _position_requirement(field: str, change: str) -> str:
    if field in ("iv", "tag") and change in ("truncated", "extended"):
        return "XKS-VAL-007"
    return _POSITION_REQUIREMENT[field]


@pytest.mark.requirement("XKS-TAMPER-001", "XKS-TAMPER-002", "XKS-TAMPER-003", "XKS-VAL-007")
@given(
    plaintext=generators.plaintexts(min_size=3),
    aad_size=st.one_of(st.sampled_from(_AAD_EDGES), st.integers(3, 8192)),
    seed=st.integers(0, 2**16),
    middle=st.integers(0, 2**16),
)
def test_every_binary_field_is_bound_at_every_position(
    wire: XksWire, plaintext: Payload, aad_size: int, seed: int, middle: int
) -> None:
    """Each binary field of Decrypt (ciphertext, IV, tag, AAD, ciphertextMetadata) is
    changed at its first, last and a drawn middle byte, and cut or extended by one byte:
    every change must be refused with a 400, never opened."""
    aad = Payload(aad_size, seed).data
    sealed = encrypt_for_setup(wire, wire.target.key_id, plaintext.data, aad)
    for field in POSITION_FIELDS:
        original = {"ciphertext": sealed.ciphertext, "iv": sealed.iv, "tag": sealed.tag}
        original.update({"aad": aad, "metadata": sealed.metadata or b""})
        if len(original[field]) < 3:
            continue  # no ciphertextMetadata (a permitted variant): see XKS-TAMPER-003
        for change in POSITION_CHANGES:
            value = _changed_at(original[field], change, middle)
            tampered = _tampered_field(sealed, field, value)
            exchange = decrypt(
                wire,
                wire.target.key_id,
                tampered,
                value if field == "aad" else aad,
                metadata=value if field == "metadata" else "same",
                note=f"{field} {change}",
            )
            requirement = _position_requirement(field, change)
            if change == "extended" and _unsupported_size(exchange):
                reached(requirement)  # one byte past 4300 B or 8192 B: 501 is allowed
                continue
            flipped = change in ("first", "middle", "last") and field != "metadata"
            names = INVALID_CIPHERTEXT if flipped else REFUSED
            exchange.expect_error(requirement, names)
