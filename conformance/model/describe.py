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
    Mismatch,
    Outcome,
    RuleVerdict,
    redact,
)
from conformance.model.records import FAILED, Settlement, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.world import World
from conformance.spec import botocore_model

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


#: The rule each reported member of an entry (or of its proxy configuration) is about.
MEMBER_RULES: Mapping[str, str] = {
    "CustomKeyStoreId": "CKS-DESCRIBE-005",
    "CustomKeyStoreName": "CKS-DESCRIBE-005",
    "CustomKeyStoreType": "CKS-DESCRIBE-005",
    "CreationDate": "CKS-DESCRIBE-005",
    "ConnectionState": "CKS-DESCRIBE-010",
    "ConnectionErrorCode": "CKS-DESCRIBE-009",
    "CloudHsmClusterId": "CKS-DESCRIBE-006",
    "TrustAnchorCertificate": "CKS-DESCRIBE-006",
    "XksProxyConfiguration": "CKS-DESCRIBE-007",
    "VpcEndpointServiceName": "CKS-DESCRIBE-008",
    "VpcEndpointServiceOwner": "CKS-OWNER-007",
    "KeyStorePassword": "CKS-SECRET-001",
    "RawSecretAccessKey": "CKS-SECRET-002",
}


def _member_rule(key: str, default: str) -> str:
    return MEMBER_RULES.get(key, default)


def _enum(shape: str) -> frozenset[str]:
    return frozenset(botocore_model.shape_constraint(shape).enum or ())


def owner_rule(store: StoreRecord) -> str:
    """The rule a VPC store's described owner is judged under: the caller's account when the
    owner was omitted (CKS-OWNER-001) or given as the caller's own (CKS-OWNER-002, OQ-3),
    otherwise the owner as given (CKS-OWNER-007)."""
    if store.owner_omitted:
        return "CKS-OWNER-001"
    if store.is_vpc and not store.owner_explicit:
        return "CKS-OWNER-002"
    return "CKS-OWNER-007"


def _field_mismatches(
    where: str,
    actual: Mapping[str, Any],
    expected: Mapping[str, Any],
    alternatives: Mapping[str, set[Any]],
    default_rule: str,
) -> list[Mismatch]:
    found: list[Mismatch] = []
    for key in sorted(set(actual) | set(expected)):
        got, want = actual.get(key, ABSENT), expected.get(key, ABSENT)
        if got != want and got not in alternatives.get(key, set()):
            rule = _member_rule(key, default_rule)
            if key in SECRET_MEMBERS:  # a leaking target must not make the report leak too
                found.append(Mismatch(rule, f"{where}.{key}", "absent", "a secret (redacted)"))
            else:
                found.append(Mismatch(rule, f"{where}.{key}", repr(want), repr(redact(got))))
    return found


#: What a pre-existing store's entry must carry, whatever its owner changed (OQ-33).
PREEXISTING_MEMBERS: Mapping[str, tuple[str, ...]] = {
    "AWS_CLOUDHSM": ("CustomKeyStoreName", "CloudHsmClusterId", "TrustAnchorCertificate"),
    "EXTERNAL_KEY_STORE": ("CustomKeyStoreName", "XksProxyConfiguration"),
}


def _preexisting_mismatches(store: StoreRecord, entry: Mapping[str, Any]) -> list[Mismatch]:
    """A store that existed before the run: same ID and type, members present (OQ-33)."""
    where = f"CustomKeyStores[{store.store_id}]"
    found: list[Mismatch] = []
    got_type = entry.get("CustomKeyStoreType", store.store_type)
    if got_type != store.store_type:
        found.append(
            Mismatch(
                "CKS-DESCRIBE-005", f"{where}.CustomKeyStoreType", store.store_type, repr(got_type)
            )
        )
    for member in PREEXISTING_MEMBERS[store.store_type]:
        if entry.get(member) in (None, ""):
            rule = _member_rule(member, "CKS-DESCRIBE-005")
            found.append(Mismatch(rule, f"{where}.{member}", "present", "absent"))
    return found


