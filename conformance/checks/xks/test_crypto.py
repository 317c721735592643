"""Encrypt and Decrypt: schemas, encodings, lengths, round trips, IV uniqueness, CDIV."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import expected_cdiv, lenient_b64decode
from conformance.checks.xks.flows import decrypt, encrypt, encrypt_for_setup, sealed_or_fail
from conformance.checks.xks.generators import Payload, aad_bytes
from conformance.checks.xks.schemas import ENCRYPT_FIELDS
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.profiles import repetitions
from conformance.report.evidence import reached
from conformance.spec.xks_protocol import (
    IV_LENGTHS,
    MAX_AAD_BYTES,
    MAX_CIPHERTEXT_METADATA_BYTES,
    MAX_PLAINTEXT_BYTES,
    TAG_LENGTH,
    is_standard_base64,
)

BINARY_RESPONSE_FIELDS = ENCRYPT_FIELDS | {"plaintext"}
IV_REUSE_SAMPLE = 64


def _decrypted_plaintext(exchange: Exchange, requirement_id: str) -> bytes:
    value = exchange.expect_ok(requirement_id).get("plaintext")
    if isinstance(value, str):
        try:
            return lenient_b64decode(value)
        except ValueError:
            pass
    exchange.fail(requirement_id, "a base64 plaintext field")


@pytest.mark.requirement("XKS-CRYPT-001")
@pytest.mark.parametrize("with_aad", [False, True], ids=["no-aad", "aad"])
def test_encrypt_answers_with_ciphertext_iv_and_tag(wire: XksWire, with_aad: bool) -> None:
    aad = generators.TC_AAD_1 if with_aad else None
    exchange = encrypt(wire, wire.target.key_id, generators.TC_PLAINTEXT_2, aad)
    body = exchange.expect_ok("XKS-CRYPT-001")
    missing = {"ciphertext", "initializationVector", "authenticationTag"} - body.keys()
    # Fields the spec does not name are XKS-HTTP-008 (informational), not a broken schema.
    if missing or "ciphertextDataIntegrityValue" in body:
        exchange.fail(
            "XKS-CRYPT-001",
            "ciphertext, initializationVector, authenticationTag (+ ciphertextMetadata), "
            "and no CDIV unless asked",
        )
    sealed_or_fail(exchange, "XKS-CRYPT-001")
    reached("XKS-CRYPT-001")


def _non_standard_fields(body: dict[str, Any]) -> list[str]:
    return sorted(
        name
        for name, value in body.items()
        if name in BINARY_RESPONSE_FIELDS
        and (not isinstance(value, str) or not is_standard_base64(value))
    )


@pytest.mark.requirement("XKS-CRYPT-002")
@given(plaintext=generators.plaintexts(min_size=1), aad=generators.aads())
def test_every_binary_field_is_standard_padded_base64(
    wire: XksWire, plaintext: Payload, aad: Payload | None
) -> None:
    exchange = encrypt(wire, wire.target.key_id, plaintext.data, aad_bytes(aad), cdiv=True)
    body = exchange.expect_ok("XKS-CRYPT-001")
    bad = _non_standard_fields(body)
    if bad:
        exchange.fail("XKS-CRYPT-002", f"standard padded base64 in {', '.join(bad)}")
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
    back = decrypt(wire, wire.target.key_id, sealed, aad_bytes(aad))
    bad = _non_standard_fields(back.expect_ok("XKS-CRYPT-011"))
    if bad:
        back.fail("XKS-CRYPT-002", "standard padded base64 in plaintext")
    reached("XKS-CRYPT-002")


@pytest.mark.requirement("XKS-CRYPT-003", "XKS-CRYPT-004", "XKS-CRYPT-005", "XKS-CRYPT-010")
@given(plaintext=generators.plaintexts(min_size=1), aad=generators.aads())
def test_iv_tag_ciphertext_and_metadata_have_the_spec_lengths(
    wire: XksWire, plaintext: Payload, aad: Payload | None
) -> None:
    exchange = encrypt(wire, wire.target.key_id, plaintext.data, aad_bytes(aad))
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
    if len(sealed.iv) not in IV_LENGTHS:
        exchange.fail("XKS-CRYPT-003", "an initializationVector of 12 or 16 bytes")
    if len(sealed.tag) != TAG_LENGTH:
        exchange.fail("XKS-CRYPT-004", "an authenticationTag of 16 bytes")
    if len(sealed.ciphertext) != plaintext.size:
        exchange.fail("XKS-CRYPT-005", f"a ciphertext of {plaintext.size} bytes")
    reached("XKS-CRYPT-003", "XKS-CRYPT-004", "XKS-CRYPT-005")
    if sealed.metadata is not None:
        if len(sealed.metadata) > MAX_CIPHERTEXT_METADATA_BYTES:
            exchange.fail("XKS-CRYPT-010", "ciphertextMetadata of at most 20 bytes")
        reached("XKS-CRYPT-010")


#: Plaintext lengths around AES blocks and power-of-two buffers, up to the 4300 B minimum.
PLAINTEXT_EDGES = (1, 15, 16, 17, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 4299, 4300)


@pytest.mark.requirement("XKS-CRYPT-005", "XKS-CRYPT-006")
def test_every_edge_length_keeps_its_length_and_round_trips(wire: XksWire) -> None:
    for size in PLAINTEXT_EDGES:
        plaintext = Payload(size, seed=size).data
        exchange = encrypt(wire, wire.target.key_id, plaintext)
        sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
        if len(sealed.ciphertext) != size:
            exchange.fail("XKS-CRYPT-005", f"a ciphertext of {size} bytes")
        reached("XKS-CRYPT-005")
        back = decrypt(wire, wire.target.key_id, sealed, note=f"{size}-byte plaintext")
        if _decrypted_plaintext(back, "XKS-CRYPT-006") != plaintext:
            back.fail("XKS-CRYPT-006", "the plaintext that was encrypted")


@pytest.mark.requirement("XKS-CRYPT-006", "XKS-CRYPT-011")
@given(plaintext=generators.plaintexts(min_size=1), aad=generators.aads())
def test_decrypt_returns_the_original_plaintext(
    wire: XksWire, plaintext: Payload, aad: Payload | None
) -> None:
    sealed = encrypt_for_setup(wire, wire.target.key_id, plaintext.data, aad_bytes(aad))
    back = decrypt(wire, wire.target.key_id, sealed, aad_bytes(aad))
    if _decrypted_plaintext(back, "XKS-CRYPT-011") != plaintext.data:
        back.fail("XKS-CRYPT-006", f"the original {plaintext.size}-byte plaintext")
    reached("XKS-CRYPT-006")


@pytest.mark.requirement("XKS-CRYPT-006")
@pytest.mark.parametrize("plaintext", generators.FIXED_PLAINTEXTS, ids=["pt1", "pt2", "marker"])
@pytest.mark.parametrize("aad", [None, generators.TC_AAD_1], ids=["no-aad", "aad1"])
def test_the_official_client_plaintexts_round_trip(
    wire: XksWire, plaintext: bytes, aad: bytes | None
) -> None:
    sealed = encrypt_for_setup(wire, wire.target.key_id, plaintext, aad)
    back = decrypt(wire, wire.target.key_id, sealed, aad)
    if _decrypted_plaintext(back, "XKS-CRYPT-011") != plaintext:
        back.fail("XKS-CRYPT-006", f"the original {len(plaintext)}-byte plaintext")
    reached("XKS-CRYPT-006")


@pytest.mark.requirement("XKS-CRYPT-007")
def test_the_largest_required_plaintext_and_aad_round_trip(wire: XksWire) -> None:
    plaintext = Payload(MAX_PLAINTEXT_BYTES, seed=7).data
    aad = Payload(MAX_AAD_BYTES, seed=8).data
    exchange = encrypt(wire, wire.target.key_id, plaintext, aad)
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-007")
    back = decrypt(wire, wire.target.key_id, sealed, aad)
    if _decrypted_plaintext(back, "XKS-CRYPT-007") != plaintext:
        back.fail("XKS-CRYPT-007", "the original 4300-byte plaintext")
    reached("XKS-CRYPT-007")


@pytest.mark.requirement("XKS-CRYPT-008")
def test_no_iv_repeats_across_many_encrypts(wire: XksWire) -> None:
    seen: dict[bytes, int] = {}
    for call in range(IV_REUSE_SAMPLE):
        exchange = encrypt(wire, wire.target.key_id, generators.TC_PLAINTEXT_2)
        sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
        if sealed.iv in seen:
            exchange.fail(
                "XKS-CRYPT-008",
                f"a fresh IV (call {call + 1} repeated the IV of call {seen[sealed.iv] + 1})",
            )
        seen[sealed.iv] = call
    reached("XKS-CRYPT-008")


@pytest.mark.requirement("XKS-CRYPT-009")
@given(plaintext=generators.plaintexts(min_size=1), aad=generators.aads())
def test_cdiv_is_the_sha256_of_the_spec_fields_and_decrypt_then_works(
    wire: XksWire, plaintext: Payload, aad: Payload | None
) -> None:
    exchange = encrypt(wire, wire.target.key_id, plaintext.data, aad_bytes(aad), cdiv=True)
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
    if sealed.cdiv != expected_cdiv(aad_bytes(aad), sealed):
        exchange.fail(
            "XKS-CRYPT-009", "ciphertextDataIntegrityValue = b64(SHA-256(aad||cm||iv||ct||tag))"
        )
    back = decrypt(wire, wire.target.key_id, sealed, aad_bytes(aad))
    if _decrypted_plaintext(back, "XKS-CRYPT-009") != plaintext.data:
        back.fail("XKS-CRYPT-009", "Decrypt to succeed after a CDIV was returned")
    reached("XKS-CRYPT-009")


@pytest.mark.requirement("XKS-CRYPT-012")
@pytest.mark.parametrize("aad", [None, generators.TC_AAD_1], ids=["no-aad", "aad1"])
def test_an_empty_plaintext_round_trips(wire: XksWire, aad: bytes | None) -> None:
    exchange = encrypt(wire, wire.target.key_id, b"", aad)
    sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-012")
    back = decrypt(wire, wire.target.key_id, sealed, aad)
    if _decrypted_plaintext(back, "XKS-CRYPT-012") != b"":
        back.fail("XKS-CRYPT-012", "an empty plaintext")
    reached("XKS-CRYPT-012")


@pytest.mark.requirement("XKS-CRYPT-013")
@pytest.mark.parametrize("sealed_with, opened_with", [(b"", None), (None, b"")], ids=["e-a", "a-e"])
def test_an_empty_aad_and_an_absent_aad_are_interchangeable(
    wire: XksWire, sealed_with: bytes | None, opened_with: bytes | None
) -> None:
    sealed = encrypt_for_setup(wire, wire.target.key_id, generators.TC_PLAINTEXT_2, sealed_with)
    back = decrypt(wire, wire.target.key_id, sealed, opened_with, note="AAD empty vs absent")
    back.expect_ok("XKS-CRYPT-013")


@pytest.mark.requirement("XKS-CRYPT-001", "XKS-CRYPT-006")
def test_repeated_round_trips_are_each_correct(wire: XksWire) -> None:
    """A defect that shows once in N calls: the round trip is repeated (the profile's
    repetition count) and every answer checked, each with its own plaintext."""
    for call in range(repetitions()):
        plaintext = Payload(1 + call * 37 % MAX_PLAINTEXT_BYTES, seed=call).data
        exchange = encrypt(wire, wire.target.key_id, plaintext, generators.TC_AAD_1)
        sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
        reached("XKS-CRYPT-001")
        back = decrypt(wire, wire.target.key_id, sealed, generators.TC_AAD_1, note=f"call {call}")
        if _decrypted_plaintext(back, "XKS-CRYPT-006") != plaintext:
            back.fail("XKS-CRYPT-006", f"the plaintext that was encrypted (call {call})")


#: Parallel clients of the concurrency check, each on its own keep-alive connection.
PARALLEL_CLIENTS = 8


@dataclass
class _ClientRecord:
    """What one parallel client saw: its IVs (with the Encrypt that returned them), the
    first wrong answer, and how many calls a 429 ThrottlingException turned away."""

    ivs: list[tuple[bytes, Exchange]] = field(default_factory=list)
    wrong: tuple[Exchange, str, str] | None = None
    throttled: int = 0


def _throttled(exchange: Exchange) -> bool:
    response = exchange.response
    return response.status == 429 and response.error_name == "ThrottlingException"


def _parallel_client(wire: XksWire, index: int, calls: int) -> _ClientRecord:
    record = _ClientRecord()
    own = XksWire(wire.target, timeout=wire.timeout)
    try:
        for call in range(calls):
            plaintext = Payload(16 + (index * calls + call) % 200, seed=index * 7919 + call).data
            exchange = encrypt(own, wire.target.key_id, plaintext)
            if _throttled(exchange):
                record.throttled += 1
                continue
            sealed, _ = sealed_or_fail(exchange, "XKS-CRYPT-001")
            record.ivs.append((sealed.iv, exchange))
            back = decrypt(own, wire.target.key_id, sealed, note=f"client {index} call {call}")
            if _throttled(back):
                record.throttled += 1
                continue
            if _decrypted_plaintext(back, "XKS-CRYPT-011") != plaintext:
                record.wrong = (back, "XKS-CRYPT-014", "this client's own plaintext")
                break
    finally:
        own.close()
    return record


@pytest.mark.requirement("XKS-CRYPT-014", "XKS-CRYPT-008")
def test_parallel_clients_each_get_their_own_answers(wire: XksWire) -> None:
    """8 clients on their own keep-alive connections encrypt and decrypt their own
    plaintexts at once: every Decrypt must return its client's plaintext, and no IV may
    repeat across all clients and calls. A 429 ThrottlingException is allowed (a proxy
    may limit a tenant's connections) and only turns the call away."""
    calls = max(4, repetitions() // 4)
    with ThreadPoolExecutor(PARALLEL_CLIENTS) as pool:
        records = list(
            pool.map(lambda i: _parallel_client(wire, i, calls), range(PARALLEL_CLIENTS))
        )
    for record in records:
        if record.wrong is not None:
            exchange, requirement, expected = record.wrong
            exchange.fail(requirement, expected)
    seen: dict[bytes, Exchange] = {}
    for record in records:
        for iv, exchange in record.ivs:
            if iv in seen:
                exchange.fail("XKS-CRYPT-008", "an IV no other concurrent Encrypt returned")
            seen[iv] = exchange
    if not seen:
        pytest.skip("every parallel call was throttled (429)")
    reached("XKS-CRYPT-014", "XKS-CRYPT-008")
