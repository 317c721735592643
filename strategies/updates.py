"""UpdateCustomKeyStore requests against a given store in a given connection state.

Fields come in groups (spec digest §5.2): *hot* groups may change while CONNECTED or
DISCONNECTED (XKS: name, credential, path; CloudHSM: name, OQ-18), *cold* groups only while
DISCONNECTED (XKS: connectivity switch, endpoint, service name, owner; CloudHSM: password,
cluster). A request for a group the state forbids carries a `Violation` expecting
CustomKeyStoreInvalidStateException (a set with success for XKS hot groups in the transient
and FAILED states, OQ-16; hot and cold mixed while CONNECTED, OQ-17). Connectivity switches
without their companions (CKS-UPDATE-007/008) and members of the other store type
(CKS-UPDATE-009, OQ-13) are labelled too.

Every value is valid for its shape, new names, endpoints and services avoid the `others`
stores, and `UpdateCase.world(base)` adds the backends the new values need.

>>> from conformance.model import StoreRecord
>>> from strategies import first_example
>>> s = StoreRecord("cks-1", "a", "AWS_CLOUDHSM", cluster_id="cluster-abcdefghijk")
>>> case = first_example(update_requests(s, "CONNECTED"), lambda c: c.group == "password")
>>> case.violation.rule
'state'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from conformance.model import CloudHsmCluster, StoreRecord, World
from strategies.configs import (
    CLOUDHSM,
    PUBLIC_ENDPOINT,
    VPC_ENDPOINT_SERVICE,
    store_names,
    vpc_service_names,
    xks_endpoints,
    xks_uri_paths,
)
from strategies.invalid_configs import missing_member_violation, not_applicable_violation
from strategies.members import valid_values
from strategies.secrets import hidden_secret
from strategies.violations import INVALID_STATE, MISSING, ReplayableRepr, Violation, with_member
from strategies.worlds import service_name_in, serving

UPDATE: Final = "UpdateCustomKeyStore"
CONNECTED: Final = "CONNECTED"
DISCONNECTED: Final = "DISCONNECTED"
STATES: Final = ("CONNECTED", "CONNECTING", "DISCONNECTED", "DISCONNECTING", "FAILED")

XKS_HOT: Final = ("name", "credential", "path")
XKS_COLD: Final = ("endpoint", "service", "owner", "switch")
HSM_HOT: Final = ("name",)
HSM_COLD: Final = ("password", "cluster")


@dataclass(frozen=True)
class UpdateCase(ReplayableRepr):
    """An Update request for `store_id`, the field `group` it changes, and what to expect.

    `after` describes the store as Create would describe it after the update (so the world
    can serve it); `violation` None means the update should succeed in a world from `world`.
    """

    store_id: str
    group: str
    request: dict[str, Any]
    after: dict[str, Any]
    violation: Violation | None = None
    family: str | None = None

    def world(self, base: World) -> World:
        """`base` plus the backends the updated store needs (proxy, service, cluster)."""
        if self.after.get("CustomKeyStoreType", CLOUDHSM) == CLOUDHSM:
            cluster_id = self.after.get("CloudHsmClusterId")
            if not cluster_id or base.cluster(cluster_id) is not None:
                return base
            cluster = CloudHsmCluster(cluster_id, backup_family=self.family or "")
            return dataclasses.replace(base, clusters=(*base.clusters, cluster))
        return serving(base, self.after)


def store_as_config(store: StoreRecord) -> dict[str, Any]:
    """The CreateCustomKeyStore-style configuration describing an existing store."""
    if not store.is_xks:
        return {"CustomKeyStoreName": store.name, "CloudHsmClusterId": store.cluster_id}
    # The stored secret may be a plain string (e.g. from a live proxy): hide it in reprs.
    secret = hidden_secret("RawSecretAccessKey", store.raw_secret_access_key)
    config: dict[str, Any] = {
        "CustomKeyStoreName": store.name,
        "CustomKeyStoreType": store.store_type,
        "XksProxyConnectivity": store.connectivity,
        "XksProxyUriEndpoint": store.uri_endpoint,
        "XksProxyUriPath": store.uri_path,
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": store.access_key_id,
            "RawSecretAccessKey": secret,
        },
    }
    if store.is_vpc:
        config["XksProxyVpcEndpointServiceName"] = store.service_name
        config["XksProxyVpcEndpointServiceOwner"] = store.service_owner
    return config


def _taken(others: Iterable[StoreRecord]) -> tuple[frozenset[str], frozenset[Any]]:
    stores = list(others)
    names = frozenset(s.name.casefold() for s in stores)
    used = frozenset(v for s in stores for v in (s.uri_endpoint, s.service_name, s.cluster_id) if v)
    return names, used


def _value(path: str) -> st.SearchStrategy[Any]:
    return valid_values(UPDATE, path)


@st.composite
def _changes(
    draw: st.DrawFn, store: StoreRecord, group: str, world: World, others: tuple[StoreRecord, ...]
) -> dict[str, Any]:
    """The request members that change `group` to fresh valid values."""
    names, used = _taken(others)
    fresh = xks_endpoints().filter(lambda e: e not in used)
    if group == "name":
        name = draw(store_names().filter(lambda n: n.casefold() not in names))
        return {"NewCustomKeyStoreName": name}
    if group == "credential":
        return {
            "XksProxyAuthenticationCredential": draw(_value("XksProxyAuthenticationCredential"))
        }
    if group == "path":
        return {"XksProxyUriPath": draw(xks_uri_paths())}
    if group == "endpoint":
        return {"XksProxyUriEndpoint": draw(fresh)}
    if group in ("service", "switch") and (group == "service") == store.is_vpc:
        service = {"XksProxyVpcEndpointServiceName": draw(_service_names(world, used))}
        if group == "service":
            return service
        owner = draw(st.one_of(st.just({}), _owner()))
        return {
            "XksProxyConnectivity": VPC_ENDPOINT_SERVICE,
            "XksProxyUriEndpoint": draw(fresh),
            **service,
            **owner,
        }
    if group == "switch":
        return {"XksProxyConnectivity": PUBLIC_ENDPOINT, "XksProxyUriEndpoint": draw(fresh)}
    if group == "owner":
        return draw(_owner())
    if group == "password":
        return {"KeyStorePassword": draw(_value("KeyStorePassword"))}
    if group == "cluster":
        return {
            "CloudHsmClusterId": draw(_value("CloudHsmClusterId").filter(lambda c: c not in used))
        }
    raise ValueError(f"unknown Update field group {group!r}")


def _owner() -> st.SearchStrategy[dict[str, Any]]:
    return _value("XksProxyVpcEndpointServiceOwner").map(
        lambda o: {"XksProxyVpcEndpointServiceOwner": o}
    )


def _service_names(world: World, used: frozenset[Any]) -> st.SearchStrategy[str]:
    return (
        vpc_service_names(world.partition_prefix)
        .map(lambda n: service_name_in(world, n))
        .filter(lambda n: n is not None and n not in used)
        .map(str)
    )


def groups_of(store: StoreRecord) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (hot, cold) field groups an Update of this store can change (§5.2)."""
    if not store.is_xks:
        return HSM_HOT, HSM_COLD
    if store.is_vpc:
        return XKS_HOT, XKS_COLD
    return XKS_HOT, ("endpoint", "switch")


