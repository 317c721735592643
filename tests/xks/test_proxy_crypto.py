"""Crypto of the fake proxy: round trips, formats, CDIV, and every tamper refused."""

from __future__ import annotations

import base64
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.xks import aead
from conformance.xks.client import XksClient
from conformance.xks.protocol import MAX_AAD_BYTES, MAX_PLAINTEXT_BYTES
from conformance.xks.server import RunningProxy


def derived_bytes(length: int, seed: int) -> bytes:
    """Test data from (length, seed), so counterexamples show no plaintext, only the recipe."""
    return random.Random(seed).randbytes(length)


def unb64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def test_the_spec_cdiv_example_reproduces_exactly() -> None:
    """[SPEC §4] worked example, as recomputed in the spec digest."""
    value = aead.ciphertext_data_integrity_value(
        aad=unb64("cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n"),
        metadata=unb64("a2V5X3ZlcnNpb249MQ=="),
        iv=unb64("HMrlRw85cAJUd5Ax"),
        ciphertext=unb64("ghxkK1txeDNn3q8Y"),
        tag=unb64("vBxN2ncH1oEkR8WVXpmyYQ=="),
    )
    assert base64.b64encode(value).decode() == "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc="


def test_hsm_aad_encodes_lengths_so_metadata_cannot_move_into_the_aad() -> None:
    assert aead.hsm_aad(b"ab", b"c") == b"\x00\x02ab\x01c"
    assert aead.hsm_aad(None, None) == aead.hsm_aad(b"", b"") == b"\x00\x00\x00"
    assert aead.hsm_aad(b"abc", None) != aead.hsm_aad(b"ab", b"c")


@settings(max_examples=40)
@given(
    pt_length=st.integers(0, MAX_PLAINTEXT_BYTES),
    aad_length=st.none() | st.integers(0, MAX_AAD_BYTES),
    seed=st.integers(0, 2**32),
    cdiv=st.booleans(),
)
def test_decrypt_inverts_encrypt_for_every_size_the_spec_requires(
    client: XksClient,
    proxy: RunningProxy,
    pt_length: int,
    aad_length: int | None,
    seed: int,
    cdiv: bool,
) -> None:
    plaintext = derived_bytes(pt_length, seed)
    aad = None if aad_length is None else derived_bytes(aad_length, seed + 1)
    encrypted = client.encrypt(proxy.normal_key_id or "", plaintext, aad, cdiv=cdiv)
    assert encrypted.status == 200, encrypted
    body = encrypted.json
    ciphertext, iv, tag = (
        unb64(body[name]) for name in ("ciphertext", "initializationVector", "authenticationTag")
    )
    assert (len(ciphertext), len(iv), len(tag)) == (pt_length, 12, 16)
    metadata = unb64(body["ciphertextMetadata"]) if "ciphertextMetadata" in body else None
    assert metadata is None or len(metadata) <= 20
    if cdiv:
        expected = aead.ciphertext_data_integrity_value(
            aad=aad, metadata=metadata, iv=iv, ciphertext=ciphertext, tag=tag
        )
        assert unb64(body["ciphertextDataIntegrityValue"]) == expected
    else:
        assert "ciphertextDataIntegrityValue" not in body
    assert client.decrypt_plaintext(proxy.normal_key_id or "", body, aad) == plaintext


def test_responses_use_standard_padded_base64(client: XksClient, proxy: RunningProxy) -> None:
    body = client.encrypt(proxy.normal_key_id or "", b"\xfb\xff" * 40, b"x", cdiv=True).json
    for value in body.values():
        assert base64.b64encode(base64.b64decode(value, validate=True)).decode() == value


def test_ivs_do_not_repeat_across_many_encryptions(client: XksClient, proxy: RunningProxy) -> None:
    ivs = {
        client.encrypt(proxy.normal_key_id or "", b"same").json["initializationVector"]
        for _ in range(40)
    }
    assert len(ivs) == 40


def flip_bit(value: str, index: int = 0) -> str:
    raw = bytearray(unb64(value))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


TAMPERS: dict[str, Any] = {
    "ciphertext bit": lambda e, aad: {**e, "ciphertext": flip_bit(e["ciphertext"])},
    "iv bit": lambda e, aad: {**e, "initializationVector": flip_bit(e["initializationVector"])},
    "tag bit": lambda e, aad: {**e, "authenticationTag": flip_bit(e["authenticationTag"])},
    "metadata bit": lambda e, aad: {**e, "ciphertextMetadata": flip_bit(e["ciphertextMetadata"])},
    "metadata dropped": lambda e, aad: {k: v for k, v in e.items() if k != "ciphertextMetadata"},
}
AAD = b"project=nile,department=marketing"


