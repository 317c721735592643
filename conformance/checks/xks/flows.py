"""Multi-step exchanges the checks share: encrypt-then-decrypt, schema checks of results.

>>> from conformance.checks.xks.flows import key_suffix
>>> key_suffix("foo", "encrypt")
'keys/foo/encrypt'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import pytest

from conformance.checks.xks.bodies import (
    Sealed,
    decrypt_body,
    encrypt_body,
    metadata_body,
    parse_sealed,
)
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.targets.xks import TC_DEFAULTS


def key_suffix(key_id: str, operation: str) -> str:
    """The path suffix of a key operation, the key id percent-encoded where needed."""
    return f"keys/{quote(key_id, safe='')}/{operation}"


def with_request_metadata(
    body: dict[str, Any], changes: Mapping[str, str | None] | None
) -> dict[str, Any]:
    """`body` with requestMetadata fields set (None deletes one), e.g. a kmsOperation."""
    if changes:
        metadata = dict(body["requestMetadata"])
        for name, value in changes.items():
            if value is None:
                metadata.pop(name, None)
            else:
                metadata[name] = value
        body = dict(body, requestMetadata=metadata)
    return body


def encrypt(
    wire: XksWire,
    key_id: str,
    plaintext: bytes,
    aad: bytes | None = None,
    cdiv: bool = False,
    *,
    metadata_changes: Mapping[str, str | None] | None = None,
    note: str = "",
) -> Exchange:
    """POST an Encrypt of `plaintext` (with optional AAD and CDIV) to `key_id`;
    `metadata_changes` alters requestMetadata (see :func:`with_request_metadata`)."""
    body = with_request_metadata(encrypt_body(plaintext, aad, cdiv), metadata_changes)
    return wire.post(key_suffix(key_id, "encrypt"), body, note=note)


def decrypt(
    wire: XksWire,
    key_id: str,
    sealed: Sealed,
    aad: bytes | None = None,
    *,
    metadata: bytes | str | None = "same",
    metadata_changes: Mapping[str, str | None] | None = None,
    note: str = "",
) -> Exchange:
    """POST a Decrypt of `sealed` (metadata "same" reuses the sealed one)."""
    body = with_request_metadata(decrypt_body(sealed, aad, metadata=metadata), metadata_changes)
    return wire.post(key_suffix(key_id, "decrypt"), body, note=note)


def sealed_or_fail(exchange: Exchange, requirement_id: str) -> tuple[Sealed, dict[str, Any]]:
    """The parsed result of a successful Encrypt, or a violation of `requirement_id`."""
    body = exchange.expect_ok(requirement_id)
    sealed = parse_sealed(body)
    if sealed is None:
        exchange.fail(
            requirement_id,
            "ciphertext, initializationVector and authenticationTag as base64 strings",
        )
    return sealed, body


def encrypt_for_setup(
    wire: XksWire, key_id: str, plaintext: bytes, aad: bytes | None = None
) -> Sealed:
    """An Encrypt needed only as setup for another check: failure is graded against
    XKS-CRYPT-001 (Encrypt must work), not against the check that needed it."""
    sealed, _ = sealed_or_fail(encrypt(wire, key_id, plaintext, aad), "XKS-CRYPT-001")
    return sealed


def require(value: str | None, what: str) -> str:
    """`value`, or skip the check because the target description lacks `what`."""
    if not value:
        pytest.skip(f"no {what} given")
    return value


def require_key(wire: XksWire, attribute: str, variable: str) -> str:
    """The target's key id in `attribute` (e.g. ``encrypt_only_key_id``), or skip the check.

    The official client's defaults (``encrypt_only_key``, ...) fill these ids even when the
    vendor never created such keys (the client itself only uses them with ``-a``). The spec
    requires no such key, so when the id is still the default and the proxy answers 404
    KeyNotFoundException for it, the check is SKIPPED (naming `variable`), not failed.
    """
    key_id = require(getattr(wire.target, attribute), f"key id ({variable})")
    if key_id != TC_DEFAULTS.get(variable):
        return key_id
    probe = wire.post(key_suffix(key_id, "metadata"), metadata_body("DescribeKey"))
    if probe.response.status == 404 and probe.response.error_name == "KeyNotFoundException":
        pytest.skip(f"{variable} defaulted to {key_id!r}, which the proxy does not hold")
    return key_id
