"""The emulator service answers operations it does not model with a KMS-style error."""

from __future__ import annotations

import pytest

from conformance.emulator.network import XksNetwork
from conformance.emulator.service import EmulatorService
from conformance.model import World


@pytest.mark.parametrize("operation", ["Encrypt", "DescribeKey", "create_custom_key_store"])
def test_an_operation_the_model_does_not_serve_is_an_unknown_operation(operation: str) -> None:
    service = EmulatorService(World(), XksNetwork({}))
    status, body = service.handle(operation, {})
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert service.handle("DescribeCustomKeyStores", {})[0] == 200
