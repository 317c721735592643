"""Exact response schemas of the XKS operations: each returns the first problem found.

A schema check answers with a short problem text (or None) so the caller can turn it into a
violation of its own requirement.

>>> health_problem({"xksProxyFleetSize": 0})
'xksProxyFleetSize must be an integer > 0'
>>> metadata_problem({"keySpec": "AES_256", "keyUsage": ["ENCRYPT"], "keyStatus": "ENABLED"})
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


def health_problem(body: Mapping[str, Any]) -> str | None:
    """What is wrong with a GetHealthStatus response body, or None."""
    size = body.get("xksProxyFleetSize")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        return "xksProxyFleetSize must be an integer > 0"
    for name in ("xksProxyVendor", "xksProxyModel", "ekmVendor"):
        if not isinstance(body.get(name), str) or not body[name]:
            return f"{name} must be a non-empty string"
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
    unknown = sorted(set(usage) - KEY_USAGES)
    if unknown:
        return f"keyUsage holds unknown values {unknown}"
    if body["keyStatus"] not in KEY_STATUSES:
        return f"keyStatus must be one of {sorted(KEY_STATUSES)}"
    return None
