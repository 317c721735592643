"""Request bodies KMS would send, and parsed Encrypt results, for the XKS checks.

The fixed values follow the official test client (digest §9): the same principal ARN, key
ARN and ``kmsViaService``, a fresh lower-case UUID as ``kmsRequestId``.

>>> body = encrypt_body(b"Hello", aad=None)
>>> sorted(body)
['encryptionAlgorithm', 'plaintext', 'requestMetadata']
>>> body["requestMetadata"]["kmsOperation"]
'Encrypt'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

PRINCIPAL_ARN = "arn:aws:iam::123456789012:user/Alice"
KMS_KEY_ARN = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def b64(data: bytes) -> str:
    """Standard padded base64 text."""
    return base64.b64encode(data).decode("ascii")


def lenient_b64decode(text: str) -> bytes:
    """Decode standard or URL-safe base64, padded or not (strictness is checked apart)."""
    cleaned = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)


def request_metadata(kind: str, kms_operation: str | None = None) -> dict[str, Any]:
    """requestMetadata for ``health``, ``metadata``, ``encrypt`` or ``decrypt``."""
    request_id = str(uuid.uuid4())
    if kind == "health":
        return {"kmsRequestId": request_id, "kmsOperation": kms_operation or "KmsHealthCheck"}
    metadata: dict[str, Any] = {
        "awsPrincipalArn": PRINCIPAL_ARN,
        "kmsOperation": kms_operation or {"metadata": "CreateKey"}.get(kind, kind.title()),
        "kmsRequestId": request_id,
    }
    if kind in ("encrypt", "decrypt"):
        metadata["kmsKeyArn"] = KMS_KEY_ARN
        metadata["kmsViaService"] = "ebs"
    return metadata


def health_body(kms_operation: str = "KmsHealthCheck") -> dict[str, Any]:
    """A GetHealthStatus body."""
    return {"requestMetadata": request_metadata("health", kms_operation)}


def metadata_body(kms_operation: str = "CreateKey") -> dict[str, Any]:
    """A GetKeyMetadata body."""
    return {"requestMetadata": request_metadata("metadata", kms_operation)}


def encrypt_body(plaintext: bytes, aad: bytes | None, cdiv: bool = False) -> dict[str, Any]:
    """An Encrypt body; AAD omitted when None; CDIV algorithm SHA_256 when `cdiv`."""
    body: dict[str, Any] = {
        "requestMetadata": request_metadata("encrypt"),
        "plaintext": b64(plaintext),
        "encryptionAlgorithm": "AES_GCM",
    }
    if aad is not None:
        body["additionalAuthenticatedData"] = b64(aad)
    if cdiv:
        body["ciphertextDataIntegrityValueAlgorithm"] = "SHA_256"
    return body


@dataclass(frozen=True)
class Sealed:
    """A parsed Encrypt result (binary fields decoded leniently; None if absent)."""

    ciphertext: bytes
    iv: bytes
    tag: bytes
    metadata: bytes | None
    cdiv: str | None

    def __repr__(self) -> str:
        cm = "None" if self.metadata is None else f"<{len(self.metadata)} B>"
        return f"Sealed(ct=<{len(self.ciphertext)} B>, iv=<{len(self.iv)} B>, cm={cm})"


def parse_sealed(response: dict[str, Any]) -> Sealed | None:
    """The Sealed of an Encrypt response, or None if a required field is missing or is
    not base64 of any flavour (the schema checks report that separately)."""
    try:
        cm = response.get("ciphertextMetadata")
        cdiv = response.get("ciphertextDataIntegrityValue")
        return Sealed(
            lenient_b64decode(str(response["ciphertext"])),
            lenient_b64decode(str(response["initializationVector"])),
            lenient_b64decode(str(response["authenticationTag"])),
            None if cm is None else lenient_b64decode(str(cm)),
            None if cdiv is None else str(cdiv),
        )
    except (KeyError, binascii.Error, ValueError):
        return None


def decrypt_body(
    sealed: Sealed,
    aad: bytes | None,
    *,
    metadata: bytes | str | None = "same",
) -> dict[str, Any]:
    """A Decrypt body for `sealed`; `metadata` "same" reuses the sealed metadata."""
    chosen = sealed.metadata if metadata == "same" else metadata
    body: dict[str, Any] = {
        "requestMetadata": request_metadata("decrypt"),
        "ciphertext": b64(sealed.ciphertext),
        "encryptionAlgorithm": "AES_GCM",
        "initializationVector": b64(sealed.iv),
        "authenticationTag": b64(sealed.tag),
    }
    if aad is not None:
        body["additionalAuthenticatedData"] = b64(aad)
    if isinstance(chosen, bytes):
        body["ciphertextMetadata"] = b64(chosen)
    return body


def expected_cdiv(aad: bytes | None, sealed: Sealed) -> str:
    """b64(SHA-256(aad || cm || iv || ct || tag)) with absent parts empty [SPEC §CDIV]."""
    digest = hashlib.sha256(
        (aad or b"") + (sealed.metadata or b"") + sealed.iv + sealed.ciphertext + sealed.tag
    ).digest()
    return b64(digest)