def update_groups(store: StoreRecord, state: str) -> list[str]:
    """Every field group `update_requests` can draw for this store in `state`."""
    hot, cold = groups_of(store)
    kinds = [*hot, *cold, "hot+cold"]
    if state == DISCONNECTED:
        kinds += ["not_applicable"] + (["switch_incomplete"] if store.is_xks else [])
    return kinds


def state_violation(
    store: StoreRecord, state: str, hot: bool, cold: bool, owner_only: bool = False
) -> Violation | None:
    """What the connection `state` makes of an Update touching hot and/or cold groups.

    Spec digest §5.2; requirement per case: hot+cold while CONNECTED CKS-UPDATE-006 (OQ-17),
    XKS cold CKS-UPDATE-003 (owner alone while CONNECTED: CKS-OWNER-006, OQ-6), XKS hot
    elsewhere CKS-UPDATE-002 (OQ-16, may succeed), CloudHSM cold CKS-UPDATE-005, CloudHSM
    rename elsewhere CKS-UPDATE-004.
    """
    if state == DISCONNECTED or (state == CONNECTED and not cold):
        return None
    errors = frozenset({INVALID_STATE})
    field = "CustomKeyStoreId"
    if state == CONNECTED and hot:
        return Violation(field, "state", "CKS-UPDATE-006", errors, False, ("OQ-17",))
    if state == CONNECTED and store.is_xks and owner_only:
        return Violation(field, "state", "CKS-OWNER-006", errors, False, ("OQ-6",))
    if store.is_xks and hot and not cold:
        return Violation(field, "state", "CKS-UPDATE-002", errors, True, ("OQ-16",))
    if store.is_xks:
        return Violation(field, "state", "CKS-UPDATE-003", errors)
    return Violation(field, "state", "CKS-UPDATE-005" if cold else "CKS-UPDATE-004", errors)


