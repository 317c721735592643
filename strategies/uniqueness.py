"""Sets of configurations that break (or respect) the uniqueness rules and the store quota.

A `StoreSet` is a world, stores that exist first (each valid and mutually distinct), and a
candidate configuration created last. For a conflict, the candidate differs from a fresh
valid configuration in exactly what the rule is about (spec digest §4.3, §8):

========================  =================================================  ==============
rule                      candidate                                          requirement
========================  =================================================  ==============
``name_in_use``           any kind, with an existing store's name            CKS-UNIQ-001
``uri_in_use``            PUBLIC, an existing PUBLIC store's endpoint+path   CKS-UNIQ-002
``public_on_vpc_endpoint``  PUBLIC, a VPC store's endpoint (own path)          CKS-UNIQ-004
``foreign_vpc_endpoint``  PUBLIC, another account's VPC endpoint             CKS-UNIQ-004
``vpc_endpoint_in_use``   VPC, an existing XKS store's endpoint (own path)   CKS-UNIQ-005
``service_in_use``        VPC, an existing VPC store's service and endpoint  CKS-UNIQ-006
``cluster_in_use``        CloudHSM, an existing store's cluster               CKS-UNIQ-007
``related_cluster``       CloudHSM, a cluster sharing backup history         CKS-UNIQ-007
``over_quota``            the 11th store                                     CKS-QUOTA-001
========================  =================================================  ==============

>>> from strategies import first_example
>>> case = first_example(pair_conflicts("uri_in_use"))
>>> case.candidate["XksProxyUriPath"] == case.existing[0]["XksProxyUriPath"]
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import assume
from hypothesis import strategies as st

from conformance.model import STORE_QUOTA, World
from strategies.configs import (
    CLOUDHSM,
    VPC_ENDPOINT_SERVICE,
    cloudhsm_store_configs,
    store_kind,
    xks_public_store_configs,
    xks_vpc_store_configs,
)
from strategies.violations import ReplayableRepr, Violation
from strategies.worlds import base_worlds, configs_in, serving, world_for

_IN_USE = {
    "name": "CustomKeyStoreNameInUseException",
    "uri": "XksProxyUriInUseException",
    "endpoint": "XksProxyUriEndpointInUseException",
    "service": "XksProxyVpcEndpointServiceInUseException",
    "cluster": "CloudHsmClusterInUseException",
    "quota": "LimitExceededException",
}


@dataclass(frozen=True)
class StoreSet(ReplayableRepr):
    """Stores created in order (`existing`), then `candidate`; `violation` None means valid.

    The world is derived (so the repr replays with secrets redacted): `base`, plus the
    backends of `existing`, of `served` (configurations the world serves without a store,
    e.g. the fresh draw a conflicting candidate was made from) and of the candidate itself;
    `families` puts clusters into another cluster's backup history. `exercises` names the
    rules a valid set shows are *allowed* (e.g. CKS-UNIQ-003).
    """

    base: World
    existing: tuple[dict[str, Any], ...]
    candidate: dict[str, Any]
    violation: Violation | None = None
    served: tuple[dict[str, Any], ...] = ()
    families: tuple[tuple[str, str], ...] = ()
    exercises: tuple[str, ...] = ()

    @property
    def world(self) -> World:
        """The world in which every existing store and the candidate are backed."""
        world = world_for((*self.existing, *self.served), self.base)
        family_of = dict(self.families)
        clusters = tuple(
            dataclasses.replace(c, backup_family=family_of[c.cluster_id])
            if c.cluster_id in family_of
            else c
            for c in world.clusters
        )
        return serving(dataclasses.replace(world, clusters=clusters), self.candidate)


def _name_key(config: dict[str, Any]) -> str:
    return str(config["CustomKeyStoreName"]).casefold()


def _backend_key(config: dict[str, Any]) -> tuple[str, Any]:
    if store_kind(config) == CLOUDHSM:
        return ("cluster", config["CloudHsmClusterId"])
    return ("endpoint", config["XksProxyUriEndpoint"])


def _service_key(config: dict[str, Any]) -> tuple[str, Any]:
    if store_kind(config) == VPC_ENDPOINT_SERVICE:
        return ("service", config["XksProxyVpcEndpointServiceName"])
    return ("name", _name_key(config))


IDENTITY_KEYS: Final = (_name_key, _backend_key, _service_key)
"""What must differ between two stores for no uniqueness rule to apply (OQ-22: names
are compared case-insensitively to stay clear of the open question)."""


def identity_keys(config: dict[str, Any]) -> set[Any]:
    """The identity keys of one configuration, tagged by which key they are."""
    return {(i, key(config)) for i, key in enumerate(IDENTITY_KEYS)}


def distinct(configs: Sequence[dict[str, Any]]) -> bool:
    """Whether no two configurations share a name, endpoint, service or cluster."""
    seen: set[Any] = set()
    for config in configs:
        keys = identity_keys(config)
        if keys & seen:
            return False
        seen |= keys
    return True


def _violation(rule: str, group: str, rid: str, *also: str) -> Violation:
    return Violation(rule, rule, rid, frozenset({_IN_USE[group], *also}))


@st.composite
def _distinct_configs(draw: st.DrawFn, world: World, kinds: Sequence[Any]) -> list[dict[str, Any]]:
    configs: list[dict[str, Any]] = []
    taken: set[Any] = set()
    for kind in kinds:
        config = draw(configs_in(world, kind).filter(_avoiding(frozenset(taken))))
        taken |= identity_keys(config)
        configs.append(config)
    return configs


def _avoiding(taken: frozenset[Any]) -> Callable[[dict[str, Any]], bool]:
    return lambda config: not identity_keys(config) & taken


def _distinct_lists(world: World, size: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    """`size` mutually distinct valid configurations of any kind (redraws, never rejects)."""
    return st.lists(configs_in(world), min_size=size, max_size=size, unique_by=IDENTITY_KEYS)


Builder = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]
"""Makes the candidate from the existing store and a fresh valid draw (None: no case)."""


def _same_name(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    return {**new, "CustomKeyStoreName": old["CustomKeyStoreName"]}


def _same_uri(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    keep = ("XksProxyUriEndpoint", "XksProxyUriPath")
    return {**new, **{k: old[k] for k in keep}}


def _endpoint_only(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    if new["XksProxyUriPath"] == old["XksProxyUriPath"]:
        return None
    return {**new, "XksProxyUriEndpoint": old["XksProxyUriEndpoint"]}


def _same_service(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    if new["XksProxyUriPath"] == old["XksProxyUriPath"]:
        return None
    owner = "XksProxyVpcEndpointServiceOwner"
    keep = ("XksProxyUriEndpoint", "XksProxyVpcEndpointServiceName")
    candidate = {k: v for k, v in new.items() if k != owner}
    candidate.update({k: old[k] for k in keep})
    if owner in old:
        candidate[owner] = old[owner]
    return candidate


def _same_cluster(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    keep = ("CloudHsmClusterId", "TrustAnchorCertificate")
    return {**new, **{k: old[k] for k in keep}}


def _related_cluster(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    return new  # the world puts new's cluster into old's backup history (see pair_conflicts)


KindFor = Callable[[World], st.SearchStrategy[dict[str, Any]]] | None


def _hsm(world: World) -> st.SearchStrategy[dict[str, Any]]:
    return cloudhsm_store_configs()


def _public(world: World) -> st.SearchStrategy[dict[str, Any]]:
    return xks_public_store_configs()


def _vpc(world: World) -> st.SearchStrategy[dict[str, Any]]:
    return xks_vpc_store_configs(world.partition_prefix)


def _xks(world: World) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(_public(world), _vpc(world))


CASES: Final[dict[str, tuple[KindFor, KindFor, Builder, Violation]]] = {
    "name_in_use": (None, None, _same_name, _violation("name_in_use", "name", "CKS-UNIQ-001")),
    "uri_in_use": (_public, _public, _same_uri, _violation("uri_in_use", "uri", "CKS-UNIQ-002")),
    "public_on_vpc_endpoint": (
        _vpc, _public, _endpoint_only,
        _violation("public_on_vpc_endpoint", "endpoint", "CKS-UNIQ-004"),
    ),
    "vpc_endpoint_in_use": (
        _xks, _vpc, _endpoint_only,
        _violation("vpc_endpoint_in_use", "endpoint", "CKS-UNIQ-005"),
    ),
    "service_in_use": (
        _vpc, _vpc, _same_service,
        _violation("service_in_use", "service", "CKS-UNIQ-006", _IN_USE["endpoint"]),
    ),
    "cluster_in_use": (
        _hsm, _hsm, _same_cluster, _violation("cluster_in_use", "cluster", "CKS-UNIQ-007")
    ),
    "related_cluster": (
        _hsm, _hsm, _related_cluster, _violation("related_cluster", "cluster", "CKS-UNIQ-007")
    ),
}  # fmt: skip
"""Pairwise conflicts: (existing kind, candidate kind, how the candidate is made, violation)."""


def _kind(kind_for: KindFor, world: World) -> st.SearchStrategy[dict[str, Any]] | None:
    return None if kind_for is None else kind_for(world)


@st.composite
def pair_conflicts(draw: st.DrawFn, rule: str | None = None) -> StoreSet:
    """Two stores that break one pairwise uniqueness rule (`rule`, or any of `CASES`)."""
    rule = rule or draw(st.sampled_from(sorted(CASES)))
    old_kind, new_kind, build, violation = CASES[rule]
    base = draw(base_worlds())
    old, new = draw(_distinct_configs(base, [_kind(old_kind, base), _kind(new_kind, base)]))
    candidate = build(old, new)
    assume(candidate is not None)
    assert candidate is not None
    families: tuple[tuple[str, str], ...] = ()
    if rule == "related_cluster":
        families = ((new["CloudHsmClusterId"], old["CloudHsmClusterId"]),)
    return StoreSet(base, (old,), candidate, violation, (new,), families)


@st.composite
def foreign_endpoint_conflicts(draw: st.DrawFn) -> StoreSet:
    """A PUBLIC store on an endpoint another account's VPC store uses (CKS-UNIQ-004)."""
    base = draw(base_worlds())
    candidate = draw(configs_in(base, xks_public_store_configs()))
    base = dataclasses.replace(
        base, foreign_vpc_endpoints=frozenset({candidate["XksProxyUriEndpoint"]})
    )
    violation = _violation("foreign_vpc_endpoint", "endpoint", "CKS-UNIQ-004")
    return StoreSet(base, (), candidate, violation)


