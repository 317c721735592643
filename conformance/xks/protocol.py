"""XKS proxy API wire rules: error names and statuses, request validation [SPEC §2, §3, §6].

Validation turns a JSON body into a typed request or raises :class:`XksError` naming the
field and the rule. Size limits are the spec minimums; larger inputs get
400 ValidationException (the spec also allows 501 UnsupportedOperationException).

>>> body = {"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "KmsHealthCheck"}}
>>> parse_health_request(body).kms_operation
'KmsHealthCheck'
>>> parse_health_request({})
Traceback (most recent call last):
  ...
conformance.xks.protocol.XksError: 400 ValidationException: requestMetadata: required object
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.spec import xks_protocol as spec

# The spec's facts live once, in conformance.spec; the fake proxy re-exports what it uses.
ERROR_STATUS: Mapping[str, int] = spec.ERROR_STATUS
MAX_PLAINTEXT_BYTES = spec.MAX_PLAINTEXT_BYTES
MAX_AAD_BYTES = spec.MAX_AAD_BYTES
MAX_METADATA_BYTES = spec.MAX_CIPHERTEXT_METADATA_BYTES
MAX_ERROR_MESSAGE_CHARS = spec.MAX_ERROR_MESSAGE_CHARS
API_ROOT = spec.API_VERSION_PATH

#: Decrypt accepts ciphertexts as long as the longest plaintext (AES-GCM keeps lengths).
MAX_CIPHERTEXT_BYTES = MAX_PLAINTEXT_BYTES

#: kmsOperation values the spec names per operation (only the fault checks them).
KNOWN_KMS_OPERATIONS: Mapping[str, frozenset[str]] = {
    "health": frozenset(
        {"CreateCustomKeyStore", "ConnectCustomKeyStore", "UpdateCustomKeyStore", "KmsHealthCheck"}
    ),
    "metadata": frozenset({"CreateKey", "DescribeKey"}),
    "encrypt": frozenset(
        {"Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"}
    ),
    "decrypt": frozenset({"Decrypt", "ReEncrypt"}),
}

_RM_REQUIRED = {
    "health": ("kmsRequestId", "kmsOperation"),
    "metadata": ("awsPrincipalArn", "kmsOperation", "kmsRequestId"),
    "encrypt": ("awsPrincipalArn", "kmsKeyArn", "kmsOperation", "kmsRequestId"),
    "decrypt": ("awsPrincipalArn", "kmsKeyArn", "kmsOperation", "kmsRequestId"),
}
_RM_OPTIONAL = {
    "health": (),
    "metadata": ("awsSourceVpc", "awsSourceVpce"),
    "encrypt": ("awsSourceVpc", "awsSourceVpce", "kmsViaService"),
    "decrypt": ("awsSourceVpc", "awsSourceVpce", "kmsViaService"),
}
_TOP_LEVEL = {
    "health": ("requestMetadata",),
    "metadata": ("requestMetadata",),
    "encrypt": (
        "requestMetadata",
        "plaintext",
        "encryptionAlgorithm",
        "additionalAuthenticatedData",
        "ciphertextDataIntegrityValueAlgorithm",
    ),
    "decrypt": (
        "requestMetadata",
        "ciphertext",
        "encryptionAlgorithm",
        "initializationVector",
        "authenticationTag",
        "additionalAuthenticatedData",
        "ciphertextMetadata",
    ),
}
_KEY_ID = spec.KEY_ID_PATTERN


class XksError(Exception):
    """An XKS error response: ``errorName`` with its HTTP status and a safe message.

    >>> XksError("KeyNotFoundException", "no such key").status
    404
    """

    def __init__(self, error_name: str, message: str = "", status: int | None = None) -> None:
        super().__init__(f"{status or ERROR_STATUS[error_name]} {error_name}: {message}")
        self.error_name = error_name
        self.message = message
        self.status = status if status is not None else ERROR_STATUS[error_name]


class SizeLimitError(XksError):
    """A 400 ValidationException for an input above the size this proxy supports."""

    field = ""


def validation_error(field: str, rule: str) -> XksError:
    """A 400 ValidationException whose message names the field and the broken rule."""
    return XksError("ValidationException", f"{field}: {rule}")


def size_error(field: str, max_bytes: int) -> SizeLimitError:
    """A :class:`SizeLimitError` naming the field and its limit."""
    message = f"{field}: at most {max_bytes} bytes once decoded"
    error = SizeLimitError("ValidationException", message)
    error.field = field
    return error


@dataclass(frozen=True)
class Strictness:
    """Which optional strictness the request parser applies (driven by faults)."""

    require_metadata: bool = True
    reject_unknown_fields: bool = False
    reject_unknown_operations: bool = False
    max_metadata_bytes: int = MAX_METADATA_BYTES
    max_ciphertext_bytes: int = MAX_CIPHERTEXT_BYTES
    refuse_empty_request_id: bool = False
    uuid_request_ids: bool = False


@dataclass(frozen=True)
class HealthRequest:
    kms_request_id: str
    kms_operation: str


@dataclass(frozen=True)
class MetadataRequest:
    kms_request_id: str
    kms_operation: str


@dataclass(frozen=True)
class EncryptRequest:
    """A validated Encrypt request; repr hides the plaintext."""

    kms_request_id: str
    kms_operation: str
    plaintext: bytes
    aad: bytes | None
    cdiv_requested: bool

    def __repr__(self) -> str:
        return (
            f"EncryptRequest(kms_operation={self.kms_operation!r}, plaintext=<redacted "
            f"{len(self.plaintext)} B>, aad={'absent' if self.aad is None else len(self.aad)})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis would otherwise print the plaintext field


@dataclass(frozen=True)
class DecryptRequest:
    kms_request_id: str
    kms_operation: str
    ciphertext: bytes
    iv: bytes
    tag: bytes
    aad: bytes | None
    metadata: bytes | None


def decode_base64(field: str, value: Any, max_bytes: int | None = None) -> bytes:
    """Strict standard base64 with padding (RFC 4648 §4); raises ValidationException.

    >>> decode_base64("plaintext", "aGk=")
    b'hi'
    >>> decode_base64("plaintext", "aGk")
    Traceback (most recent call last):
      ...
    conformance.xks.protocol.XksError: 400 ValidationException: plaintext: must be standard \
