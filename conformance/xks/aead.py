"""The XKS crypto formulas: HSM AAD encoding, AES-256-GCM, and the CDIV digest [SPEC §4].

>>> import base64
>>> b = base64.b64decode
>>> cdiv = ciphertext_data_integrity_value(
...     aad=b("cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n"),
...     metadata=b("a2V5X3ZlcnNpb249MQ=="),
...     iv=b("HMrlRw85cAJUd5Ax"),
...     ciphertext=b("ghxkK1txeDNn3q8Y"),
...     tag=b("vBxN2ncH1oEkR8WVXpmyYQ=="),
... )
>>> base64.b64encode(cdiv).decode()
'qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc='
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TAG_BYTES = 16
IV_BYTES = 12
ALLOWED_IV_LENGTHS = (12, 16)


def hsm_aad(aad: bytes | None, metadata: bytes | None) -> bytes:
    """The AAD handed to the HSM: ``u16be(len(aad)) || aad || u8(len(cm)) || cm``.

    An absent value counts as length 0, so ``None`` and ``b""`` encode the same.

    >>> hsm_aad(b"ab", b"c").hex()
    '000261620163'
    """
    aad_bytes = aad or b""
    metadata_bytes = metadata or b""
    return (
        struct.pack(">H", len(aad_bytes))
        + aad_bytes
        + bytes([len(metadata_bytes)])
        + metadata_bytes
    )


def reference_proxy_hsm_aad(aad: bytes | None, metadata: bytes | None) -> bytes:
    """The reference proxy's variant: SHA-256 of the AAD, so ``b""`` differs from ``None``.

    >>> reference_proxy_hsm_aad(None, None) == reference_proxy_hsm_aad(b"", None)
    False
    """
    digest = b"" if aad is None else hashlib.sha256(aad).digest()
    metadata_bytes = metadata or b""
    return struct.pack(">H", len(digest)) + digest + bytes([len(metadata_bytes)]) + metadata_bytes


def ciphertext_data_integrity_value(
    *, aad: bytes | None, metadata: bytes | None, iv: bytes, ciphertext: bytes, tag: bytes
) -> bytes:
    """SHA-256 over ``aad || cm || iv || ct || tag`` with no length fields (absent = empty)."""
    return hashlib.sha256((aad or b"") + (metadata or b"") + iv + ciphertext + tag).digest()


@dataclass(frozen=True)
class Sealed:
    """The pieces of one AES-GCM encryption; repr shows lengths only."""

    iv: bytes
    ciphertext: bytes
    tag: bytes

    def __repr__(self) -> str:
        return (
            f"Sealed(iv=<{len(self.iv)} B>, ciphertext=<{len(self.ciphertext)} B>, "
            f"tag=<{len(self.tag)} B>)"
        )


class AuthenticationFailed(Exception):
    """The tag did not verify: ciphertext, IV, tag or AAD was altered."""


def seal(key: bytes, plaintext: bytes, associated: bytes, iv: bytes | None = None) -> Sealed:
    """AES-GCM encrypt with a fresh random 12-byte IV unless ``iv`` is given.

    >>> sealed = seal(bytes(32), b"hi", b"")
    >>> open_sealed(bytes(32), sealed, b"")
    b'hi'
    """
    nonce = os.urandom(IV_BYTES) if iv is None else iv
    combined = AESGCM(key).encrypt(nonce, plaintext, associated)
    return Sealed(nonce, combined[:-TAG_BYTES], combined[-TAG_BYTES:])


def open_sealed(key: bytes, sealed: Sealed, associated: bytes) -> bytes:
    """AES-GCM decrypt; raises :class:`AuthenticationFailed` on any tampering."""
    try:
        return AESGCM(key).decrypt(sealed.iv, sealed.ciphertext + sealed.tag, associated)
    except (InvalidTag, ValueError) as error:
        raise AuthenticationFailed("authentication tag mismatch") from error
