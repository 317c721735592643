"""DescribeCustomKeyStores requests: filters, Limit boundaries, markers (spec digest §6).

`describe_requests(store_ids, store_names, markers)` draws a `DescribeCase` over the stores
an account holds: no filter, an ID or a name filter (known, or unknown: not found), both
filters (OQ-11: refused, or handled in an undocumented way), a Limit on either side of its
botocore range (1 and max valid; 0 client-side, max+1 server-side), and a Marker that is
valid (issued by an earlier page), stale (issued before stores were deleted, OQ-23) or
forged (never issued: InvalidMarkerException). Shape-invalid IDs, names and markers come
from `strategies.members.invalid_values`.

>>> from strategies import first_example
>>> case = first_example(describe_requests(("cks-1",), ("a",)), lambda c: c.group == "both")
>>> case.violation.rule
'both_filters'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from strategies.members import invalid_values, valid_values
from strategies.violations import ReplayableRepr, Violation

DESCRIBE: Final = "DescribeCustomKeyStores"
NOT_FOUND: Final = "CustomKeyStoreNotFoundException"
INVALID_MARKER: Final = "InvalidMarkerException"
VALIDATION: Final = "ValidationException"


@dataclass(frozen=True)
class DescribeCase(ReplayableRepr):
    """A Describe request, the aspect it exercises (`group`), and what to expect.

    `violation` None means success (a page of the selected stores).
    """

    group: str
    request: dict[str, Any]
    violation: Violation | None = None


def limits() -> st.SearchStrategy[int]:
    """Valid Limit values, favouring both ends of the botocore range."""
    return valid_values(DESCRIBE, "Limit")


def _filter(
    draw: st.DrawFn, group: str, ids: Sequence[str], names: Sequence[str]
) -> tuple[dict[str, Any], Violation | None]:
    member = "CustomKeyStoreId" if group.endswith("id") else "CustomKeyStoreName"
    known = ids if member == "CustomKeyStoreId" else names
    if group.startswith("known") and known:
        return {member: draw(st.sampled_from(list(known)))}, None
    unknown = draw(valid_values(DESCRIBE, member).filter(lambda v: v not in known))
    violation = Violation(member, "not_found", "CKS-DESCRIBE-004", frozenset({NOT_FOUND}))
    return {member: unknown}, violation


@st.composite
def describe_requests(
    draw: st.DrawFn,
    store_ids: Sequence[str] = (),
    store_names: Sequence[str] = (),
    markers: Sequence[str] = (),
    stale_markers: Sequence[str] = (),
) -> DescribeCase:
    """A `DescribeCase` for an account holding stores `store_ids` named `store_names`.

    `markers` are NextMarker values earlier pages returned; `stale_markers` ones issued
    before the listing changed (their fate is OQ-23).
    """
    groups = ["all", "known_id", "known_name", "unknown_id", "unknown_name", "both"]
    groups += ["limit", "bad_limit", "forged_marker", "bad_shape"]
    groups += ["marker"] * bool(markers) + ["stale_marker"] * bool(stale_markers)
    group = draw(st.sampled_from(groups))
    request: dict[str, Any] = {}
    violation: Violation | None = None
    if group == "all":
        pass
    elif group in ("known_id", "known_name", "unknown_id", "unknown_name"):
        request, violation = _filter(draw, group, store_ids, store_names)
    elif group == "both":
        request = {
            "CustomKeyStoreId": draw(_known_or_any(store_ids, "CustomKeyStoreId")),
            "CustomKeyStoreName": draw(_known_or_any(store_names, "CustomKeyStoreName")),
        }
        match = request["CustomKeyStoreId"] in store_ids or request["CustomKeyStoreName"] in (
            store_names
        )
        errors = frozenset({VALIDATION, NOT_FOUND})
        violation = Violation(
            "CustomKeyStoreName", "both_filters", "CKS-DESCRIBE-003", errors, match, ("OQ-11",)
        )
    elif group == "limit":
        request = {"Limit": draw(limits())}
    elif group in ("marker", "stale_marker"):
        pool = markers if group == "marker" else stale_markers
        request = {"Marker": draw(st.sampled_from(list(pool)))}
        if group == "stale_marker":
            errors = frozenset({INVALID_MARKER})
            violation = Violation("Marker", "stale", "CKS-PAGE-004", errors, True, ("OQ-23",))
    elif group == "forged_marker":
        known = set(markers) | set(stale_markers)
        forged = draw(valid_values(DESCRIBE, "Marker").filter(lambda m: m not in known))
        request = {"Marker": forged}
        errors = frozenset({INVALID_MARKER})
        violation = Violation("Marker", "forged", "CKS-PAGE-003", errors)
    else:
        member = "Limit" if group == "bad_limit" else draw(st.sampled_from(_SHAPED))
        bad = draw(invalid_values(DESCRIBE, member))
        request = {} if bad.violation.rule == "required" else {member: bad.value}
        violation = bad.violation
    if "Limit" not in request and group != "bad_limit" and draw(st.booleans()):
        request["Limit"] = draw(limits())
    return DescribeCase(group, request, violation)


_SHAPED: Final = ("CustomKeyStoreId", "CustomKeyStoreName", "Marker")


def _known_or_any(known: Sequence[str], member: str) -> st.SearchStrategy[str]:
    fresh = valid_values(DESCRIBE, member)
    return st.one_of(st.sampled_from(list(known)), fresh) if known else fresh
