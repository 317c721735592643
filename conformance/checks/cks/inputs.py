"""Requests bound to the scenario's backends: real host names, paths and credentials.

Valid store configurations need a world that serves them; here that world is the
scenario, so endpoints, paths and credentials come from its live proxies, service names
from its VPC endpoint services, cluster IDs from its clusters. Names come from the
botocore-derived strategies.

>>> ScenarioInputs.__name__
'ScenarioInputs'
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.emulator.scenario import OTHER_ACCOUNT, RunningScenario
from conformance.model import ProxyBehaviour
from strategies.secrets import hidden_secret

HEALTHY = ProxyBehaviour.HEALTHY
WRONG_SECRET = hidden_secret("RawSecretAccessKey", "W" * 43)
WRONG_ACCESS_KEY_ID = "WRONGWRONGWRONGWRONG"


class ScenarioInputs:
    """Store configurations and update requests for one running scenario."""

    def __init__(self, scenario: RunningScenario) -> None:
        self.scenario = scenario
        self.sites = {site.hostname: site for site in scenario.scenario.sites}

    # ------------------------------------------------------------------ building blocks
    def site(self, behaviour: ProxyBehaviour, index: int = 0) -> str:
        """The host name of the `index`-th site with this behaviour."""
        hosts = [h for h, s in self.sites.items() if s.behaviour is behaviour]
        return hosts[index]

    def credential(self, host: str, path: str, index: int = 0) -> dict[str, str]:
        """A credential the site accepts on `path` (a made-up one if it has none)."""
        accepted = self.scenario.site_credentials(host, path)
        if not accepted:
            return {"AccessKeyId": WRONG_ACCESS_KEY_ID, "RawSecretAccessKey": WRONG_SECRET}
        chosen = accepted[index % len(accepted)]
        return {
            "AccessKeyId": chosen.access_key_id,
            # a live proxy's real secret: drawn configs are printed in counterexamples
            "RawSecretAccessKey": hidden_secret("RawSecretAccessKey", chosen.raw_secret_access_key),
        }

    def path(self, host: str, index: int = 0) -> str:
        """A path the site serves (the bare ``/kms/xks/v1`` if it serves none)."""
        paths = self.scenario.site_paths(host)
        return paths[index % len(paths)] if paths else "/kms/xks/v1"

    # ------------------------------------------------------------------ configurations
    def public_config(
        self, name: str, host: str, *, path_index: int = 0, credential: Any = None
    ) -> dict[str, Any]:
        """A PUBLIC_ENDPOINT XKS configuration for `host`."""
        path = self.path(host, path_index)
        return {
            "CustomKeyStoreName": name,
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyUriEndpoint": f"https://{host}",
            "XksProxyUriPath": path,
            "XksProxyAuthenticationCredential": credential or self.credential(host, path),
        }

    def vpc_config(
        self, name: str, service_index: int = 0, *, owner: bool = True
    ) -> dict[str, Any]:
        """A VPC_ENDPOINT_SERVICE XKS configuration for the `service_index`-th service."""
        service = self.scenario.world.vpc_endpoint_services[service_index]
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
        if owner or service.owner == OTHER_ACCOUNT:
            config["XksProxyVpcEndpointServiceOwner"] = service.owner
        return config

    def cloudhsm_config(
        self, name: str, cluster_index: int = 0, *, password: str | None = None
    ) -> dict[str, Any]:
        """A CloudHSM configuration for the `cluster_index`-th cluster."""
        cluster = self.scenario.world.clusters[cluster_index]
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
        for host, site in sorted(self.sites.items()):
            if site.behaviour is HEALTHY:
                for index in range(len(self.scenario.site_paths(host))):
                    name = f"{prefix}-{len(configs)}"
                    configs.append(self.public_config(name, host, path_index=index))
        families: set[str] = set()
        for index, cluster in enumerate(self.scenario.world.clusters):
            if cluster.ready_for_keys and cluster.family not in families:
                families.add(cluster.family)
                configs.append(self.cloudhsm_config(f"{prefix}-{len(configs)}", index))
        return configs

    # ------------------------------------------------------------------ strategies
    def store_configs(self, names: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
        """Configurations of every kind, healthy or not, the scenario can answer for."""
        hosts = sorted(self.sites)
        services = range(len(self.scenario.world.vpc_endpoint_services))
        clusters = range(len(self.scenario.world.clusters))
        public = st.builds(
            lambda name, host, p, c: self.public_config(
                name,
                host,
                path_index=p,
                credential=None
                if c < 2 or self.sites[host].behaviour is not HEALTHY
                else {"AccessKeyId": WRONG_ACCESS_KEY_ID, "RawSecretAccessKey": WRONG_SECRET},
            ),
            names,
            st.sampled_from(hosts),
            st.integers(0, 1),
            st.integers(0, 2),
        )
        vpc = st.builds(self.vpc_config, names, st.sampled_from(services), owner=st.booleans())
        hsm = st.builds(
            self.cloudhsm_config,
            names,
            st.sampled_from(clusters),
            password=st.sampled_from([None, hidden_secret("KeyStorePassword", "wrong-password")]),
        )
        return st.one_of(public, vpc, hsm)
