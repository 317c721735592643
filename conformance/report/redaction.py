"""Keep secrets and plaintext out of everything kscheck prints or writes.

Two layers: :func:`describe_json` turns a request or response body into a structural summary
that shows only values known to be harmless (names, statuses, key specs) and sizes for
everything else; :class:`Redactor` then masks every registered secret (SigV4 secrets, access
keys if asked, client key paths) wherever it still appears in a text.

>>> from conformance.report.redaction import Redactor, describe_json
>>> Redactor(["s3cr3t-value"]).redact("Authorization uses s3cr3t-value")
'Authorization uses ***'
>>> describe_json({"plaintext": "SGVsbG8=", "errorName": "ValidationException"})
'{plaintext: <5 B base64>, errorName: ValidationException}'
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"

#: Response/request fields whose string values are safe and useful to show verbatim.
SHOWN_FIELDS = frozenset(
    {
        "errorName",
        "keySpec",
        "keyUsage",
        "keyStatus",
        "healthStatus",
        "xksProxyFleetSize",
        "xksProxyVendor",
        "xksProxyModel",
        "ekmVendor",
        "id",
        "model",
        "encryptionAlgorithm",
        "ciphertextDataIntegrityValueAlgorithm",
        "kmsOperation",
        "kmsRequestId",
        "kmsViaService",
        "awsPrincipalArn",
        "kmsKeyArn",
    }
)

#: Fields holding base64 binary data: shown as their decoded size only.
BINARY_FIELDS = frozenset(
    {
        "plaintext",
        "ciphertext",
        "initializationVector",
        "authenticationTag",
        "additionalAuthenticatedData",
        "ciphertextMetadata",
        "ciphertextDataIntegrityValue",
    }
)

_AUTHORIZATION = re.compile(r"(AWS4-HMAC-SHA256\s+Credential=)[^\s\"',]+", re.ASCII)
_SIGNATURE = re.compile(r"(?i)(signature=)[0-9a-f]{16,}")


def _binary_size(value: str) -> str:
    try:
        size = len(base64.b64decode(value, validate=True))
        return f"<{size} B base64>"
    except (binascii.Error, ValueError):
        return f"<{len(value)} chars, not base64>"


def describe_value(name: str, value: Any, depth: int = 0) -> str:
    """A summary of one JSON value of field `name` that reveals no secret or plaintext."""
    if depth > 3:
        return "<...>"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{k}: {describe_value(str(k), v, depth + 1)}" for k, v in list(value.items())[:12]
        )
        return "{" + inner + ("" if len(value) <= 12 else ", ...") + "}"
    if isinstance(value, list):
        items = [describe_value(name, v, depth + 1) for v in value[:10]]
        return "[" + ", ".join(items) + (", ..." if len(value) > 10 else "") + "]"
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, bool) else str(value).lower()
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    if name in BINARY_FIELDS:
        return _binary_size(value)
    if name in SHOWN_FIELDS and len(value) <= 96 and value.isprintable():
        return value
    return f"<string, {len(value)} chars>"


def describe_json(body: Any) -> str:
    """A one-line structural summary of a JSON body (see the module docstring)."""
    return describe_value("", body)


class Redactor:
    """Masks registered secret strings in texts; empty and very short strings are ignored.

    >>> r = Redactor()
    >>> r.add("another-secret")
    >>> r.redact("x another-secret y")
    'x *** y'
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()  # every secret in each of its spellings
        self._count = 0
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Register `secret` (ignored if shorter than 6 characters: too many false hits).

        Its escaped spellings are registered too (HTML/XML entities, JSON string escapes),
        since reports escape texts before the redactor sees them.

        >>> Redactor(['pa"ss<word']).redact('<td>pa&quot;ss&lt;word</td> "pa\\"ss<word"')
        '<td>***</td> "***"'
        """
        if len(secret) >= 6 and secret not in self._secrets:
            self._count += 1
            self._secrets.add(secret)
            self._secrets.add(html.escape(secret, quote=True))
            self._secrets.add(html.escape(secret, quote=False))
            self._secrets.add(json.dumps(secret)[1:-1])
            self._secrets.add(json.dumps(secret, ensure_ascii=False)[1:-1])

    def redact(self, text: str) -> str:
        """`text` with every registered secret, SigV4 credential scope and signature masked."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _AUTHORIZATION.sub(lambda m: m.group(1) + MASK, text)
        return _SIGNATURE.sub(lambda m: m.group(1) + MASK, text)

    def __repr__(self) -> str:
        return f"Redactor(<{self._count} secrets>)"