@pytest.mark.parametrize("tamper", TAMPERS, ids=list(TAMPERS))
def test_every_tampered_field_gives_invalid_ciphertext(
    client: XksClient, proxy: RunningProxy, tamper: str
) -> None:
    key = proxy.normal_key_id or ""
    encrypted = client.encrypt(key, b"plaintext\n", AAD).json
    changed = TAMPERS[tamper](encrypted, AAD)
    response = client.decrypt(
        key,
        changed["ciphertext"],
        changed["initializationVector"],
        changed["authenticationTag"],
        AAD,
        changed.get("ciphertextMetadata"),
    )
    assert (response.status, response.error_name) == (400, "InvalidCiphertextException")


@pytest.mark.parametrize(
    ("encrypt_aad", "decrypt_aad"),
    [(AAD, None), (None, AAD), (AAD, b"project=blue,department=finance"), (AAD, AAD[:-1])],
    ids=["aad dropped", "aad added", "other aad", "aad truncated"],
)
def test_aad_changes_give_invalid_ciphertext(
    client: XksClient, proxy: RunningProxy, encrypt_aad: bytes | None, decrypt_aad: bytes | None
) -> None:
    key = proxy.normal_key_id or ""
    encrypted = client.encrypt(key, b"plaintext\n", encrypt_aad).json
    response = client.decrypt(
        key,
        encrypted["ciphertext"],
        encrypted["initializationVector"],
        encrypted["authenticationTag"],
        decrypt_aad,
        encrypted.get("ciphertextMetadata"),
    )
    assert (response.status, response.error_name) == (400, "InvalidCiphertextException")


def test_metadata_moved_into_the_aad_gives_invalid_ciphertext(
    client: XksClient, proxy: RunningProxy
) -> None:
    key = proxy.normal_key_id or ""
    encrypted = client.encrypt(key, b"plaintext\n", b"").json
    metadata = unb64(encrypted["ciphertextMetadata"])
    response = client.decrypt(
        key,
        encrypted["ciphertext"],
        encrypted["initializationVector"],
        encrypted["authenticationTag"],
        metadata,
        None,
    )
    assert (response.status, response.error_name) == (400, "InvalidCiphertextException")


def test_an_empty_aad_and_an_absent_aad_are_the_same_under_the_spec_formula(
    client: XksClient, proxy: RunningProxy
) -> None:
    key = proxy.normal_key_id or ""
    encrypted = client.encrypt(key, b"x").json
    assert client.decrypt_plaintext(key, encrypted, b"") == b"x"


def test_a_ciphertext_of_another_key_or_tenant_is_refused(
    client: XksClient, proxy: RunningProxy
) -> None:
    encrypted = client.encrypt("foo", b"x").json
    other = client.decrypt(
        "decrypt_only_key",
        encrypted["ciphertext"],
        encrypted["initializationVector"],
        encrypted["authenticationTag"],
        None,
        encrypted["ciphertextMetadata"],
    )
    assert (other.status, other.error_name) == (400, "InvalidCiphertextException")
    akid, secret = proxy.tenants[1].credentials[0]
    with XksClient(
        proxy.base_url,
        proxy.tenants[1].uri_prefix,
        akid,
        secret,
        proxy.region,
        proxy.ca_bundle_path,
    ) as neighbour:
        stolen = neighbour.decrypt(
            "foo",
            encrypted["ciphertext"],
            encrypted["initializationVector"],
            encrypted["authenticationTag"],
            None,
            encrypted["ciphertextMetadata"],
        )
    assert (stolen.status, stolen.error_name) == (400, "InvalidCiphertextException")


@pytest.mark.parametrize(("iv_length", "tag_length"), [(11, 16), (13, 16), (12, 15), (12, 17)])
def test_wrong_iv_or_tag_lengths_give_invalid_ciphertext(
    client: XksClient, proxy: RunningProxy, iv_length: int, tag_length: int
) -> None:
    response = client.decrypt(
        proxy.normal_key_id or "", b"abc", bytes(iv_length), bytes(tag_length)
    )
    assert (response.status, response.error_name) == (400, "InvalidCiphertextException")
