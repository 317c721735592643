"""DescribeCustomKeyStores: filters, paging, and the fields each kind of store reports (§6).

>>> from conformance.model.state import ModelState
>>> from conformance.model.world import World
>>> plan_describe(World(), ModelState(), {"CustomKeyStoreName": "nope"}, True).expectation.errors
frozenset({'CustomKeyStoreNotFoundException'})
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.model import gate
from conformance.model.lifecycle import NOT_FOUND
from conformance.model.outcomes import (
    SECRET_MEMBERS,
    VALIDATION_EXCEPTION,
    Outcome,
    RuleVerdict,
    redact,
)
from conformance.model.records import FAILED, Settlement, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.world import World

OPERATION = "DescribeCustomKeyStores"
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
ABSENT = None


def entry_for(store: StoreRecord, world: World) -> dict[str, Any]:
    """The list entry KMS would return for `store` (no secrets; VPC-only fields for VPC).

    >>> entry_for(StoreRecord("cks-1", "a", "AWS_CLOUDHSM", cluster_id="c", trust_anchor="t"),
    ...           World())["ConnectionState"]
    'DISCONNECTED'
    """
    entry: dict[str, Any] = {
        "CustomKeyStoreId": store.store_id,
        "CustomKeyStoreName": store.name,
        "ConnectionState": store.state,
        "CreationDate": EPOCH + datetime.timedelta(seconds=store.creation_tick),
        "CustomKeyStoreType": store.store_type,
    }
    if store.state == FAILED and store.error_code:
        entry["ConnectionErrorCode"] = store.error_code
    if not store.is_xks:
        entry["CloudHsmClusterId"] = store.cluster_id
        entry["TrustAnchorCertificate"] = store.trust_anchor
        return entry
    config: dict[str, Any] = {
        "Connectivity": store.connectivity,
        "AccessKeyId": store.access_key_id,
        "UriEndpoint": store.uri_endpoint,
        "UriPath": store.uri_path,
    }
    if store.is_vpc:
        config["VpcEndpointServiceName"] = store.service_name
        config["VpcEndpointServiceOwner"] = store.service_owner or world.account_id
    entry["XksProxyConfiguration"] = config
    return entry


def _contains_secret(value: object) -> bool:
    if isinstance(value, Mapping):
        return any(k in SECRET_MEMBERS or _contains_secret(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains_secret(v) for v in value)
    return False


def _field_mismatches(
    where: str,
    actual: Mapping[str, Any],
    expected: Mapping[str, Any],
    alternatives: Mapping[str, set[Any]],
) -> list[str]:
    found: list[str] = []
    for key in sorted(set(actual) | set(expected)):
        got, want = actual.get(key, ABSENT), expected.get(key, ABSENT)
        if got != want and got not in alternatives.get(key, set()):
            if key in SECRET_MEMBERS:  # a leaking target must not make the report leak too
                found.append(f"{where}.{key}: a secret member is returned (value redacted)")
            else:
                found.append(f"{where}.{key}: expected {want!r}, got {redact(got)!r}")
    return found


def entry_mismatches(store: StoreRecord, entry: Mapping[str, Any], world: World) -> list[str]:
    """How a returned entry differs from what `store` allows (states as sets, OQ-4 open)."""
    where = f"CustomKeyStores[{store.store_id}]"
    expected = entry_for(store, world)
    states = {store.state} | {s.state for s in store.settlements}
    codes = {s.error_code for s in store.settlements} | {store.error_code}
    found: list[str] = []
    state = entry.get("ConnectionState")
    if state not in states:
        found.append(f"{where}.ConnectionState: expected one of {sorted(states)}, got {state!r}")
    code = entry.get("ConnectionErrorCode")
    if state == FAILED and code not in codes - {None}:
        found.append(
            f"{where}.ConnectionErrorCode: expected one of "
            f"{sorted(c for c in codes if c)}, got {code!r}"
        )
    if state != FAILED and code is not None:
        found.append(f"{where}.ConnectionErrorCode: only FAILED stores report one, got {code!r}")
    if not isinstance(entry.get("CreationDate"), (datetime.datetime, int, float)):
        found.append(
            f"{where}.CreationDate: expected a timestamp, got {entry.get('CreationDate')!r}"
        )
    skip = {"ConnectionState", "ConnectionErrorCode", "CreationDate", "XksProxyConfiguration"}
    found += _field_mismatches(
        where,
        {k: v for k, v in entry.items() if k not in skip},
        {k: v for k, v in expected.items() if k not in skip},
        {},
    )
    if "XksProxyConfiguration" in expected or "XksProxyConfiguration" in entry:
        alternatives: dict[str, set[Any]] = {}
        for key, value in store.describe_alternatives:
            alternatives.setdefault(key, set()).add(value)
        if store.is_vpc and not store.owner_explicit:
            alternatives.setdefault("VpcEndpointServiceOwner", set()).add(ABSENT)  # OQ-4
        found += _field_mismatches(
            f"{where}.XksProxyConfiguration",
            entry.get("XksProxyConfiguration") or {},
            expected.get("XksProxyConfiguration") or {},
            alternatives,
        )
    return found


@dataclass(frozen=True)
class DescribePage:
    """Checks a Describe response against the stores a page may contain."""

    stores: Mapping[str, StoreRecord]
    selection: frozenset[str]
    already_returned: frozenset[str]
    limit: int | None
    world: World
    complete: bool = True  # False when OQ-11 leaves the selection itself open

    def mismatches(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """Why the response is not acceptable (empty when it is)."""
        entries = response.get("CustomKeyStores")
        if not isinstance(entries, list):
            return (f"CustomKeyStores: expected a list, got {redact(entries)!r}",)
        found: list[str] = []
        if _contains_secret(response):
            found.append("response contains a secret member (KeyStorePassword/RawSecretAccessKey)")
        ids = [e.get("CustomKeyStoreId") for e in entries if isinstance(e, Mapping)]
        if len(set(ids)) != len(entries):
            found.append(f"CustomKeyStores: entries are not distinct stores: {ids!r}")
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            store_id = entry.get("CustomKeyStoreId")
            if store_id not in self.selection:
                found.append(f"CustomKeyStores: {store_id!r} is not a store the request selects")
                continue
            found += entry_mismatches(self.stores[store_id], entry, self.world)
        if self.limit is not None and len(entries) > self.limit:
            found.append(f"CustomKeyStores: {len(entries)} entries exceed Limit {self.limit}")
        truncated = response.get("Truncated", False)
        if truncated and not isinstance(response.get("NextMarker"), str):
            found.append("Truncated is true but NextMarker is missing")
        if not truncated and self.complete:
            missing = self.selection - self.already_returned - set(ids)
            if missing:
                found.append(f"not truncated, yet stores are missing: {sorted(missing)}")
        return tuple(found)


def _selection(
    state: ModelState, clean: Mapping[str, Any]
) -> tuple[frozenset[str], list[RuleVerdict]]:
    store_id, name = clean.get("CustomKeyStoreId"), clean.get("CustomKeyStoreName")
    by_id = {s for s in state.stores if s == store_id}
    by_name = {s.store_id for s in state.stores.values() if s.name == name}
    not_found = frozenset({NOT_FOUND})
    if store_id is not None and name is not None:
        verdict = RuleVerdict(
            "CKS-DESCRIBE-003",
            frozenset({VALIDATION_EXCEPTION}) | not_found,
            True,
            ("OQ-11",),
            "CustomKeyStoreName",
            "both filters",
        )
        if not by_id and not by_name:
            verdict = dataclasses.replace(verdict, success_allowed=False)
        return frozenset(by_id | by_name), [verdict]
    if store_id is not None:
        rules = (
            []
            if by_id
            else [
                RuleVerdict(
                    "CKS-DESCRIBE-004", not_found, False, (), "CustomKeyStoreId", "no such store"
                )
            ]
        )
        return frozenset(by_id), rules
    if name is not None:
        rules = (
            []
            if by_name
            else [
                RuleVerdict(
                    "CKS-DESCRIBE-004", not_found, False, (), "CustomKeyStoreName", "no such store"
                )
            ]
        )
        return frozenset(by_name), rules
    return frozenset(state.stores), []


def plan_describe(
    world: World, state: ModelState, request: object, client_validation: bool
) -> Plan:
    """Predict DescribeCustomKeyStores (CKS-DESCRIBE-*, CKS-PAGE-*, CKS-SECRET-001/002)."""
    refused, (clean, shape) = gate.admit(OPERATION, request, client_validation=client_validation)
    if refused is not None:
        return refused
    selection, rules = _selection(state, clean)
    marker = clean.get("Marker")
    returned: frozenset[str] = frozenset()
    if marker is not None:
        if marker in state.markers:
            returned = frozenset(state.markers[marker])
        else:
            rules.append(
                RuleVerdict(
                    "CKS-PAGE-003",
                    frozenset({"InvalidMarkerException"}),
                    False,
                    (),
                    "Marker",
                    "not a marker this account was given",
                )
            )
    both = "CustomKeyStoreId" in clean and "CustomKeyStoreName" in clean
    check = DescribePage(
        dict(state.stores), selection, returned, clean.get("Limit"), world, complete=not both
    )

    def on_success(target: ModelState, outcome: Outcome) -> None:
        entries = [e for e in outcome.response.get("CustomKeyStores", []) if isinstance(e, Mapping)]
        for entry in entries:
            _follow_settlement(target, entry)
        next_marker = outcome.response.get("NextMarker")
        if outcome.response.get("Truncated") and isinstance(next_marker, str):
            seen = [str(e.get("CustomKeyStoreId")) for e in entries]
            target.markers[next_marker] = (*sorted(returned), *seen)

    return gate.conclude(
        shape,
        rules,
        requirement_ids=("CKS-DESCRIBE-001", "CKS-PAGE-002"),
        response=check,
        on_success=on_success,
    )


def _follow_settlement(state: ModelState, entry: Mapping[str, Any]) -> None:
    store = state.stores.get(str(entry.get("CustomKeyStoreId")))
    if store is None or not store.settlements:
        return
    observed = Settlement(str(entry.get("ConnectionState")), entry.get("ConnectionErrorCode"))
    if observed in store.settlements:
        state.stores[store.store_id] = dataclasses.replace(
            store, state=observed.state, error_code=observed.error_code, settlements=frozenset()
        )


def respond(state: ModelState, request: object, world: World) -> dict[str, Any]:
    """The page a standalone model returns: creation order, model-issued markers."""
    clean = request if isinstance(request, Mapping) else {}
    selection, _ = _selection(state, clean)
    returned: Sequence[str] = state.markers.get(str(clean.get("Marker")), ())
    remaining = sorted(
        (state.stores[s] for s in selection - set(returned)), key=lambda s: s.creation_tick
    )
    limit = clean.get("Limit")
    page = remaining[:limit] if isinstance(limit, int) and limit > 0 else remaining
    response: dict[str, Any] = {
        "CustomKeyStores": [entry_for(s, world) for s in page],
        "Truncated": len(page) < len(remaining),
    }
    if response["Truncated"]:
        response["NextMarker"] = f"marker-{len(state.markers) + 1:08d}"
    return response
