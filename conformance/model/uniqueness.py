"""Uniqueness rules and the store quota, checked against the other stores of the account.

`candidate` is the store as it would be after Create/Update; `changed` names the groups of
fields the request sets (``name``, ``uri``, ``service``, ``cluster``) so that an Update is
only blamed for what it changes.

>>> from conformance.model.records import StoreRecord
>>> a, b = StoreRecord("cks-1", "n", "AWS_CLOUDHSM"), StoreRecord("cks-2", "n", "AWS_CLOUDHSM")
>>> [v.requirement_id for v in uniqueness_verdicts(World(), [a], b, {"name"})]
['CKS-UNIQ-001']
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from conformance.model.outcomes import RuleVerdict
from conformance.model.records import StoreRecord
from conformance.model.world import CloudHsmCluster, World

STORE_QUOTA = 10
"""Custom key stores per account and Region by default (digest §8; not in the botocore
model). The quota is adjustable (OQ-32): the model takes the account's figure as a setting."""

QUOTA_RAISED = "OQ-32"


def _v(
    rid: str, error: str, field: str, detail: str, allowed: bool = False, oq: tuple[str, ...] = ()
) -> RuleVerdict:
    return RuleVerdict(rid, frozenset({error}), allowed, oq, field, detail)


def _name(others: list[StoreRecord], candidate: StoreRecord, field: str) -> list[RuleVerdict]:
    error = "CustomKeyStoreNameInUseException"
    if any(s.name == candidate.name for s in others):
        return [_v("CKS-UNIQ-001", error, field, "name in use")]
    if any(s.name.casefold() == candidate.name.casefold() for s in others):
        return [_v("CKS-UNIQ-001", error, field, "differs only in case", True, ("OQ-22",))]
    return []


def _uri(world: World, others: list[StoreRecord], c: StoreRecord) -> list[RuleVerdict]:
    found: list[RuleVerdict] = []
    xks = [s for s in others if s.is_xks]
    if any((s.uri_endpoint, s.uri_path) == (c.uri_endpoint, c.uri_path) for s in xks):
        found.append(
            _v(
                "CKS-UNIQ-002",
                "XksProxyUriInUseException",
                "XksProxyUriPath",
                "endpoint and path in use",
            )
        )
    vpc_endpoints = {s.uri_endpoint for s in xks if s.is_vpc}
    error = "XksProxyUriEndpointInUseException"
    if c.is_vpc:
        if any(s.uri_endpoint == c.uri_endpoint for s in xks):
            found.append(
                _v(
                    "CKS-UNIQ-005",
                    error,
                    "XksProxyUriEndpoint",
                    "a VPC store needs its own endpoint",
                )
            )
    elif c.uri_endpoint in vpc_endpoints or c.uri_endpoint in world.foreign_vpc_endpoints:
        found.append(
            _v(
                "CKS-UNIQ-004",
                error,
                "XksProxyUriEndpoint",
                "a PUBLIC store may not use a VPC store's endpoint",
            )
        )
    return found


def _service(world: World, others: list[StoreRecord], c: StoreRecord) -> list[RuleVerdict]:
    error = "XksProxyVpcEndpointServiceInUseException"
    field = "XksProxyVpcEndpointServiceName"
    owner = c.service_owner or world.account_id
    same_name = [s for s in others if s.is_vpc and s.service_name == c.service_name]
    if any((s.service_owner or world.account_id) == owner for s in same_name):
        return [_v("CKS-UNIQ-006", error, field, "service in use")]
    if same_name:
        return [_v("CKS-UNIQ-006", error, field, "same name, other owner", True, ("OQ-8",))]
    return []


def _family(world: World, cluster_id: str | None) -> str | None:
    cluster: CloudHsmCluster | None = world.cluster(cluster_id or "")
    return cluster.family if cluster else cluster_id


def _cluster(world: World, others: list[StoreRecord], c: StoreRecord) -> list[RuleVerdict]:
    family = _family(world, c.cluster_id)
    hsm = [s for s in others if not s.is_xks]
    if any(_family(world, s.cluster_id) == family for s in hsm):
        return [
            _v(
                "CKS-UNIQ-007",
                "CloudHsmClusterInUseException",
                "CloudHsmClusterId",
                "cluster (or backup history) in use",
            )
        ]
    return []


def uniqueness_verdicts(
    world: World, stores: Iterable[StoreRecord], candidate: StoreRecord, changed: Collection[str]
) -> list[RuleVerdict]:
    """Objections of the uniqueness rules (§4.3) to `candidate` among the other `stores`."""
    others = [s for s in stores if s.store_id != candidate.store_id]
    found: list[RuleVerdict] = []
    if "name" in changed:
        field = "CustomKeyStoreName" if "create" in changed else "NewCustomKeyStoreName"
        found += _name(others, candidate, field)
    if candidate.is_xks and "uri" in changed:
        found += _uri(world, others, candidate)
    if candidate.is_vpc and "service" in changed:
        found += _service(world, others, candidate)
    if not candidate.is_xks and "cluster" in changed and "create" in changed:
        found += _cluster(world, others, candidate)
    return found


def permitted_sharing(
    stores: Iterable[StoreRecord], candidate: StoreRecord, changed: Collection[str]
) -> tuple[str, ...]:
    """The permissive uniqueness rules a success of `candidate` exercises: a PUBLIC store
    sharing another PUBLIC store's endpoint under another path (CKS-UNIQ-003).

    >>> a = StoreRecord("cks-1", "a", "EXTERNAL_KEY_STORE", connectivity="PUBLIC_ENDPOINT",
    ...                 uri_endpoint="https://x.example.com", uri_path="/a/kms/xks/v1")
    >>> b = StoreRecord("cks-2", "b", "EXTERNAL_KEY_STORE", connectivity="PUBLIC_ENDPOINT",
    ...                 uri_endpoint="https://x.example.com", uri_path="/b/kms/xks/v1")
    >>> permitted_sharing([a], b, {"uri"})
    ('CKS-UNIQ-003',)
    """
    if not candidate.is_xks or candidate.is_vpc or "uri" not in changed:
        return ()
    shared = any(
        s.is_xks
        and not s.is_vpc
        and s.store_id != candidate.store_id
        and s.uri_endpoint == candidate.uri_endpoint
        and s.uri_path != candidate.uri_path
        for s in stores
    )
    return ("CKS-UNIQ-003",) if shared else ()


def quota_verdicts(stores: Collection[StoreRecord], quota: int = STORE_QUOTA) -> list[RuleVerdict]:
    """Create beyond the account's quota raises LimitExceededException (CKS-QUOTA-001).

    Every store counts, pre-existing ones included. `quota` is the account's figure (OQ-32).

    >>> [v.detail for v in quota_verdicts([StoreRecord("cks-1", "a", "AWS_CLOUDHSM")], 1)]
    ['1 stores exist, quota 1']
    """
    if len(stores) >= quota:
        detail = f"{len(stores)} stores exist, quota {quota}"
        return [_v("CKS-QUOTA-001", "LimitExceededException", "", detail, oq=(QUOTA_RAISED,))]
    return []
