"""How the emulator reaches XKS proxies: a host-name map onto loopback, and live probes.

KMS endpoints carry no port (``https://xks.example.com``) while the fake proxies listen on
free loopback ports, so the emulator keeps a map from endpoint host to a running proxy's
base URL and CA bundle. A probe sends a real signed GetHealthStatus (or GetKeyMetadata) and
classifies the answer into the model's :class:`ProxyBehaviour`, the way the spec digest's
§4.3 and §5.3 say KMS does.

>>> from conformance.emulator.network import endpoint_host
>>> endpoint_host("https://xks.kscheck.test")
'xks.kscheck.test'
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from conformance.model import ExternalKey, ProxyBehaviour
from conformance.xks.client import XksClient

#: KMS gives each proxy call 250 ms for TCP, TLS and HTTP together [SPEC §7]. The emulator's
#: default budget; a scenario may set another (see :class:`~conformance.emulator.Scenario`).
KMS_PROXY_TIMEOUT_SECONDS = 0.25
_XKS_PATH_SUFFIX = "/kms/xks/v1"


def endpoint_host(uri_endpoint: str) -> str:
    """The host of an ``https://host`` endpoint."""
    return uri_endpoint.removeprefix("https://").lower()


@dataclass(frozen=True)
class ProxyAddress:
    """Where a host name really answers: a loopback base URL and the CA that signed it."""

    base_url: str
    ca_bundle: Path
    region: str = "us-east-1"


class XksNetwork:
    """Host name -> proxy address; a host not in the map does not answer (unreachable).

    `timeout_seconds` is the budget of one proxy call: an answer that takes longer is a
    TIMEOUT, and the client stops waiting once a single read takes that long.
    """

    def __init__(
        self,
        hosts: Mapping[str, ProxyAddress],
        *,
        timeout_seconds: float = KMS_PROXY_TIMEOUT_SECONDS,
    ) -> None:
        self.hosts = {host.lower(): address for host, address in hosts.items()}
        self.timeout_seconds = timeout_seconds

    def _client(
        self, address: ProxyAddress, uri_path: str, access_key_id: str, secret: str
    ) -> XksClient:
        prefix = uri_path.removesuffix(_XKS_PATH_SUFFIX)
        return XksClient(
            address.base_url,
            prefix,
            access_key_id,
            secret,
            address.region,
            address.ca_bundle,
            timeout=self.timeout_seconds,
        )

    def probe_health(
        self,
        uri_endpoint: str,
        uri_path: str,
        access_key_id: str,
        secret: str,
        kms_operation: str = "CreateCustomKeyStore",
    ) -> ProxyBehaviour:
        """Send a signed GetHealthStatus and classify what came back.

        `kms_operation` is the KMS operation that triggered the call (requestMetadata).

        A timeout is confirmed by a second attempt, so one scheduling hiccup of a loaded
        machine does not turn a healthy proxy into a slow one; a slow proxy is slow twice.
        """
        probe = (uri_endpoint, uri_path, access_key_id, secret, kms_operation)
        behaviour = self._probe_health_once(*probe)
        if behaviour is ProxyBehaviour.TIMEOUT:
            behaviour = self._probe_health_once(*probe)
        return behaviour

    def _probe_health_once(
        self,
        uri_endpoint: str,
        uri_path: str,
        access_key_id: str,
        secret: str,
        kms_operation: str = "CreateCustomKeyStore",
    ) -> ProxyBehaviour:
        address = self.hosts.get(endpoint_host(uri_endpoint))
        if address is None:
            return ProxyBehaviour.UNREACHABLE
        with self._client(address, uri_path, access_key_id, secret) as client:
            started = time.monotonic()
            try:
                response = client.health(kms_operation=kms_operation)
            except requests.exceptions.SSLError:
                return ProxyBehaviour.BAD_TLS
            except requests.exceptions.Timeout:
                return ProxyBehaviour.TIMEOUT
            except (requests.exceptions.ConnectionError, ssl.SSLError):
                return ProxyBehaviour.UNREACHABLE
            except requests.exceptions.RequestException as error:
                if isinstance(error, ValueError):
                    raise  # the request itself is malformed (bad URL or header): the caller's
                return ProxyBehaviour.INVALID_RESPONSE  # e.g. a broken chunked answer
            if time.monotonic() - started > self.timeout_seconds:
                return ProxyBehaviour.TIMEOUT
        return classify_health(response.status, response.json, response.error_name)

    def probe_key(
        self, uri_endpoint: str, uri_path: str, access_key_id: str, secret: str, key_id: str
    ) -> ExternalKey | None:
        """GetKeyMetadata for `key_id`: the key as the proxy describes it, or None."""
        address = self.hosts.get(endpoint_host(uri_endpoint))
        if address is None:
            return None
        with self._client(address, uri_path, access_key_id, secret) as client:
            try:
                response = client.get_key_metadata(key_id, kms_operation="CreateKey")
            except requests.exceptions.RequestException:
                return None
        body = response.json
        if response.status != 200 or not isinstance(body, dict):
            return None
        usages = body.get("keyUsage")
        return ExternalKey(
            key_id,
            key_spec=str(body.get("keySpec")),
            state=str(body.get("keyStatus")),
            usages=frozenset(str(u) for u in usages) if isinstance(usages, list) else frozenset(),
        )


def classify_health(status: int, body: object, error_name: str | None) -> ProxyBehaviour:
    """The model's behaviour for a GetHealthStatus answer (spec digest §4.3, §6)."""
    if status == 401:
        return ProxyBehaviour.WRONG_CREDENTIALS
    if status == 404 and error_name == "InvalidUriPathException":
        return ProxyBehaviour.WRONG_URI_PATH
    if status == 403:
        return ProxyBehaviour.ACCESS_DENIED
    if status in (429, 503):
        return ProxyBehaviour.UNREACHABLE
    if status != 200 or not isinstance(body, dict):
        return ProxyBehaviour.INVALID_RESPONSE
    fleet = body.get("ekmFleetDetails")
    if not isinstance(fleet, list) or not fleet:
        return ProxyBehaviour.INVALID_RESPONSE
    statuses = [node.get("healthStatus") if isinstance(node, dict) else None for node in fleet]
    if all(s == "UNAVAILABLE" for s in statuses):
        return ProxyBehaviour.ALL_EKMS_UNAVAILABLE
    return ProxyBehaviour.HEALTHY
