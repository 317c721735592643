"""Shape validation, driven only by the botocore model's constraints, in two layers.

* the **client layer** is what botocore's ``ParamValidator`` refuses before any HTTP call
  (required, unknown names, Python types, ``min``): pseudo error ``ParamValidationError``;
* the **server layer** is what KMS refuses with ``ValidationException`` (``max``, pattern,
  enum; and, when the client layer was switched off with
  ``Config(parameter_validation=False)``, everything the client would have caught).

Constraints are read through :mod:`conformance.spec.botocore_model` on every call, never
copied; patterns match with ``re.fullmatch(p, s, re.ASCII)``.

>>> [v.requirement_id for v in client_verdicts("DescribeCustomKeyStores", {"Limit": 0})]
['CKS-ERR-004']
>>> [v.requirement_id for v in server_verdicts("DescribeCustomKeyStores", {"Limit": 1001})]
['CKS-SHAPE-019']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conformance.model.outcomes import PARAM_VALIDATION_ERROR, VALIDATION_EXCEPTION, RuleVerdict
from conformance.spec import botocore_model
from conformance.spec.botocore_model import MemberConstraint

SERIALIZATION_EXCEPTION = "SerializationException"
"""What AWS JSON services answer for a body value of the wrong JSON type."""

CLIENT_SERIALIZATION_ERROR = "ClientSerializationError"
"""Pseudo error: with validation off, botocore's serializer fails on an unknown member."""

_CLIENT = frozenset({PARAM_VALIDATION_ERROR})
_SERVER = frozenset({VALIDATION_EXCEPTION})
_SERVER_TYPE = frozenset({VALIDATION_EXCEPTION, SERIALIZATION_EXCEPTION})
_SERVER_UNKNOWN = _SERVER_TYPE | {CLIENT_SERIALIZATION_ERROR}

SHAPE_REQUIREMENTS: Mapping[str, tuple[str, str]] = {
    # shape name -> (length/range/enum requirement, pattern requirement)
    "CustomKeyStoreIdType": ("CKS-SHAPE-001", "CKS-SHAPE-001"),
    "CustomKeyStoreNameType": ("CKS-SHAPE-002", "CKS-SHAPE-002"),
    "CloudHsmClusterIdType": ("CKS-SHAPE-003", "CKS-SHAPE-004"),
    "TrustAnchorCertificateType": ("CKS-SHAPE-005", "CKS-SHAPE-005"),
    "KeyStorePasswordType": ("CKS-SHAPE-006", "CKS-SHAPE-006"),
    "CustomKeyStoreType": ("CKS-SHAPE-007", "CKS-SHAPE-007"),
    "XksProxyUriEndpointType": ("CKS-SHAPE-008", "CKS-SHAPE-009"),
    "XksProxyUriPathType": ("CKS-SHAPE-010", "CKS-SHAPE-011"),
    "XksProxyVpcEndpointServiceNameType": ("CKS-SHAPE-012", "CKS-SHAPE-013"),
    "AccountIdType": ("CKS-SHAPE-014", "CKS-SHAPE-014"),
    "XksProxyAuthenticationCredentialType": ("CKS-SHAPE-015", "CKS-SHAPE-015"),
    "XksProxyAuthenticationAccessKeyIdType": ("CKS-SHAPE-016", "CKS-SHAPE-016"),
    "XksProxyAuthenticationRawSecretAccessKeyType": ("CKS-SHAPE-017", "CKS-SHAPE-017"),
    "XksProxyConnectivityType": ("CKS-SHAPE-018", "CKS-SHAPE-018"),
    "LimitType": ("CKS-SHAPE-019", "CKS-SHAPE-019"),
    "MarkerType": ("CKS-SHAPE-020", "CKS-SHAPE-020"),
    "XksKeyIdType": ("CKS-SHAPE-024", "CKS-SHAPE-024"),
}
"""Which requirement each shape's constraints stand for (IDs only; values come from botocore)."""

_PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list, tuple),
}


def constraints(operation: str) -> Mapping[str, MemberConstraint]:
    """The botocore input constraints of `operation`, read fresh from the loader."""
    return botocore_model.input_constraints(operation)


def _shape_ids(c: MemberConstraint) -> tuple[str, str]:
    return SHAPE_REQUIREMENTS.get(c.shape_name, ("CKS-ERR-005", "CKS-ERR-006"))


def _children(operation: str, prefix: str) -> dict[str, MemberConstraint]:
    depth = prefix.count(".")
    return {
        path: c
        for path, c in constraints(operation).items()
        if path.startswith(prefix) and path.count(".") == depth
    }


