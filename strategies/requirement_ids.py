"""Requirement IDs of the rules the strategies break.

Client-side rules (botocore's validator) have one requirement each. A server-side shape rule
(max length, pattern, enum) belongs to the requirement of the member's botocore shape: the
CKS registry entry tagged ``validation`` that names the member, preferring one whose tags
or summary mention the rule's kind (length vs pattern) when a shape has two.

>>> requirement_for_rule("DescribeCustomKeyStores", "Limit", "below_min")
'CKS-ERR-004'
"""

from __future__ import annotations

import functools
from typing import Final

from conformance.spec.requirements import Requirement, registry

CLIENT_RULE_REQUIREMENTS: Final = {
    "required": "CKS-ERR-001",
    "unknown_member": "CKS-ERR-002",
    "type": "CKS-ERR-003",
    "below_min": "CKS-ERR-004",
}
"""botocore's client-side checks (digest §1): one requirement per check."""

LAYER_RULE_REQUIREMENTS: Final = {"utf16_length": "CKS-ERR-010"}
"""Server-side rules kept by a layer-level requirement rather than a shape's (OQ-22)."""

_LENGTH_WORDS: Final = ("length", "bound", "range", "between")
_SHAPE_AREA: Final = "SHAPE"


class MissingRequirementError(LookupError):
    """No registered requirement covers a rule the strategies generate."""


def _about_length(requirement: Requirement) -> bool:
    return any(word in requirement.summary.lower() for word in _LENGTH_WORDS)


@functools.cache
def requirement_for_rule(operation: str, path: str, rule: str) -> str:
    """The requirement ID of `rule` on member `path` of `operation`.

    Server-side rules map to the ``CKS-SHAPE-*`` requirement naming the member; when a shape
    has two (length and pattern), ``above_max`` takes the one about length and the pattern
    rules the other. Raises MissingRequirementError naming the member and rule.
    """
    if rule in CLIENT_RULE_REQUIREMENTS:
        return CLIENT_RULE_REQUIREMENTS[rule]
    if rule in LAYER_RULE_REQUIREMENTS:
        return LAYER_RULE_REQUIREMENTS[rule]
    member = f"{operation}.{path}"
    candidates = sorted(
        (
            r
            for r in registry().values()
            if r.id.startswith("CKS-") and r.area == _SHAPE_AREA and member in r.members
        ),
        key=lambda r: r.id,
    )
    if not candidates:
        raise MissingRequirementError(f"no CKS-SHAPE requirement names {member} ({rule})")
    if len(candidates) == 1:
        return candidates[0].id
    wants_length = rule == "above_max"
    fitting = [r for r in candidates if _about_length(r) == wants_length]
    return (fitting or candidates)[0].id


GENERIC_RULE_REQUIREMENTS: Final = {
    "above_max": "CKS-ERR-005",
    "pattern": "CKS-ERR-006",
    "enum": "CKS-ERR-007",
}
"""The layer-level requirement every server-side shape violation also exercises (§1)."""


@functools.cache
def also_exercised(operation: str, path: str, rule: str) -> tuple[str, ...]:
    """Requirements besides the primary one that breaking `rule` on `path` exercises.

    A server-side shape rule also exercises its layer-level requirement (CKS-ERR-005/6/7).
    A missing required member also exercises the non-shape validation requirements naming
    exactly that member (e.g. CKS-CREATE-001 for the store name, CKS-XKS-008 for half an
    Update credential) and, when nested, the shape requirement of its parent structure.
    """
    found: list[str] = []
    if rule in GENERIC_RULE_REQUIREMENTS:
        found.append(GENERIC_RULE_REQUIREMENTS[rule])
    if rule == "required":
        member = f"{operation}.{path}"
        scope = member.rsplit(".", 1)[0] + "." if "." in path else member
        found += sorted(
            r.id
            for r in registry().values()
            if r.id.startswith("CKS-")
            and r.area not in (_SHAPE_AREA, "ERR")
            and "validation" in r.tags
            and member in r.members
            and all(m.startswith(scope) for m in r.members)
        )
        if "." in path:
            parent = path.rsplit(".", 1)[0]
            found.append(requirement_for_rule(operation, parent, "structure"))
    return tuple(dict.fromkeys(found))