def entry_mismatches(store: StoreRecord, entry: Mapping[str, Any], world: World) -> list[Mismatch]:
    """How a returned entry differs from what `store` allows (states as sets, OQ-4 open).

    A pre-existing store may be in any state, with any error code while FAILED, and its
    members may have changed (OQ-33): it is judged for shape and presence only.
    """
    where = f"CustomKeyStores[{store.store_id}]"
    expected = entry_for(store, world)
    states = {store.state} | {s.state for s in store.settlements}
    codes = {s.error_code for s in store.settlements} | {store.error_code}
    if store.preexisting:
        states, codes = set(_enum("ConnectionStateType")), set(_enum("ConnectionErrorCodeType"))
    found: list[Mismatch] = []
    state = entry.get("ConnectionState")
    if state not in states:
        in_enum = state in _enum("ConnectionStateType")
        found.append(
            Mismatch(
                "CKS-DESCRIBE-010" if in_enum else "CKS-SHAPE-021",
                f"{where}.ConnectionState",
                f"one of {sorted(states)}",
                repr(state),
            )
        )
    code = entry.get("ConnectionErrorCode")
    if code is not None and code not in _enum("ConnectionErrorCodeType"):
        found.append(
            Mismatch(
                "CKS-SHAPE-022",
                f"{where}.ConnectionErrorCode",
                "a ConnectionErrorCodeType value",
                repr(code),
            )
        )
    elif state == FAILED and code not in codes - {None}:
        # no code for a FAILED store breaks the entry rule; a wrong one, the connect's rule
        wrong = "CKS-CONNECT-005" if store.is_xks else "CKS-CONNECT-004"
        found.append(
            Mismatch(
                "CKS-DESCRIBE-009" if code is None else wrong,
                f"{where}.ConnectionErrorCode",
                f"one of {sorted(c for c in codes if c)}",
                repr(code),
            )
        )
    if state != FAILED and code is not None:
        found.append(
            Mismatch(
                "CKS-STATE-008" if store.failure_cleared else "CKS-DESCRIBE-009",
                f"{where}.ConnectionErrorCode",
                "absent (only FAILED stores report one)",
                repr(code),
            )
        )
    if not isinstance(entry.get("CreationDate"), (datetime.datetime, int, float)):
        found.append(
            Mismatch(
                "CKS-DESCRIBE-005" if entry.get("CreationDate") is None else "CKS-SHAPE-023",
                f"{where}.CreationDate",
                "a timestamp",
                repr(entry.get("CreationDate")),
            )
        )
    if store.preexisting:
        return found + _preexisting_mismatches(store, entry)
    skip = {"ConnectionState", "ConnectionErrorCode", "CreationDate", "XksProxyConfiguration"}
    found += _field_mismatches(
        where,
        {k: v for k, v in entry.items() if k not in skip},
        {k: v for k, v in expected.items() if k not in skip},
        {},
        "CKS-DESCRIBE-005",
    )
    if "XksProxyConfiguration" in expected or "XksProxyConfiguration" in entry:
        alternatives: dict[str, set[Any]] = {}
        for key, value in store.describe_alternatives:
            alternatives.setdefault(key, set()).add(value)
        if store.is_vpc and not store.owner_explicit:
            alternatives.setdefault("VpcEndpointServiceOwner", set()).add(ABSENT)  # OQ-4
        found += [
            dataclasses.replace(m, requirement_id=owner_rule(store))
            if m.where.endswith(".VpcEndpointServiceOwner")
            else m
            for m in _field_mismatches(
                f"{where}.XksProxyConfiguration",
                entry.get("XksProxyConfiguration") or {},
                expected.get("XksProxyConfiguration") or {},
                alternatives,
                "CKS-DESCRIBE-007",
            )
        ]
    return found


