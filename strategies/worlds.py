"""The backends a configuration needs, as a reference-model `World`, and (World, config) pairs.

A valid configuration is only valid against a world that serves it: a healthy proxy at its
endpoint and path that accepts its credential, a VPC endpoint service whose private DNS
name is the endpoint host (owned by the configured owner, in the world's Region and
partition), an active CloudHSM cluster whose trust anchor is the configured one.
`world_for` derives that world; `store_setups` draws `StoreSetup(config, base)` pairs whose
`world` property is the base world plus those backends.

>>> from strategies import first_example
>>> setup = first_example(store_setups(xks_vpc_store_configs()))
>>> setup.world.vpc_endpoint_services[0].private_dns_name == setup.config[
...     "XksProxyUriEndpoint"].removeprefix("https://")
True
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import strategies as st

from conformance.model.world import (
    CloudHsmCluster,
    ProxyCredential,
    VpcEndpointService,
    World,
    XksProxy,
)
from conformance.spec.botocore_model import member_constraint
from strategies.configs import (
    CLOUDHSM,
    CREATE,
    VPC_ENDPOINT_SERVICE,
    cloudhsm_store_configs,
    store_kind,
    xks_public_store_configs,
    xks_vpc_store_configs,
)

SERVICE_NAME: Final = "XksProxyVpcEndpointServiceName"

REGIONS: Final = ("us-east-1", "eu-west-1", "eusc-de-east-1")
"""Regions the setups are drawn in; the ``eusc-`` one is in the ``eu.`` partition."""

_REGION_IN_SERVICE_NAME = re.compile(r"(?<=\.vpce\.)[a-z0-9-]+(?=\.vpce-svc-)", re.ASCII)


@dataclass(frozen=True)
class StoreSetup:
    """A configuration, and a base world to which `world` adds what the configuration needs.

    Only the base world and the configuration are fields, so the repr replays exactly:
    the world's own repr redacts secrets, the configuration's `Secret`s regenerate.
    """

    config: dict[str, Any]
    base: World = field(default_factory=World)

    @property
    def world(self) -> World:
        """The base world plus the backends that make Create of `config` succeed."""
        return backends_for(self.config, self.base)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def service_name_in(world: World, name: str) -> str | None:
    """`name` moved into `world`'s Region and partition; None if it then breaks its shape.

    >>> service_name_in(World(region="eu-west-1"), "com.amazonaws.vpce.ab-cd-1.vpce-svc-0a")
    'com.amazonaws.vpce.eu-west-1.vpce-svc-0a'
    """
    renamed = _REGION_IN_SERVICE_NAME.sub(world.region, name, count=1)
    renamed = world.partition_prefix + renamed[renamed.index(".") :]
    c = member_constraint(CREATE, "XksProxyVpcEndpointServiceName")
    fits = (c.min_length or 0) <= len(renamed) <= (c.max_length or len(renamed))
    return renamed if fits and c.pattern_matches(renamed) else None


def in_region(config: dict[str, Any], world: World) -> dict[str, Any] | None:
    """`config` with its VPC service name placed in `world`'s Region and partition.

    None when the adjusted name no longer fits its botocore shape.
    """
    name = config.get("XksProxyVpcEndpointServiceName")
    if store_kind(config) != VPC_ENDPOINT_SERVICE or not isinstance(name, str):
        return config
    renamed = service_name_in(world, name)
    return None if renamed is None else {**config, "XksProxyVpcEndpointServiceName": renamed}


def host_of(endpoint: str) -> str:
    """The host part of an ``https://host`` endpoint."""
    return endpoint.split("://", 1)[-1]


def backends_for(config: dict[str, Any], world: World) -> World:
    """`world` plus the backends `config` needs to be accepted by Create (no other change)."""
    if store_kind(config) == CLOUDHSM:
        cluster = CloudHsmCluster(
            cluster_id=config["CloudHsmClusterId"],
            trust_anchor=config["TrustAnchorCertificate"],
            kmsuser_password=config["KeyStorePassword"],
        )
        return dataclasses.replace(world, clusters=(*world.clusters, cluster))
    credential = config["XksProxyAuthenticationCredential"]
    world = with_proxy(
        world,
        config["XksProxyUriEndpoint"],
        config["XksProxyUriPath"],
        ProxyCredential(credential["AccessKeyId"], credential["RawSecretAccessKey"]),
    )
    if store_kind(config) != VPC_ENDPOINT_SERVICE:
        return world
    service = VpcEndpointService(
        service_name=config["XksProxyVpcEndpointServiceName"],
        owner=config.get("XksProxyVpcEndpointServiceOwner", world.account_id),
        private_dns_name=host_of(config["XksProxyUriEndpoint"]),
    )
    return dataclasses.replace(world, vpc_endpoint_services=(*world.vpc_endpoint_services, service))


