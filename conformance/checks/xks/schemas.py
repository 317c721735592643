"""Exact response schemas of the XKS operations: each returns the first problem found.

A schema check answers with a short problem text (or None) so the caller can turn it into a
violation of its own requirement. Fields the spec does not name, and keyUsage values it does
not list, are not schema problems: the spec forbids neither, so they are reported apart
(:func:`extra_fields`, :func:`unknown_usages`) as informational (XKS-HTTP-008, XKS-META-007).

>>> health_problem({"xksProxyFleetSize": 0})
'xksProxyFleetSize must be an integer > 0'
>>> metadata_problem({"keySpec": "AES_256", "keyUsage": ["ENCRYPT"], "keyStatus": "ENABLED"})
>>> unknown_usages({"keyUsage": ["ENCRYPT", "FUTURE"]})
['FUTURE']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.spec.xks_protocol import (
    EKM_HEALTH_STATUSES,
    KEY_STATUSES,
    KEY_USAGES,
    MAX_EKM_FLEET_DETAILS,
    MAX_KEY_USAGES,
)

HEALTH_FIELDS = frozenset(
    {"xksProxyFleetSize", "xksProxyVendor", "xksProxyModel", "ekmVendor", "ekmFleetDetails"}
)
METADATA_FIELDS = frozenset({"keySpec", "keyUsage", "keyStatus"})
ENCRYPT_FIELDS = frozenset(
    {
        "ciphertext",
        "initializationVector",
        "authenticationTag",
        "ciphertextMetadata",
        "ciphertextDataIntegrityValue",
    }
)
DECRYPT_FIELDS = frozenset({"plaintext"})
ERROR_FIELDS = frozenset({"errorName", "errorMessage"})


def health_problem(body: Mapping[str, Any]) -> str | None:
    """What is wrong with a GetHealthStatus response body, or None."""
    size = body.get("xksProxyFleetSize")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return "xksProxyFleetSize must be an integer > 0"
    for name in ("xksProxyVendor", "xksProxyModel", "ekmVendor"):
        # The spec types these as strings and says nothing of their content: "" is allowed.
        if not isinstance(body.get(name), str):
            return f"{name} must be a string"
    details = body.get("ekmFleetDetails")
    if not isinstance(details, list) or not 1 <= len(details) <= MAX_EKM_FLEET_DETAILS:
        return f"ekmFleetDetails must be a list of 1 to {MAX_EKM_FLEET_DETAILS} entries"
    for entry in details:
        if not isinstance(entry, dict):
            return "each ekmFleetDetails entry must be an object"
        for name in ("id", "model"):
            if not isinstance(entry.get(name), str):
                return f"ekmFleetDetails[].{name} must be a string"
        if entry.get("healthStatus") not in EKM_HEALTH_STATUSES:
            return f"ekmFleetDetails[].healthStatus must be one of {sorted(EKM_HEALTH_STATUSES)}"
    return None


def metadata_problem(body: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a GetKeyMetadata response (values apart), or None."""
    missing = sorted(METADATA_FIELDS - body.keys())
    if missing:
        return f"missing {', '.join(missing)}"
    if not isinstance(body["keySpec"], str):
        return "keySpec must be a string"
    usage = body["keyUsage"]
    if not isinstance(usage, list) or not all(isinstance(u, str) for u in usage):
        return "keyUsage must be a list of strings"
    if len(usage) > MAX_KEY_USAGES:
        return f"keyUsage must hold at most {MAX_KEY_USAGES} values"
    if body["keyStatus"] not in KEY_STATUSES:
        return f"keyStatus must be one of {sorted(KEY_STATUSES)}"
    return None


def unknown_usages(body: Mapping[str, Any]) -> list[str]:
    """keyUsage values the spec does not list (informational, XKS-META-007)."""
    usage = body.get("keyUsage")
    if not isinstance(usage, list):
        return []
    return sorted({str(u) for u in usage} - KEY_USAGES)


def extra_fields(body: Any, named: frozenset[str]) -> list[str]:
    """Top-level fields of a JSON object response that the spec does not name.

    >>> extra_fields({"keySpec": "AES_256", "vendorTrace": "x"}, METADATA_FIELDS)
    ['vendorTrace']
    """
    return sorted(set(body) - named) if isinstance(body, dict) else []