def entry_rules(store: StoreRecord, entry: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The rules judging one entry of `store` exercises (`entry`: what was returned).

    >>> entry_rules(StoreRecord("cks-1", "a", "AWS_CLOUDHSM", cluster_id="c", trust_anchor="t"))
    ('CKS-DESCRIBE-005', 'CKS-DESCRIBE-010', 'CKS-DESCRIBE-009', 'CKS-DESCRIBE-006')
    """
    rules = ["CKS-DESCRIBE-005", "CKS-DESCRIBE-010", "CKS-DESCRIBE-009"]
    if store.is_xks:
        rules.append("CKS-DESCRIBE-007")
        if store.is_vpc and not store.preexisting:
            rules += ["CKS-DESCRIBE-008", "CKS-OWNER-007"]
    else:
        rules.append("CKS-DESCRIBE-006")
    if entry is None:
        return tuple(rules)
    if store.preexisting:  # only its shape was judged (OQ-33)
        shape = ("CKS-SHAPE-022",) if entry.get("ConnectionErrorCode") is not None else ()
        return (*rules, "CKS-SHAPE-021", "CKS-SHAPE-023", *shape)
    rules += ["CKS-SHAPE-021", "CKS-SHAPE-023"]  # the state and date were checked as such
    code = entry.get("ConnectionErrorCode")
    if code is not None:
        rules.append("CKS-SHAPE-022")
    if entry.get("ConnectionState") == FAILED and code is not None:
        # the code was compared with the one the backend fault predicts (§5.3)
        rules += ["CKS-CONNECT-005" if store.is_xks else "CKS-CONNECT-004", "CKS-STATE-008"]
        if not store.is_xks and code == "INVALID_CREDENTIALS":
            rules.append("CKS-HSM-006")  # Create took a wrong password; Connect found it
    elif store.failure_cleared and code is None:
        rules.append("CKS-STATE-008")
    config = entry.get("XksProxyConfiguration")
    if store.is_vpc and isinstance(config, Mapping) and "VpcEndpointServiceOwner" in config:
        rules.append(owner_rule(store))
    return tuple(dict.fromkeys(rules))


@dataclass(frozen=True)
class DescribePage:
    """Checks a Describe response against the stores a page may contain."""

    stores: Mapping[str, StoreRecord]
    selection: frozenset[str]
    already_returned: frozenset[str]
    limit: int | None
    world: World
    complete: bool = True  # False when OQ-11 leaves the selection itself open
    filtered: bool = False

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why the response is not acceptable (empty when it is), each naming its rule."""
        entries = response.get("CustomKeyStores")
        if not isinstance(entries, list):
            return (
                Mismatch("CKS-DESCRIBE-001", "CustomKeyStores", "a list", repr(redact(entries))),
            )
        found: list[Mismatch] = []
        secrets = _secret_names(response)
        if secrets:
            rule = "CKS-SECRET-001" if "KeyStorePassword" in secrets else "CKS-SECRET-002"
            found.append(Mismatch(rule, "response", "no secret member", "a secret (redacted)"))
        ids = [e.get("CustomKeyStoreId") for e in entries if isinstance(e, Mapping)]
        if len(set(ids)) != len(entries):
            found.append(Mismatch("CKS-PAGE-004", "CustomKeyStores", "distinct stores", repr(ids)))
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            store_id = entry.get("CustomKeyStoreId")
            if store_id not in self.selection:
                rule = "CKS-DESCRIBE-002" if self.filtered else "CKS-DESCRIBE-001"
                found.append(
                    Mismatch(
                        rule,
                        "CustomKeyStores",
                        "only stores the request selects",
                        f"{store_id!r}",
                    )
                )
                continue
            found += entry_mismatches(self.stores[store_id], entry, self.world)
        if self.limit is not None and len(entries) > self.limit:
            found.append(
                Mismatch(
                    "CKS-PAGE-001",
                    "CustomKeyStores",
                    f"at most Limit={self.limit} entries",
                    f"{len(entries)} entries",
                )
            )
        truncated = response.get("Truncated", False)
        if truncated and not isinstance(response.get("NextMarker"), str):
            found.append(Mismatch("CKS-PAGE-002", "NextMarker", "a marker when Truncated", "none"))
        if not truncated and self.complete:
            missing = self.selection - self.already_returned - set(ids)
            if missing:
                rule = (
                    "CKS-DESCRIBE-002"
                    if self.filtered
                    else "CKS-PAGE-004"
                    if self.already_returned
                    else "CKS-DESCRIBE-001"
                )
                found.append(
                    Mismatch(
                        rule,
                        "CustomKeyStores",
                        f"every selected store (missing {sorted(missing)})",
                        "not truncated",
                    )
                )
        return tuple(found)

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The rules this response exercised (entries of each kind, paging, secrecy)."""
        rules = ["CKS-SECRET-002"]
        entries = [e for e in response.get("CustomKeyStores") or [] if isinstance(e, Mapping)]
        if any(not s.is_xks for s in self.stores.values() if s.store_id in self.selection):
            rules.append("CKS-SECRET-001")
        rules.append("CKS-DESCRIBE-002" if self.filtered else "CKS-DESCRIBE-001")
        for entry in entries:
            store = self.stores.get(str(entry.get("CustomKeyStoreId")))
            if store is not None:
                rules += entry_rules(store, entry)
        if self.limit is not None:
            rules.append("CKS-PAGE-001")
        if response.get("Truncated"):
            rules.append("CKS-PAGE-002")
        if self.already_returned and self.complete:
            rules.append("CKS-PAGE-004")
        return tuple(dict.fromkeys(rules))


def _secret_names(value: object) -> list[str]:
    if isinstance(value, Mapping):
        found = [str(k) for k in value if k in SECRET_MEMBERS]
        for v in value.values():
            found += _secret_names(v)
        return found
    if isinstance(value, (list, tuple)):
        return [name for v in value for name in _secret_names(v)]
    return []


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
    filtered = "CustomKeyStoreId" in clean or "CustomKeyStoreName" in clean
    check = DescribePage(
        dict(state.stores),
        selection,
        returned,
        clean.get("Limit"),
        world,
        complete=not both,
        filtered=filtered,
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
        requirement_ids=(),
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