def with_proxy(world: World, endpoint: str, path: str, credential: ProxyCredential) -> World:
    """`world` with a healthy proxy at `endpoint` + `path` that also accepts `credential`."""
    existing = world.proxy_at(endpoint, path)
    if existing is None:
        proxies = (*world.proxies, XksProxy(endpoint, path, credentials=(credential,)))
    else:
        grown = dataclasses.replace(existing, credentials=(*existing.credentials, credential))
        proxies = tuple(grown if p is existing else p for p in world.proxies)
    return dataclasses.replace(world, proxies=proxies)


def serving(world: World, candidate: dict[str, Any]) -> World:
    """`world` made to answer for `candidate` too, so that only uniqueness rules object."""
    if store_kind(candidate) == CLOUDHSM:
        if world.cluster(candidate["CloudHsmClusterId"]) is None:
            return backends_for(candidate, world)
        return world
    credential = candidate["XksProxyAuthenticationCredential"]
    world = with_proxy(
        world,
        candidate["XksProxyUriEndpoint"],
        candidate["XksProxyUriPath"],
        ProxyCredential(credential["AccessKeyId"], credential["RawSecretAccessKey"]),
    )
    if store_kind(candidate) != VPC_ENDPOINT_SERVICE or SERVICE_NAME not in candidate:
        return world
    name = candidate[SERVICE_NAME]
    owner = candidate.get("XksProxyVpcEndpointServiceOwner", world.account_id)
    host = host_of(candidate["XksProxyUriEndpoint"])
    if world.service(name, owner) is None:
        added = VpcEndpointService(name, owner, private_dns_name=host)
        return dataclasses.replace(
            world, vpc_endpoint_services=(*world.vpc_endpoint_services, added)
        )
    services = tuple(
        dataclasses.replace(s, private_dns_name=host)
        if (s.service_name, s.owner) == (name, owner)
        else s
        for s in world.vpc_endpoint_services
    )
    return dataclasses.replace(world, vpc_endpoint_services=services)


def world_for(configs: Iterable[dict[str, Any]], base: World | None = None) -> World:
    """A world serving every configuration in `configs` (see `backends_for`)."""
    world = base if base is not None else World()
    for config in configs:
        world = backends_for(config, world)
    return world


def base_worlds() -> st.SearchStrategy[World]:
    """Empty worlds in one of `REGIONS` (caller account: the model's default)."""
    return st.sampled_from(REGIONS).map(lambda region: World(region=region))


def configs_in(world: World, kinds: st.SearchStrategy[dict[str, Any]] | None = None) -> Any:
    """Valid configurations placed in `world`'s Region (see `in_region`)."""
    return _configs_in_region(world.region, kinds)


@functools.cache
def _configs_in_region(region: str, kinds: st.SearchStrategy[dict[str, Any]] | None) -> Any:
    world = World(region=region)
    drawn = kinds if kinds is not None else _any_kind(world.partition_prefix)
    return drawn.map(lambda c: in_region(c, world)).filter(lambda c: c is not None)


@functools.cache
def _any_kind(partition_prefix: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        cloudhsm_store_configs(),
        xks_public_store_configs(),
        xks_vpc_store_configs(partition_prefix),
    )


@st.composite
def store_setups(
    draw: st.DrawFn, kinds: st.SearchStrategy[dict[str, Any]] | None = None
) -> StoreSetup:
    """A `StoreSetup`: a base world from `base_worlds` plus what the configuration needs.

    `kinds` restricts the configurations (e.g. ``xks_vpc_store_configs()``); the VPC
    service name is moved into the drawn Region and partition.
    """
    base = draw(base_worlds())
    config: dict[str, Any] = draw(configs_in(base, kinds))
    return StoreSetup(config, base)