@st.composite
def over_quota_sets(draw: st.DrawFn) -> StoreSet:
    """`STORE_QUOTA` distinct valid stores, then one more (CKS-QUOTA-001)."""
    base = draw(base_worlds())
    configs = draw(_distinct_lists(base, STORE_QUOTA + 1))
    violation = _violation("over_quota", "quota", "CKS-QUOTA-001")
    return StoreSet(base, tuple(configs[:-1]), configs[-1], violation)


def conflicting_store_sets() -> st.SearchStrategy[StoreSet]:
    """Any `StoreSet` whose candidate breaks a uniqueness rule or the quota."""
    return st.one_of(
        *(pair_conflicts(rule) for rule in sorted(CASES)),
        foreign_endpoint_conflicts(),
        over_quota_sets(),
    )


@st.composite
def coexisting_store_sets(draw: st.DrawFn, size: int | None = None) -> StoreSet:
    """Up to `STORE_QUOTA` valid stores that may all exist together; often two PUBLIC stores
    share an endpoint with different paths, which the rules allow (digest §4.3)."""
    base = draw(base_worlds())
    n = size if size is not None else draw(st.integers(2, STORE_QUOTA))
    configs = draw(_distinct_lists(base, n))
    exercises: tuple[str, ...] = ()
    if draw(st.booleans()):
        first, second = draw(_distinct_configs(base, [_public(base), _public(base)]))
        second = {**second, "XksProxyUriEndpoint": first["XksProxyUriEndpoint"]}
        if (
            second["XksProxyUriPath"] != first["XksProxyUriPath"]
            and distinct([*configs[: n - 2], first])
            and not _shares_with(configs[: n - 2], second)
        ):
            configs = [*configs[: n - 2], first, second]
            exercises = ("CKS-UNIQ-003",)
    return StoreSet(base, tuple(configs[:-1]), configs[-1], exercises=exercises)


def _shares_with(configs: Sequence[dict[str, Any]], config: dict[str, Any]) -> bool:
    keys = {k for c in configs for k in identity_keys(c)}
    return bool(keys & identity_keys(config))


__all__ = [
    "CASES",
    "STORE_QUOTA",
    "StoreSet",
    "coexisting_store_sets",
    "conflicting_store_sets",
    "distinct",
    "foreign_endpoint_conflicts",
    "over_quota_sets",
    "pair_conflicts",
]
