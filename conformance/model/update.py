"""UpdateCustomKeyStore: which fields may change in which state, switches, and checks (§4-§5).

Hot fields may change while CONNECTED; cold fields need DISCONNECTED (digest §5.2).

>>> from conformance.model.records import StoreRecord
>>> from conformance.model.world import World
>>> s = ModelState(stores={"cks-1": StoreRecord("cks-1", "a", "AWS_CLOUDHSM", state="CONNECTED")})
>>> plan_update(World(), s, {"CustomKeyStoreId": "cks-1", "KeyStorePassword": "secret12"},
...             True).expectation.errors
frozenset({'CustomKeyStoreInvalidStateException'})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from conformance.model import backend, gate
from conformance.model.create import (
    OWNER,
    SERVICE,
    grammar_verdicts,
    missing_verdict,
    not_applicable_verdict,
)
from conformance.model.lifecycle import invalid_state, lookup
from conformance.model.outcomes import Outcome, RuleVerdict
from conformance.model.records import CONNECTED, DISCONNECTED, PUBLIC, VPC, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.uniqueness import permitted_sharing, uniqueness_verdicts
from conformance.model.world import World

OPERATION = "UpdateCustomKeyStore"
NAME = "NewCustomKeyStoreName"
CREDENTIAL = "XksProxyAuthenticationCredential"
XKS_HOT = (NAME, CREDENTIAL, "XksProxyUriPath")
XKS_COLD = ("XksProxyConnectivity", "XksProxyUriEndpoint", SERVICE, OWNER)
HSM_HOT = (NAME,)
HSM_COLD = ("KeyStorePassword", "CloudHsmClusterId")


def _state_verdicts(store: StoreRecord, hot: list[str], cold: list[str]) -> list[RuleVerdict]:
    if store.state == DISCONNECTED or not (hot or cold):
        return []
    if store.state == CONNECTED:
        if cold and hot:
            return [invalid_state("CKS-UPDATE-006", store, "hot and cold fields", ("OQ-17",))]
        if cold:
            if store.is_xks:
                rid = "CKS-OWNER-006" if cold == [OWNER] else "CKS-UPDATE-003"
                return [
                    invalid_state(
                        rid, store, f"{cold} need DISCONNECTED", ("OQ-6",) if OWNER in cold else ()
                    )
                ]
            return [invalid_state("CKS-UPDATE-005", store, f"{cold} need DISCONNECTED")]
        return []
    if store.is_xks and hot and not cold:
        return [invalid_state("CKS-UPDATE-002", store, oq=("OQ-16",), allowed=True)]
    if store.is_xks:
        return [invalid_state("CKS-UPDATE-003", store)]
    return [invalid_state("CKS-UPDATE-005" if cold else "CKS-UPDATE-004", store)]


def _switch_verdicts(
    store: StoreRecord, request: Mapping[str, Any], raw: object
) -> list[RuleVerdict]:
    """Connectivity switches need a new endpoint, plus a service name (to VPC) or none."""
    new = request.get("XksProxyConnectivity")
    found: list[RuleVerdict] = []
    if new == VPC and store.connectivity != VPC:
        found += [
            missing_verdict("CKS-UPDATE-007", m)
            for m in ("XksProxyUriEndpoint", SERVICE)
            if m not in request
        ]
    if new == PUBLIC and store.connectivity != PUBLIC:
        if "XksProxyUriEndpoint" not in request:
            found.append(missing_verdict("CKS-UPDATE-008", "XksProxyUriEndpoint"))
        if isinstance(raw, dict) and raw.get(SERVICE) == "":
            found.append(
                RuleVerdict(
                    "CKS-UPDATE-008",
                    frozenset({"ValidationException"}),
                    True,
                    ("OQ-10",),
                    SERVICE,
                    "empty service name",
                )
            )
    connectivity = new or store.connectivity
    if connectivity == PUBLIC:
        if request.get(SERVICE):
            found.append(not_applicable_verdict("CKS-UPDATE-009", SERVICE, "OQ-13", True))
        if OWNER in request:
            found.append(not_applicable_verdict("CKS-OWNER-003", OWNER, "OQ-1", True))
    return found


def merged_store(world: World, store: StoreRecord, request: Mapping[str, Any]) -> StoreRecord:
    """The store after a successful Update (omitted members unchanged; n/a ignored)."""
    changes: dict[str, Any] = {}
    if NAME in request:
        changes["name"] = request[NAME]
    if not store.is_xks:
        for member, attr in (
            ("KeyStorePassword", "key_store_password"),
            ("CloudHsmClusterId", "cluster_id"),
        ):
            if member in request:
                changes[attr] = request[member]
        return dataclasses.replace(store, **changes)
    if CREDENTIAL in request:
        changes["access_key_id"] = request[CREDENTIAL].get("AccessKeyId")
        changes["raw_secret_access_key"] = request[CREDENTIAL].get("RawSecretAccessKey")
    for member, attr in (
        ("XksProxyUriEndpoint", "uri_endpoint"),
        ("XksProxyUriPath", "uri_path"),
        ("XksProxyConnectivity", "connectivity"),
    ):
        if member in request:
            changes[attr] = request[member]
    connectivity = changes.get("connectivity", store.connectivity)
    if connectivity == VPC:
        changes["service_name"] = request.get(SERVICE) or store.service_name
        if OWNER in request:
            owner = request[OWNER]
            changes["service_owner"] = owner
            changes["owner_explicit"] = owner != world.account_id  # OQ-3
            changes["owner_omitted"] = False
        elif store.connectivity != VPC:
            changes["service_owner"], changes["owner_explicit"] = world.account_id, False
            changes["owner_omitted"] = True
    elif store.is_vpc:  # switched to PUBLIC: whether Describe still shows them is OQ-4
        changes["service_name"], changes["service_owner"] = None, None
        changes["describe_alternatives"] = (
            ("VpcEndpointServiceName", store.service_name),
            ("VpcEndpointServiceOwner", store.service_owner),
        )
    return dataclasses.replace(store, **changes)


def _xks_backend(
    world: World, store: StoreRecord, after: StoreRecord, request: Mapping[str, Any]
) -> list[RuleVerdict]:
    proxy_fields = {
        CREDENTIAL,
        "XksProxyUriPath",
        "XksProxyUriEndpoint",
        "XksProxyConnectivity",
        SERVICE,
        OWNER,
    }
    health = backend.proxy_health_verdicts(
        world,
        after.uri_endpoint or "",
        after.uri_path or "",
        after.access_key_id or "",
        after.raw_secret_access_key or "",
    )
    if not proxy_fields & set(request):
        return backend.possibly(health, "OQ-24") if NAME in request else []
    if not after.is_vpc:
        return _checked_with_new_values(health) + health
    found: list[RuleVerdict] = []
    if SERVICE in request:
        found += backend.partition_verdicts(world, request[SERVICE])
    vpc = backend.vpc_service_verdicts(
        world,
        after.service_name or "",
        after.service_owner or world.account_id,
        after.uri_endpoint,
    )
    return found + backend.possibly(vpc + health, "OQ-7")


def _checked_with_new_values(health: list[RuleVerdict]) -> list[RuleVerdict]:
    """CKS-XKS-009 objects with the proxy fault: Update checks the proxy with the new values.

    It comes first: an Update that is applied despite the fault skipped that check, which is
    what this rule is about (the fault's own rule, CKS-XKS-003..007, is judged alongside).
    """
    if not health:
        return []
    return [
        RuleVerdict(
            "CKS-XKS-009",
            frozenset().union(*(v.errors for v in health)),
            all(v.success_allowed for v in health),
            tuple(dict.fromkeys(oq for v in health for oq in v.open_questions)),
            health[0].field,
            "GetHealthStatus with the new values fails",
        )
    ]


def _hsm_backend(world: World, store: StoreRecord, request: Mapping[str, Any]) -> list[RuleVerdict]:
    if "CloudHsmClusterId" not in request:
        return []
    found = backend.cluster_verdicts(world, request["CloudHsmClusterId"])
    new, old = world.cluster(request["CloudHsmClusterId"]), world.cluster(store.cluster_id or "")
    new_family = new.family if new else request["CloudHsmClusterId"]
    old_family = old.family if old else store.cluster_id
    if new is not None and new_family != old_family:
        found.append(
            RuleVerdict(
                "CKS-HSM-005",
                frozenset({"CloudHsmClusterNotRelatedException"}),
                False,
                (),
                "CloudHsmClusterId",
                "no shared backup history",
            )
        )
    return found


def _changed_groups(request: Mapping[str, Any]) -> set[str]:
    """The uniqueness groups an Update's members touch (see :mod:`uniqueness`)."""
    return {
        group
        for group, members in (
            ("name", {NAME}),
            ("uri", {"XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyConnectivity"}),
            ("service", {SERVICE, OWNER, "XksProxyConnectivity"}),
            ("cluster", {"CloudHsmClusterId"}),
        )
        if members & set(request)
    }


def _rules(
    world: World, state: ModelState, store: StoreRecord, request: Mapping[str, Any], raw: object
) -> list[RuleVerdict]:
    hot_names, cold_names = (XKS_HOT, XKS_COLD) if store.is_xks else (HSM_HOT, HSM_COLD)
    hot = [m for m in hot_names if m in request]
    cold = [m for m in cold_names if m in request]
    if store.is_xks and request.get("XksProxyConnectivity", store.connectivity) != VPC:
        cold = [m for m in cold if m not in (SERVICE, OWNER)]  # n/a on PUBLIC: OQ-1, OQ-13
    found = _state_verdicts(store, hot, cold)
    if store.is_xks:
        found += [
            not_applicable_verdict("CKS-UPDATE-009", m, "OQ-13", False)
            for m in HSM_COLD
            if m in request
        ]
        found += _switch_verdicts(store, request, raw) + grammar_verdicts(request)
    else:
        found += [
            not_applicable_verdict("CKS-UPDATE-009", m, "OQ-13", False)
            for m in (*XKS_HOT[1:], *XKS_COLD[:3])
            if m in request
        ]
        if OWNER in request:
            found.append(not_applicable_verdict("CKS-OWNER-004", OWNER, "OQ-2", False))
    after = merged_store(world, store, request)
    found += uniqueness_verdicts(world, state.stores.values(), after, _changed_groups(request))
    if store.is_xks:
        found += _xks_backend(world, store, after, request)
    else:
        found += _hsm_backend(world, store, request)
    return found


def plan_update(world: World, state: ModelState, request: object, client_validation: bool) -> Plan:
    """Predict UpdateCustomKeyStore (CKS-UPDATE-*, CKS-OWNER-005/006, uniqueness, checks)."""
    refused, (clean, shape) = gate.admit(OPERATION, request, client_validation=client_validation)
    if refused is not None:
        return refused
    store, rules = lookup(state, clean)
    if store is not None:
        rules += _rules(world, state, store, clean, request)
        if any(v.requirement_id == "CKS-UPDATE-008" and v.success_allowed for v in rules):
            # OQ-10: "" may be the documented "empty" service name: its shape is open
            shape = tuple(
                dataclasses.replace(v, success_allowed=True) if v.field == SERVICE else v
                for v in shape
            )

    def on_success(target: ModelState, outcome: Outcome) -> None:
        if store is not None:
            target.stores[store.store_id] = merged_store(world, store, clean)

    hot_while_connected = store is not None and store.state == CONNECTED
    keeps_owner = store is not None and store.is_vpc and OWNER not in clean
    hot_rule = "CKS-UPDATE-001" if store is not None and store.is_xks else "CKS-UPDATE-004"
    sharing: tuple[str, ...] = ()
    if store is not None and store.is_xks:
        after = merged_store(world, store, clean)
        sharing = permitted_sharing(state.stores.values(), after, _changed_groups(clean))
    ids = (  # the most specific first: they take the blame for an unexpected refusal
        *((hot_rule,) if hot_while_connected else ()),
        *sharing,
        "CKS-UPDATE-010",
        *(("CKS-OWNER-005",) if keeps_owner else ()),
    )
    return gate.conclude(shape, rules, requirement_ids=ids, on_success=on_success)
