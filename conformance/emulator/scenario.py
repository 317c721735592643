"""The explicit world of a run, and the live fake proxies that make it real.

A :class:`Scenario` says what every backend does: which host names answer as XKS proxies
and how (healthy, slow, bad TLS, garbled, every EKM down), which VPC endpoint services and
CloudHSM clusters exist. :func:`start_scenario` starts one fake proxy per live site and
returns both views of the same description: the reference model's :class:`World` (for the
checker's predictions) and an :class:`XksNetwork` (for the emulator, which learns by probing).

The emulator judges a proxy TIMEOUT by the clock, against the scenario's
``proxy_timeout_seconds`` (KMS's 250 ms by default). The slow site answers
``SLOW_SITE_FACTOR`` times later than that budget, so it stays far beyond it whatever the
budget; a loaded machine can only make answers later, so a generous budget (set with the
``KSCHECK_PROXY_TIMEOUT_MS`` environment variable when no scenario is given, as the
self-tests do) keeps the healthy sites healthy without making the slow one fast.

>>> [site.hostname for site in DEFAULT_SITES][:2]
['xks-healthy.kscheck.test', 'xks-second.kscheck.test']
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conformance.emulator.network import KMS_PROXY_TIMEOUT_SECONDS, ProxyAddress, XksNetwork
from conformance.model import (
    CloudHsmCluster,
    ExternalKey,
    ProxyBehaviour,
    ProxyCredential,
    VpcEndpointService,
    World,
    XksProxy,
)
from conformance.model.world import DEFAULT_ACCOUNT
from conformance.xks.certs import make_certificates
from conformance.xks.config import EkmNode, FakeProxyConfig
from conformance.xks.server import RunningProxy, start_fake_proxy

XKS_SUFFIX = "/kms/xks/v1"
OTHER_ACCOUNT = "444455556666"
SLOW_SITE_FACTOR = 4
"""How many budgets late the slow site answers."""
TIMEOUT_VARIABLE = "KSCHECK_PROXY_TIMEOUT_MS"
"""Environment variable: the proxy budget of the default scenario, in milliseconds."""


@dataclass(frozen=True)
class ProxySite:
    """A host name and what answers there. `faults` are fake-proxy fault names."""

    hostname: str
    behaviour: ProxyBehaviour
    faults: tuple[str, ...] = ()
    live: bool = True
    fixture: bool = False
    """Reserved for a real account's long-lived fixture store (no check builds on it)."""

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
    ProxySite("xks-fixture.kscheck.test", ProxyBehaviour.HEALTHY, fixture=True),
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
    """Everything outside KMS for one run (see the module docstring).

    >>> Scenario().proxy_timeout_seconds, Scenario().slow_site_delay_seconds
    (0.25, 1.0)
    >>> Scenario.from_environment({"KSCHECK_PROXY_TIMEOUT_MS": "1500"}).proxy_timeout_seconds
    1.5
    """

    sites: tuple[ProxySite, ...] = DEFAULT_SITES
    services: tuple[VpcEndpointService, ...] = DEFAULT_SERVICES
    clusters: tuple[CloudHsmCluster, ...] = DEFAULT_CLUSTERS
    region: str = "us-east-1"
    proxy_timeout_seconds: float = KMS_PROXY_TIMEOUT_SECONDS
    account_id: str = DEFAULT_ACCOUNT
    """The caller's account: owner of the scenario's own VPC endpoint services."""
    routes: tuple[tuple[str, str, str], ...] = ()
    """Proxies outside the scenario the emulator reaches: (host name, loopback base URL, CA
    bundle path), e.g. a separately started ``kscheck proxy --tenants`` rig."""

    def __post_init__(self) -> None:
        if not self.proxy_timeout_seconds > 0:
            raise ValueError(f"proxy_timeout_seconds {self.proxy_timeout_seconds}: not positive")

    @property
    def slow_site_delay_seconds(self) -> float:
        """How late a site whose behaviour is TIMEOUT answers: far beyond the budget."""
        return SLOW_SITE_FACTOR * self.proxy_timeout_seconds

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Scenario:
        """The default scenario, with the budget of ``KSCHECK_PROXY_TIMEOUT_MS`` if set."""
        value = (os.environ if environ is None else environ).get(TIMEOUT_VARIABLE, "")
        if not value:
            return cls()
        try:
            milliseconds = float(value)
        except ValueError:
            raise ValueError(f"{TIMEOUT_VARIABLE}={value!r}: not a number") from None
        return cls(proxy_timeout_seconds=milliseconds / 1000)


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


def _site_config(site: ProxySite, scenario: Scenario) -> FakeProxyConfig:
    config = FakeProxyConfig(
        region=scenario.region,
        faults=frozenset(site.faults),
        ping_port=None,
        slow_delay_seconds=scenario.slow_site_delay_seconds,
    )
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
    """Start the scenario's live proxies on loopback; stop them all on exit.

    Without a scenario, the default one with the budget of ``KSCHECK_PROXY_TIMEOUT_MS``.
    """
    scenario = scenario or Scenario.from_environment()
    cert_dir = Path(tempfile.mkdtemp(prefix="kscheck-scenario-"))
    proxies: dict[str, RunningProxy] = {}
    try:
        certificates = make_certificates(cert_dir, region=scenario.region)
        world_proxies: list[XksProxy] = []
        hosts: dict[str, ProxyAddress] = {}
        for site in scenario.sites:
            if not site.live:
                continue
            proxy = start_fake_proxy(_site_config(site, scenario), certificates=certificates)
            proxies[site.hostname] = proxy
            hosts[site.hostname] = ProxyAddress(
                proxy.base_url, proxy.ca_bundle_path, scenario.region
            )
            world_proxies.extend(_world_proxies(site, proxy))
        for host, base_url, ca_bundle in scenario.routes:
            hosts[host] = ProxyAddress(base_url, Path(ca_bundle), scenario.region)
        world = World(
            account_id=scenario.account_id,
            region=scenario.region,
            proxies=tuple(world_proxies),
            vpc_endpoint_services=tuple(
                dataclasses.replace(s, owner=scenario.account_id)
                if s.owner == DEFAULT_ACCOUNT
                else s
                for s in scenario.services
            ),
            clusters=scenario.clusters,
        )
        network = XksNetwork(hosts, timeout_seconds=scenario.proxy_timeout_seconds)
        yield RunningScenario(scenario, world, network, proxies)
    finally:
        for proxy in proxies.values():
            proxy.stop()
        shutil.rmtree(cert_dir, ignore_errors=True)