def _after(store: StoreRecord, request: dict[str, Any]) -> dict[str, Any]:
    after = store_as_config(store)
    for member, value in request.items():
        if member == "NewCustomKeyStoreName":
            after["CustomKeyStoreName"] = value
        elif member != "CustomKeyStoreId":
            after[member] = value
    if after.get("XksProxyConnectivity") == PUBLIC_ENDPOINT:
        after.pop("XksProxyVpcEndpointServiceName", None)
        after.pop("XksProxyVpcEndpointServiceOwner", None)
    return after


def _family(store: StoreRecord, world: World) -> str | None:
    cluster = world.cluster(store.cluster_id or "")
    return cluster.family if cluster is not None else store.cluster_id


@st.composite
def update_requests(
    draw: st.DrawFn,
    store: StoreRecord,
    state: str | None = None,
    world: World | None = None,
    others: tuple[StoreRecord, ...] = (),
    group: str | None = None,
) -> UpdateCase:
    """An `UpdateCase` for `store` in `state` (default: the store's own state).

    `world` is where the store lives (its Region decides new service names); `others` are
    the account's other stores, whose names, endpoints and services new values avoid.
    `group` fixes the field group (one of `update_groups(store, state)`).
    """
    state = state or store.state
    world = world if world is not None else World()
    hot, cold = groups_of(store)
    kinds = update_groups(store, state)
    if group is not None and group not in kinds:
        raise ValueError(f"group {group!r} does not apply to this store in {state}: {kinds}")
    group = group or draw(st.sampled_from(kinds))
    request: dict[str, Any] = {"CustomKeyStoreId": store.store_id}
    violation: Violation | None = None
    if group == "hot+cold":
        for part in (draw(st.sampled_from(hot)), draw(st.sampled_from(cold))):
            request.update(draw(_changes(store, part, world, others)))
        violation = state_violation(store, state, True, True)
    elif group == "not_applicable":
        member, value, violation = draw(_not_applicable(store))
        request[member] = value
    elif group == "switch_incomplete":
        request.update(draw(_changes(store, "switch", world, others)))
        member = draw(st.sampled_from([m for m in _COMPANIONS if m in request]))
        request = with_member(request, member, MISSING)
        rid = "CKS-UPDATE-008" if store.is_vpc else "CKS-UPDATE-007"
        violation = missing_member_violation(member, rid)
    else:
        request.update(draw(_changes(store, group, world, others)))
        violation = state_violation(store, state, group in hot, group in cold, group == "owner")
    return UpdateCase(
        store.store_id, group, request, _after(store, request), violation, _family(store, world)
    )


_COMPANIONS: Final = ("XksProxyUriEndpoint", "XksProxyVpcEndpointServiceName")


@st.composite
def _not_applicable(draw: st.DrawFn, store: StoreRecord) -> tuple[str, Any, Violation]:
    members: tuple[str, ...]
    if not store.is_xks:
        kind, members = CLOUDHSM, _XKS_UPDATE_MEMBERS
    elif store.is_vpc:
        kind, members = VPC_ENDPOINT_SERVICE, _HSM_UPDATE_MEMBERS
    else:
        kind = PUBLIC_ENDPOINT
        members = (*_HSM_UPDATE_MEMBERS, "XksProxyVpcEndpointServiceName", _OWNER)
    member = draw(st.sampled_from(members))
    violation = not_applicable_violation(member, kind)
    if violation.requirement_id == "CKS-CREATE-006":
        violation = dataclasses.replace(violation, requirement_id="CKS-UPDATE-009")
    return member, draw(_value(member)), violation


_OWNER: Final = "XksProxyVpcEndpointServiceOwner"
_HSM_UPDATE_MEMBERS: Final = ("KeyStorePassword", "CloudHsmClusterId")
_XKS_UPDATE_MEMBERS: Final = (
    "XksProxyAuthenticationCredential",
    "XksProxyUriPath",
    "XksProxyUriEndpoint",
    "XksProxyConnectivity",
    _OWNER,
)
