"""The explicit world of a run, and the live fake proxies that make it real.

A :class:`Scenario` says what every backend does: which host names answer as XKS proxies
and how (healthy, slow, bad TLS, garbled, every EKM down), which VPC endpoint services and
CloudHSM clusters exist. :func:`start_scenario` starts one fake proxy per live site and
returns both views of the same description: the reference model's :class:`World` (for the
checker's predictions) and an :class:`XksNetwork` (for the emulator, which learns by probing).

>>> [site.hostname for site in DEFAULT_SITES][:2]
['xks-healthy.kscheck.test', 'xks-second.kscheck.test']
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conformance.emulator.network import ProxyAddress, XksNetwork
from conformance.model import (
    CloudHsmCluster,
    ExternalKey,
    ProxyBehaviour,
    ProxyCredential,
    VpcEndpointService,
    World,
    XksProxy,
)
from conformance.xks.certs import make_certificates
from conformance.xks.config import EkmNode, FakeProxyConfig
from conformance.xks.server import RunningProxy, start_fake_proxy

XKS_SUFFIX = "/kms/xks/v1"
OTHER_ACCOUNT = "444455556666"


@dataclass(frozen=True)
class ProxySite:
    """A host name and what answers there. `faults` are fake-proxy fault names."""

    hostname: str
    behaviour: ProxyBehaviour
    faults: tuple[str, ...] = ()
    live: bool = True

    @property
    def endpoint(self) -> str:
        """The ``XksProxyUriEndpoint`` of this site."""
        return f"https://{self.hostname}"


DEFAULT_SITES: tuple[ProxySite, ...] = (
    ProxySite("xks-healthy.kscheck.test", ProxyBehaviour.HEALTHY),
    ProxySite("xks-second.kscheck.test", ProxyBehaviour.HEALTHY),
    ProxySite("xks-vpc.kscheck.test", ProxyBehaviour.HEALTHY),
    ProxySite("xks-vpc-shared.kscheck.test", ProxyBehaviour.HEALTHY),
    ProxySite("xks-slow.kscheck.test", ProxyBehaviour.TIMEOUT, ("slow",)),
    ProxySite("xks-expired-tls.kscheck.test", ProxyBehaviour.BAD_TLS, ("expired_cert",)),
    ProxySite(
        "xks-garbled.kscheck.test", ProxyBehaviour.INVALID_RESPONSE, ("invalid_json_responses",)
    ),
    ProxySite("xks-ekm-down.kscheck.test", ProxyBehaviour.ALL_EKMS_UNAVAILABLE),
    ProxySite("xks-nowhere.kscheck.test", ProxyBehaviour.UNREACHABLE, live=False),
    ProxySite("xks-authz.kscheck.test", ProxyBehaviour.ACCESS_DENIED, ("health_requires_authz",)),
)

DEFAULT_SERVICES: tuple[VpcEndpointService, ...] = (
    VpcEndpointService(
        "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718",
        private_dns_name="xks-vpc.kscheck.test",
    ),
    VpcEndpointService(
        "com.amazonaws.vpce.us-east-1.vpce-svc-0f1e2d3c4b5a69788",
        owner=OTHER_ACCOUNT,
        private_dns_name="xks-vpc-shared.kscheck.test",
    ),
    VpcEndpointService(
        "com.amazonaws.vpce.us-east-1.vpce-svc-0d4c3b2a190817263",
        private_dns_name="xks-nowhere.kscheck.test",
    ),
    VpcEndpointService(
        "com.amazonaws.vpce.us-east-1.vpce-svc-05a4b3c2d1e0f9a8b",
        private_dns_name="xks-expired-tls.kscheck.test",
    ),
    VpcEndpointService(  # e.g. its load balancer spans one AZ: set up unlike KMS needs it
        "com.amazonaws.vpce.us-east-1.vpce-svc-0c9b8a7f6e5d4c3b2",
        private_dns_name="xks-vpc-misconfigured.kscheck.test",
        conformant=False,
    ),
)

DEFAULT_CLUSTERS: tuple[CloudHsmCluster, ...] = (
    CloudHsmCluster("cluster-abcdefghijk", trust_anchor="-----BEGIN CERTIFICATE-----\nA\n"),
    CloudHsmCluster(
        "cluster-bcdefghijkl",
        trust_anchor="-----BEGIN CERTIFICATE-----\nB\n",
        backup_family="cluster-abcdefghijk",
    ),
    CloudHsmCluster("cluster-cdefghijklm", trust_anchor="-----BEGIN CERTIFICATE-----\nC\n"),
    CloudHsmCluster("cluster-defghijklmn", trust_anchor="-----BEGIN CERTIFICATE-----\nD\n"),
    CloudHsmCluster(
        "cluster-onehsmonlyab", trust_anchor="-----BEGIN CERTIFICATE-----\nE\n", hsm_count=1
    ),
    CloudHsmCluster("cluster-inactivexyz", active=False),
)


@dataclass(frozen=True)
class Scenario:
    """Everything outside KMS for one run (see the module docstring)."""

    sites: tuple[ProxySite, ...] = DEFAULT_SITES
    services: tuple[VpcEndpointService, ...] = DEFAULT_SERVICES
    clusters: tuple[CloudHsmCluster, ...] = DEFAULT_CLUSTERS
    region: str = "us-east-1"


@dataclass
class RunningScenario:
    """A started scenario: the checker's world, the emulator's network, the live proxies."""

    scenario: Scenario
    world: World
    network: XksNetwork
    proxies: dict[str, RunningProxy] = field(default_factory=dict)

    def site_paths(self, hostname: str) -> tuple[str, ...]:
        """The ``XksProxyUriPath`` values a live site serves (one per tenant)."""
        proxy = self.proxies.get(hostname)
        if proxy is None:
            return ()
        return tuple(tenant.uri_prefix + XKS_SUFFIX for tenant in proxy.tenants)

    def site_credentials(self, hostname: str, uri_path: str) -> tuple[ProxyCredential, ...]:
        """The credentials a live site accepts on `uri_path`."""
        proxy = self.proxies.get(hostname)
        if proxy is None:
            return ()
        return tuple(
            ProxyCredential(c.access_key_id, c.secret_access_key)
            for tenant in proxy.tenants
            if tenant.uri_prefix + XKS_SUFFIX == uri_path
            for c in tenant.credentials
        )


def _site_config(site: ProxySite, region: str) -> FakeProxyConfig:
    config = FakeProxyConfig(region=region, faults=frozenset(site.faults), ping_port=None)
    if site.behaviour is ProxyBehaviour.ALL_EKMS_UNAVAILABLE:
        fleet = tuple(EkmNode(node.id, health_status="UNAVAILABLE") for node in config.ekm_fleet)
        config = dataclasses.replace(config, ekm_fleet=fleet)
    return config


def _world_proxies(site: ProxySite, proxy: RunningProxy) -> list[XksProxy]:
    keys = tuple(
        ExternalKey(
            key.key_id,
            state="ENABLED" if key.enabled else "DISABLED",
            usages=frozenset(key.usages),
        )
        for key in proxy.config.keys
    )
    return [
        XksProxy(
            site.endpoint,
            tenant.uri_prefix + XKS_SUFFIX,
            site.behaviour,
            credentials=tuple(
                ProxyCredential(c.access_key_id, c.secret_access_key) for c in tenant.credentials
            ),
            external_keys=keys,
        )
        for tenant in proxy.tenants
    ]


@contextmanager
def start_scenario(scenario: Scenario | None = None) -> Iterator[RunningScenario]:
    """Start the scenario's live proxies on loopback; stop them all on exit."""
    scenario = scenario or Scenario()
    cert_dir = Path(tempfile.mkdtemp(prefix="kscheck-scenario-"))
    proxies: dict[str, RunningProxy] = {}
    try:
        certificates = make_certificates(cert_dir, region=scenario.region)
        world_proxies: list[XksProxy] = []
        hosts: dict[str, ProxyAddress] = {}
        for site in scenario.sites:
            if not site.live:
                continue
            proxy = start_fake_proxy(_site_config(site, scenario.region), certificates=certificates)
            proxies[site.hostname] = proxy
            hosts[site.hostname] = ProxyAddress(
                proxy.base_url, proxy.ca_bundle_path, scenario.region
            )
            world_proxies.extend(_world_proxies(site, proxy))
        world = World(
            region=scenario.region,
            proxies=tuple(world_proxies),
            vpc_endpoint_services=scenario.services,
            clusters=scenario.clusters,
        )
        yield RunningScenario(scenario, world, XksNetwork(hosts), proxies)
    finally:
        for proxy in proxies.values():
            proxy.stop()
        shutil.rmtree(cert_dir, ignore_errors=True)