def _structural(
    operation: str, request: object, prefix: str, errors: frozenset[str], oq: tuple[str, ...]
) -> list[RuleVerdict]:
    """Required, unknown, type and min checks (the botocore client layer's checks)."""
    if not isinstance(request, dict):
        where = prefix.rstrip(".") or "request"
        return [RuleVerdict("CKS-ERR-003", errors, False, oq, where, "must be a dict")]
    found: list[RuleVerdict] = []
    members = _children(operation, prefix)
    names = {path[len(prefix) :]: c for path, c in members.items()}
    for key in request:
        if key not in names:
            # botocore's serializer fails on it (validation off); a raw request reaches KMS
            unknown = _SERVER_UNKNOWN if errors is _SERVER else errors
            found.append(
                RuleVerdict(
                    "CKS-ERR-002",
                    unknown,
                    False,
                    oq,
                    f"{prefix}{key}",
                    "unknown parameter",
                )
            )
    for name, c in names.items():
        if name not in request:
            if c.required:
                found.append(RuleVerdict("CKS-ERR-001", errors, False, oq, c.path, "required"))
            continue
        found.extend(_member_structural(operation, c, request[name], errors, oq))
    return found


def _member_structural(
    operation: str, c: MemberConstraint, value: object, errors: frozenset[str], oq: tuple[str, ...]
) -> list[RuleVerdict]:
    if value is None and errors is _SERVER:
        # JSON null reaches KMS: treated as absent, or refused (undocumented)
        return [RuleVerdict("CKS-ERR-008", _SERVER_TYPE, not c.required, oq, c.path, "null")]
    expected = _PYTHON_TYPES.get(c.type_name, (object,))
    if not isinstance(value, expected) or (c.type_name != "boolean" and value is None):
        type_errors = _SERVER_TYPE if errors is _SERVER else errors
        return [RuleVerdict("CKS-ERR-003", type_errors, False, oq, c.path, f"not {c.type_name}")]
    if c.type_name == "structure":
        return _structural(operation, value, f"{c.path}.", errors, oq)
    if isinstance(value, bool) and c.type_name in ("integer", "long"):
        if errors is _SERVER:  # a JSON boolean where a number belongs
            return [RuleVerdict("CKS-ERR-003", _SERVER_TYPE, False, oq, c.path, "boolean")]
        value = int(value)  # botocore accepts bool as int
    if c.min_length is not None:
        size = value if isinstance(value, int) else len(value)  # type: ignore[arg-type]
        if size < c.min_length:
            rid = "CKS-ERR-004" if errors is _CLIENT else "CKS-ERR-008"
            return [RuleVerdict(rid, errors, False, oq, c.path, f"below min {c.min_length}")]
    return []


def client_verdicts(operation: str, request: object) -> tuple[RuleVerdict, ...]:
    """What botocore's client-side validation refuses (``ParamValidationError``)."""
    return tuple(_structural(operation, request, "", _CLIENT, ()))


def _utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _value_verdicts(c: MemberConstraint, value: object) -> list[RuleVerdict]:
    size_id, pattern_id = _shape_ids(c)
    found: list[RuleVerdict] = []
    if isinstance(value, bool):
        return found
    if isinstance(value, int) and c.max_length is not None and value > c.max_length:
        found.append(RuleVerdict(size_id, _SERVER, False, (), c.path, f"above max {c.max_length}"))
    if not isinstance(value, str):
        return found
    if c.max_length is not None:
        if len(value) > c.max_length:
            found.append(
                RuleVerdict(size_id, _SERVER, False, (), c.path, f"above max {c.max_length}")
            )
        elif _utf16_length(value) > c.max_length:
            found.append(
                RuleVerdict("CKS-ERR-010", _SERVER, True, ("OQ-22",), c.path, "UTF-16 length")
            )
    if c.enum and value not in c.enum:
        found.append(RuleVerdict(size_id, _SERVER, False, (), c.path, "not an enum value"))
    if c.pattern is not None and not c.pattern_matches(value):
        unanchored = not c.pattern.startswith("^")
        if unanchored and re.search(c.pattern, value, re.ASCII) is not None:
            found.append(
                RuleVerdict(pattern_id, _SERVER, True, ("OQ-14",), c.path, "partial match")
            )
        else:
            found.append(RuleVerdict(pattern_id, _SERVER, False, (), c.path, "pattern"))
    return found


def _walk_values(operation: str, request: Mapping[str, Any], prefix: str) -> list[RuleVerdict]:
    found: list[RuleVerdict] = []
    for path, c in _children(operation, prefix).items():
        value = request.get(path[len(prefix) :])
        if value is None:
            continue
        if c.type_name == "structure" and isinstance(value, dict):
            found.extend(_walk_values(operation, value, f"{path}."))
        elif isinstance(value, _PYTHON_TYPES.get(c.type_name, (object,))):
            found.extend(_value_verdicts(c, value))
    return found


def server_verdicts(
    operation: str, request: object, *, client_validated: bool = True
) -> tuple[RuleVerdict, ...]:
    """What KMS refuses with ``ValidationException`` (max, pattern, enum; more if unvalidated).

    With ``client_validated=False`` (``Config(parameter_validation=False)``, OQ-10) the
    structural checks botocore would have made are made here instead.
    """
    found: list[RuleVerdict] = []
    if not client_validated:
        found.extend(_structural(operation, request, "", _SERVER, ("OQ-10",)))
    if isinstance(request, dict):
        found.extend(_walk_values(operation, request, ""))
    return tuple(found)


def present(request: Mapping[str, Any], name: str) -> bool:
    """Whether member `name` is present with a non-null value."""
    return request.get(name) is not None
