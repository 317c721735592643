"""The emulator service answers operations it does not model with a KMS-style error."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.emulator.network import XksNetwork
from conformance.emulator.service import EmulatorService
from conformance.model import World


@pytest.mark.parametrize("operation", ["Encrypt", "ListKeys", "create_custom_key_store"])
def test_an_operation_the_model_does_not_serve_is_an_unknown_operation(operation: str) -> None:
    service = EmulatorService(World(), XksNetwork({}))
    status, body = service.handle(operation, {})
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert service.handle("DescribeCustomKeyStores", {})[0] == 200


def test_a_health_probe_names_the_kms_operation_that_triggered_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conformance.emulator.network import ProxyAddress
    from conformance.model import ProxyBehaviour
    from conformance.xks.client import XksClient
    from conformance.xks.server import start_fake_proxy

    sent: list[str] = []
    original = XksClient.health

    def recording_health(self: XksClient, kms_operation: str = "KmsHealthCheck") -> Any:
        sent.append(kms_operation)
        return original(self, kms_operation=kms_operation)

    monkeypatch.setattr(XksClient, "health", recording_health)
    with start_fake_proxy(ping_port=None) as proxy:
        host = {"xks.kscheck.test": ProxyAddress(proxy.base_url, proxy.ca_bundle_path)}
        network = XksNetwork(host, timeout_seconds=5.0)
        akid, secret = proxy.credentials[0]
        for operation in ("UpdateCustomKeyStore", "ConnectCustomKeyStore"):
            behaviour = network.probe_health(
                "https://xks.kscheck.test", proxy.api_root, akid, secret, operation
            )
            assert behaviour is ProxyBehaviour.HEALTHY
    assert sent == ["UpdateCustomKeyStore", "ConnectCustomKeyStore"]
