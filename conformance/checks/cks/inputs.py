"""Requests bound to a target's backends: real endpoints, paths, credentials, services, clusters.

Valid store configurations need a world that serves them. :class:`BackendInputs` takes the
target's :class:`~conformance.targets.backends.Backends` (the embedded emulator's scenario, or
a world file) and picks what a check asks for by what it does (a place answering TIMEOUT, a
VPC service owned by another account, a cluster sharing backup history with another). When
the world lacks it, the check is skipped with the missing world entry named. Names come from
the botocore-derived strategies.

>>> from conformance.model import World
>>> from conformance.targets.backends import Backends
>>> inputs = BackendInputs(Backends(World()))
>>> try:
...     inputs.place(ProxyBehaviour.TIMEOUT)
... except BaseException as skipped:
...     print(skipped)
the world has no xks_proxies entry with behaviour TIMEOUT
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import pytest
from hypothesis import strategies as st

from conformance.model import CloudHsmCluster, ProxyBehaviour, VpcEndpointService
from conformance.targets.backends import DEFAULT_URI_PATH, Backends, ProxyPlace
from strategies.secrets import hidden_secret

HEALTHY = ProxyBehaviour.HEALTHY
WRONG_SECRET = hidden_secret("RawSecretAccessKey", "W" * 43)
WRONG_ACCESS_KEY_ID = "WRONGWRONGWRONGWRONG"


def missing(entry: str) -> NoReturn:
    """Skip the check: the world has no `entry` (e.g. "xks_proxies entry with behaviour X")."""
    pytest.skip(f"the world has no {entry}")


class BackendInputs:
    """Store configurations and update requests for one target's backends."""

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self.world = backends.world

    # ------------------------------------------------------------------ places
    def place(self, behaviour: ProxyBehaviour, index: int = 0) -> ProxyPlace:
        """The `index`-th place answering with `behaviour` (skips when there is none)."""
        places = self.backends.places_with(behaviour)
        if len(places) <= index:
            count = "" if index == 0 else f" (a {index + 1}th one)"
            missing(f"xks_proxies entry with behaviour {behaviour.value}{count}")
        return places[index]

    def site(self, behaviour: ProxyBehaviour, index: int = 0) -> str:
        """The host of :meth:`place` (the former interface; prefer the place itself, whose
        path answers with `behaviour` even on a host that serves several)."""
        return self.place(behaviour, index).host

    def second_healthy_host(self) -> str:
        """A host with a healthy place other than the first healthy place's host."""
        first = self.place(HEALTHY).host
        hosts = [p.host for p in self.backends.places_with(HEALTHY) if p.host != first]
        if not hosts:
            missing("second xks_proxies host with behaviour HEALTHY")
        return hosts[0]

    def credential(self, host: str, path: str, index: int = 0) -> dict[str, str]:
        """A credential the place accepts (a made-up one if it lists none)."""
        place = self.backends.place(host, path)
        accepted = place.credentials if place is not None else ()
        if not accepted:
            return {"AccessKeyId": WRONG_ACCESS_KEY_ID, "RawSecretAccessKey": WRONG_SECRET}
        chosen = accepted[index % len(accepted)]
        return {
            "AccessKeyId": chosen.access_key_id,
            # a live proxy's real secret: drawn configs are printed in counterexamples
            "RawSecretAccessKey": hidden_secret("RawSecretAccessKey", chosen.raw_secret_access_key),
        }

    def path(self, host: str, index: int = 0) -> str:
        """A path served on `host` (the bare ``/kms/xks/v1`` if it serves none)."""
        paths = [p.uri_path for p in self.backends.places_at(host)]
        return paths[index % len(paths)] if paths else DEFAULT_URI_PATH

    def _paths_like(self, place: ProxyPlace) -> list[str]:
        """`place`'s path first, then the other paths on its host with its behaviour."""
        same = [
            p.uri_path
            for p in self.backends.places_at(place.host)
            if p.behaviour is place.behaviour and p.uri_path != place.uri_path
        ]
        return [place.uri_path, *same]

    # ------------------------------------------------------------------ configurations
    def public_config(
        self,
        name: str,
        where: ProxyPlace | str,
        *,
        path_index: int = 0,
        credential: Any = None,
    ) -> dict[str, Any]:
        """A PUBLIC_ENDPOINT XKS configuration for a place, or for a host by path index.

        With a place, `path_index` 0 is its own path and higher ones the other paths on its
        host that answer alike; with a host, the host's paths in order.
        """
        if isinstance(where, ProxyPlace):
            host, paths = where.host, self._paths_like(where)
            path = paths[path_index % len(paths)]
        else:
            host, path = where, self.path(where, path_index)
        return {
            "CustomKeyStoreName": name,
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyUriEndpoint": f"https://{host}",
            "XksProxyUriPath": path,
            "XksProxyAuthenticationCredential": credential or self.credential(host, path),
        }

    def service_index(
        self,
        behaviour: ProxyBehaviour | None = HEALTHY,
        *,
        own: bool | None = True,
        conformant: bool = True,
    ) -> int:
        """The first VPC endpoint service whose private DNS name answers with `behaviour`
        (None: any), owned by this account (`own`; None: any owner), conformant or not."""
        for index, service in enumerate(self.world.vpc_endpoint_services):
            answers = self.backends.behaviour_at(service.private_dns_name)
            if (
                (behaviour is None or answers is behaviour)
                and (own is None or (service.owner == self.world.account_id) is own)
                and service.conformant is conformant
            ):
                return index
        wanted = [
            "" if conformant else "non-conformant ",
            "" if own is None else ("own " if own else "other account's "),
        ]
        how = f" whose private DNS name answers {behaviour.value}" if behaviour else ""
        missing(f"{''.join(wanted)}vpc_endpoint_services entry{how}")

    def vpc_config(
        self, name: str, service_index: int = 0, *, owner: bool = True
    ) -> dict[str, Any]:
        """A VPC_ENDPOINT_SERVICE XKS configuration for the `service_index`-th service."""
        services = self.world.vpc_endpoint_services
        if len(services) <= service_index:
            missing("vpc_endpoint_services entry")
        service: VpcEndpointService = services[service_index]
        host = service.private_dns_name
        path = self.path(host)
        config: dict[str, Any] = {
            "CustomKeyStoreName": name,
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
            "XksProxyUriEndpoint": f"https://{host}",
            "XksProxyUriPath": path,
            "XksProxyVpcEndpointServiceName": service.service_name,
            "XksProxyAuthenticationCredential": self.credential(host, path),
        }
        if owner or service.owner != self.world.account_id:
            config["XksProxyVpcEndpointServiceOwner"] = service.owner
        return config

    def cluster_index(self, description: str, wanted: Callable[[CloudHsmCluster], bool]) -> int:
        """The first CloudHSM cluster that is `wanted`; skips naming `description`."""
        for index, cluster in enumerate(self.world.clusters):
            if wanted(cluster):
                return index
        missing(f"cloudhsm_clusters entry {description}")

    def ready_cluster(self, index: int = 0) -> int:
        """The `index`-th cluster ready for keys (two active HSMs in two AZs)."""
        ready = [i for i, c in enumerate(self.world.clusters) if c.ready_for_keys]
        if len(ready) <= index:
            missing(f"cloudhsm_clusters entry ready for keys (#{index + 1})")
        return ready[index]

    def related_cluster(self, index: int) -> int:
        """Another cluster sharing backup history with the `index`-th (same family)."""
        family = self.world.clusters[index].family
        return self.cluster_index(
            f"sharing backup history with {self.world.clusters[index].cluster_id}",
            lambda c: c.family == family and c is not self.world.clusters[index],
        )

    def unrelated_cluster(self, index: int) -> int:
        """A cluster ready for keys in another backup family than the `index`-th."""
        family = self.world.clusters[index].family
        return self.cluster_index(
            f"ready for keys outside the backup family {family}",
            lambda c: c.ready_for_keys and c.family != family,
        )

    def cloudhsm_config(
        self, name: str, cluster_index: int = 0, *, password: str | None = None
    ) -> dict[str, Any]:
        """A CloudHSM configuration for the `cluster_index`-th cluster."""
        if len(self.world.clusters) <= cluster_index:
            missing("cloudhsm_clusters entry")
        cluster = self.world.clusters[cluster_index]
        return {
            "CustomKeyStoreName": name,
            "CloudHsmClusterId": cluster.cluster_id,
            "TrustAnchorCertificate": cluster.trust_anchor,
            "KeyStorePassword": hidden_secret(
                "KeyStorePassword", password or cluster.kmsuser_password
            ),
        }

    def coexisting_configs(self, prefix: str) -> list[dict[str, Any]]:
        """Configurations that can all exist at once in one account (more than the quota)."""
        configs: list[dict[str, Any]] = []
        for place in sorted(self.backends.places_with(HEALTHY), key=lambda p: p.host):
            configs.append(self.public_config(f"{prefix}-{len(configs)}", place))
        families: set[str] = set()
        for index, cluster in enumerate(self.world.clusters):
            if cluster.ready_for_keys and cluster.family not in families:
                families.add(cluster.family)
                configs.append(self.cloudhsm_config(f"{prefix}-{len(configs)}", index))
        return configs

    # ------------------------------------------------------------------ strategies
    def store_configs(self, names: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
        """Configurations of every kind, healthy or not, the backends can answer for."""
        hosts = sorted({p.host for p in self.backends.places if not p.fixture})
        services = range(len(self.world.vpc_endpoint_services))
        clusters = range(len(self.world.clusters))
        kinds: list[st.SearchStrategy[dict[str, Any]]] = []
        if hosts:
            kinds.append(
                st.builds(
                    lambda name, host, p, c: self.public_config(
                        name,
                        host,
                        path_index=p,
                        credential=None
                        if c < 2 or self.backends.behaviour_at(host) is not HEALTHY
                        else {
                            "AccessKeyId": WRONG_ACCESS_KEY_ID,
                            "RawSecretAccessKey": WRONG_SECRET,
                        },
                    ),
                    names,
                    st.sampled_from(hosts),
                    st.integers(0, 1),
                    st.integers(0, 2),
                )
            )
        if services:
            kinds.append(
                st.builds(self.vpc_config, names, st.sampled_from(services), owner=st.booleans())
            )
        if clusters:
            kinds.append(
                st.builds(
                    self.cloudhsm_config,
                    names,
                    st.sampled_from(clusters),
                    password=st.sampled_from(
                        [None, hidden_secret("KeyStorePassword", "wrong-password")]
                    ),
                )
            )
        if not kinds:
            missing("xks_proxies, vpc_endpoint_services or cloudhsm_clusters entry")
        return st.one_of(kinds)


ScenarioInputs = BackendInputs
"""The former name (the inputs once came only from the emulator's scenario)."""