base64 with padding
    """
    if not isinstance(value, str):
        raise validation_error(field, "must be a base64 string")
    try:  # strict mode refuses URL-safe letters, whitespace, missing or misplaced padding
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise validation_error(field, "must be standard base64 with padding") from error
    if max_bytes is not None and len(decoded) > max_bytes:
        raise size_error(field, max_bytes)
    return decoded


def check_key_id(key_id: str) -> None:
    """Raise ValidationException unless ``key_id`` is 1-128 chars of A-Za-z0-9._- [SPEC §1]."""
    if not _KEY_ID.fullmatch(key_id):
        raise validation_error("keyId", "must be 1-128 characters of A-Za-z0-9._-")


def _request_metadata(
    operation: str, body: Mapping[str, Any], strict: Strictness
) -> tuple[str, str]:
    rm = body.get("requestMetadata")
    if rm is None and not strict.require_metadata:
        return "", ""
    if not isinstance(rm, dict):
        raise validation_error("requestMetadata", "required object")
    for name in _RM_REQUIRED[operation]:
        if name not in rm and strict.require_metadata:
            raise validation_error(f"requestMetadata.{name}", "required")
    for name in (*_RM_REQUIRED[operation], *_RM_OPTIONAL[operation]):
        if name in rm and not isinstance(rm[name], str):
            raise validation_error(f"requestMetadata.{name}", "must be a string")
    if strict.refuse_empty_request_id and rm.get("kmsRequestId") == "":
        raise validation_error("requestMetadata.kmsRequestId", "required (empty)")
    if strict.uuid_request_ids and not _is_uuid(rm.get("kmsRequestId")):
        raise validation_error("requestMetadata.kmsRequestId", "must be a UUID")
    if strict.reject_unknown_fields:
        known = {*_RM_REQUIRED[operation], *_RM_OPTIONAL[operation]}
        unknown = sorted(set(rm) - known)
        if unknown:
            raise validation_error(f"requestMetadata.{unknown[0]}", "unknown field")
    kms_operation = str(rm.get("kmsOperation", ""))
    if strict.reject_unknown_operations and kms_operation not in KNOWN_KMS_OPERATIONS[operation]:
        raise validation_error("requestMetadata.kmsOperation", "unknown operation")
    return str(rm.get("kmsRequestId", "")), kms_operation


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _check_top_level(operation: str, body: Mapping[str, Any], strict: Strictness) -> None:
    if strict.reject_unknown_fields:
        unknown = sorted(set(body) - set(_TOP_LEVEL[operation]))
        if unknown:
            raise validation_error(unknown[0], "unknown field")


def _required(body: Mapping[str, Any], field: str) -> Any:
    if field not in body:
        raise validation_error(field, "required")
    return body[field]


def _algorithm(body: Mapping[str, Any]) -> None:
    if _required(body, "encryptionAlgorithm") != "AES_GCM":
        raise validation_error("encryptionAlgorithm", "must be AES_GCM")


def _optional_base64(body: Mapping[str, Any], field: str, max_bytes: int) -> bytes | None:
    if field not in body:
        return None
    return decode_base64(field, body[field], max_bytes)


def parse_health_request(
    body: Mapping[str, Any], strict: Strictness = Strictness()
) -> HealthRequest:
    """Validate a GetHealthStatus body."""
    _check_top_level("health", body, strict)
    return HealthRequest(*_request_metadata("health", body, strict))


def parse_metadata_request(
    body: Mapping[str, Any], strict: Strictness = Strictness()
) -> MetadataRequest:
    """Validate a GetKeyMetadata body."""
    _check_top_level("metadata", body, strict)
    return MetadataRequest(*_request_metadata("metadata", body, strict))


def parse_encrypt_request(
    body: Mapping[str, Any], strict: Strictness = Strictness()
) -> EncryptRequest:
    """Validate an Encrypt body (sizes: plaintext 4300 B, AAD 8192 B)."""
    _check_top_level("encrypt", body, strict)
    request_id, operation = _request_metadata("encrypt", body, strict)
    plaintext = decode_base64("plaintext", _required(body, "plaintext"), MAX_PLAINTEXT_BYTES)
    _algorithm(body)
    aad = _optional_base64(body, "additionalAuthenticatedData", MAX_AAD_BYTES)
    cdiv_requested = "ciphertextDataIntegrityValueAlgorithm" in body
    if cdiv_requested and body["ciphertextDataIntegrityValueAlgorithm"] != "SHA_256":
        raise validation_error("ciphertextDataIntegrityValueAlgorithm", "must be SHA_256")
    return EncryptRequest(request_id, operation, plaintext, aad, cdiv_requested)


def parse_decrypt_request(
    body: Mapping[str, Any], strict: Strictness = Strictness()
) -> DecryptRequest:
    """Validate a Decrypt body (IV and tag lengths are checked later, as ciphertext faults)."""
    _check_top_level("decrypt", body, strict)
    request_id, operation = _request_metadata("decrypt", body, strict)
    ciphertext = decode_base64(
        "ciphertext", _required(body, "ciphertext"), strict.max_ciphertext_bytes
    )
    _algorithm(body)
    iv = decode_base64("initializationVector", _required(body, "initializationVector"), 64)
    tag = decode_base64("authenticationTag", _required(body, "authenticationTag"), 64)
    aad = _optional_base64(body, "additionalAuthenticatedData", MAX_AAD_BYTES)
    metadata = _optional_base64(body, "ciphertextMetadata", strict.max_metadata_bytes)
    return DecryptRequest(request_id, operation, ciphertext, iv, tag, aad, metadata)
