"""Which shape rule a value breaks, which errors that earns, and which requirement it is.

The checks mirror the two validation layers of the spec digest (§1): botocore refuses a
missing required member, a wrong Python type and a length below min on the client side
(``ParamValidationError``); KMS refuses a length above max, a pattern miss and an enum miss
(``ValidationException``). Constraint values are read from the botocore shape passed in.

>>> from conformance.spec.botocore_model import member_constraint
>>> breaks(member_constraint("CreateCustomKeyStore", "XksProxyUriEndpoint"), "https://a")
'below_min'
>>> breaks(member_constraint("CreateCustomKeyStore", "XksProxyUriPath"), "/kms/xks/v1/")
'pattern'
"""

from __future__ import annotations

import re
from typing import Any, Final

from conformance.spec.botocore_model import MemberConstraint
from strategies.violations import MISSING, PARAM_VALIDATION_ERROR, VALIDATION_EXCEPTION

__all__ = [
    "CLIENT_RULES",
    "OPEN_RULES",
    "PARTIAL_MATCH",
    "UTF16_LENGTH",
    "breaks",
    "enum_outsiders",
    "expected_errors_for",
    "wrong_type_values",
]

CLIENT_RULES: Final = frozenset({"required", "type", "below_min", "unknown_member"})
"""Rules botocore checks before sending: they raise ``ParamValidationError``."""

PARTIAL_MATCH: Final = "pattern_partial_match"
"""An unanchored pattern found inside the value but not matching all of it (OQ-14)."""

UTF16_LENGTH: Final = "utf16_length"
"""Within max in code points, over it in UTF-16 code units (astral characters, OQ-22)."""

OPEN_RULES: Final = {PARTIAL_MATCH: "OQ-14", UTF16_LENGTH: "OQ-22"}
"""Rules whose outcome the docs leave open: success or ValidationException."""

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "structure": (dict,),
}


def _type_ok(c: MemberConstraint, value: Any) -> bool:
    return value is not None and isinstance(value, _PYTHON_TYPES.get(c.type_name, (object,)))


def _pattern_rule(c: MemberConstraint, value: str) -> str | None:
    if c.pattern is None or c.pattern_matches(value):
        return None
    anchored = c.pattern.startswith("^")
    if not anchored and re.search(c.pattern, value, re.ASCII) is not None:
        return PARTIAL_MATCH
    return "pattern"


def breaks(c: MemberConstraint, value: Any) -> str | None:
    """The first rule `value` breaks for member `c` (client checks before server), or None."""
    if value is MISSING:
        return "required" if c.required else None
    if not _type_ok(c, value):
        return "type"
    if c.type_name == "integer":
        if c.min_length is not None and value < c.min_length:
            return "below_min"
        if c.max_length is not None and value > c.max_length:
            return "above_max"
        return None
    if c.type_name != "string":
        return None
    if c.min_length is not None and len(value) < c.min_length:
        return "below_min"
    if c.max_length is not None and len(value) > c.max_length:
        return "above_max"
    if c.enum and value not in c.enum:
        return "enum"
    broken = _pattern_rule(c, value)
    if broken is None and c.max_length is not None and _utf16_length(value) > c.max_length:
        return UTF16_LENGTH
    return broken


def _utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def expected_errors_for(operation: str, path: str, rule: str) -> frozenset[str]:
    """The errors an oracle accepts for breaking `rule` on `path` (spec digest §1)."""
    if rule in CLIENT_RULES:
        return frozenset({PARAM_VALIDATION_ERROR})
    return frozenset({VALIDATION_EXCEPTION})


def wrong_type_values(c: MemberConstraint) -> tuple[Any, ...]:
    """Values of the wrong Python type for `c` (``bool`` passes botocore's int check)."""
    candidates: tuple[Any, ...] = (None, 0, 1.5, "1", b"bytes", [], {}, ("a",))
    return tuple(v for v in candidates if not _type_ok(c, v))


def enum_outsiders(c: MemberConstraint) -> tuple[str, ...]:
    """Strings close to, but not in, the member's enum: case, spacing, empty, a new word."""
    near = [v.lower() for v in c.enum] + [f" {v}" for v in c.enum] + [f"{v}\n" for v in c.enum]
    near += [v.replace("_", "-") for v in c.enum] + ["", "UNKNOWN", "_".join(c.enum)]
    return tuple(dict.fromkeys(v for v in near if v not in c.enum))
