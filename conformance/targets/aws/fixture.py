"""The fixture store: one long-lived external key store per account for every run's keys.

A KMS key pins its store until the key's 7-30 day waiting period ends, so a run that made
keys in fresh stores would fill the 10-store quota within days. Keys therefore go into one
store named ``kscheck_fixture`` (never the run prefix, never swept), found by name, created
when missing from a healthy proxy of the world, connected and settled before use. Every key
a run creates is scheduled for deletion at the 7-day minimum by the target's cleanup.

>>> from conformance.model import ProxyCredential, XksProxy
>>> proxy = XksProxy("https://xks.example.com", "/kms/xks/v1",
...                  credentials=(ProxyCredential("A" * 20, "s" * 43),))
>>> request = FixtureConfig.from_proxy(proxy).create_request()
>>> request["CustomKeyStoreName"], request["XksProxyConnectivity"]
('kscheck_fixture', 'PUBLIC_ENDPOINT')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.model import ProxyBehaviour, ProxyCredential, XksProxy
from conformance.targets.aws.account import FIXTURE_STORE_NAME, AwsFenceError
from conformance.targets.timing import NOT_FOUND, Call, Timing, wait_for_state

CONNECT_ATTEMPTS = 2


class FixtureError(AwsFenceError):
    """The fixture store could not be found, created or connected."""


@dataclass(frozen=True)
class FixtureConfig:
    """Where the fixture store's proxy is and the credential it accepts (redacted repr)."""

    uri_endpoint: str
    uri_path: str
    credential: ProxyCredential
    connectivity: str = "PUBLIC_ENDPOINT"
    vpc_endpoint_service_name: str | None = None
    vpc_endpoint_service_owner: str | None = None

    @classmethod
    def from_proxy(cls, proxy: XksProxy) -> FixtureConfig:
        """A public-endpoint fixture on a healthy proxy of the world, with its first
        credential."""
        if proxy.behaviour is not ProxyBehaviour.HEALTHY:
            raise FixtureError(f"the fixture needs a healthy proxy; {proxy.uri_endpoint} is not")
        if not proxy.credentials:
            raise FixtureError(f"the fixture proxy {proxy.uri_endpoint} names no credential")
        return cls(proxy.uri_endpoint, proxy.uri_path, proxy.credentials[0])

    def _proxy_members(self) -> dict[str, Any]:
        members: dict[str, Any] = {
            "XksProxyUriEndpoint": self.uri_endpoint,
            "XksProxyUriPath": self.uri_path,
            "XksProxyAuthenticationCredential": {
                "AccessKeyId": self.credential.access_key_id,
                "RawSecretAccessKey": self.credential.raw_secret_access_key,
            },
            "XksProxyConnectivity": self.connectivity,
        }
        if self.vpc_endpoint_service_name is not None:
            members["XksProxyVpcEndpointServiceName"] = self.vpc_endpoint_service_name
        if self.vpc_endpoint_service_owner is not None:
            members["XksProxyVpcEndpointServiceOwner"] = self.vpc_endpoint_service_owner
        return members

    def create_request(self) -> dict[str, Any]:
        """CreateCustomKeyStore for the fixture."""
        return {
            "CustomKeyStoreName": FIXTURE_STORE_NAME,
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            **self._proxy_members(),
        }

    def update_request(self, store_id: str) -> dict[str, Any]:
        """UpdateCustomKeyStore that points an existing (disconnected) fixture here."""
        return {"CustomKeyStoreId": store_id, **self._proxy_members()}


def find_fixture(call: Call) -> Mapping[str, Any] | None:
    """The fixture's Describe entry (by name), or None when the account has none."""
    seen = call("DescribeCustomKeyStores", {"CustomKeyStoreName": FIXTURE_STORE_NAME})
    if seen.error_code == NOT_FOUND:
        return None
    if not seen.succeeded:
        raise FixtureError(f"finding {FIXTURE_STORE_NAME}: {seen.describe()}")
    entries = (seen.response or {}).get("CustomKeyStores") or []
    return entries[0] if entries else None


def ensure_fixture(
    call: Call,
    config: FixtureConfig,
    timing: Timing,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The fixture store's ID, CONNECTED: found by name or created, then connected."""
    entry = find_fixture(call)
    if entry is None:
        created = call("CreateCustomKeyStore", config.create_request())
        if not created.succeeded:
            entry = find_fixture(call)  # a 5xx may hide a store that was created
            if entry is None:
                raise FixtureError(f"creating {FIXTURE_STORE_NAME}: {created.describe()}")
            store_id = str(entry["CustomKeyStoreId"])
        else:
            store_id = str((created.response or {})["CustomKeyStoreId"])
    else:
        store_id = str(entry["CustomKeyStoreId"])

    def seen_as(wanted: frozenset[str | None]) -> str | None:
        limit = timing.connect_deadline_xks + timing.visibility_seconds
        return wait_for_state(
            call, store_id, wanted, limit, timing.poll_seconds, clock=clock, sleep=sleep
        )

    settled = frozenset({"CONNECTED", "FAILED", "DISCONNECTED"})
    state = seen_as(settled)
    for attempt in range(CONNECT_ATTEMPTS):
        if state == "CONNECTED":
            return store_id
        if state == "FAILED":
            call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
            state = seen_as(frozenset({"DISCONNECTED"}))
        if state == "DISCONNECTED":
            if attempt > 0:  # the first connect failed: point it at the given proxy
                call("UpdateCustomKeyStore", config.update_request(store_id))
            call("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
            state = seen_as(frozenset({"CONNECTED", "FAILED"}))
    if state == "CONNECTED":
        return store_id
    raise FixtureError(f"{FIXTURE_STORE_NAME} ({store_id}) did not connect: it is {state}")
