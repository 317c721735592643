"""moto implements no custom key store operation: both moto targets must say UNSUPPORTED,
while an operation moto does implement is observed as a success (so the classification is
not simply "everything is unsupported")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.targets.moto_targets import InProcessMotoTarget, MotoServerTarget


@pytest.fixture(params=["moto", "moto-server"])
def moto_target(request: pytest.FixtureRequest) -> Iterator[InProcessMotoTarget | MotoServerTarget]:
    target = InProcessMotoTarget() if request.param == "moto" else MotoServerTarget()
    try:
        yield target
    finally:
        target.close()


def test_moto_reports_custom_key_store_operations_as_unsupported(
    moto_target: InProcessMotoTarget | MotoServerTarget,
) -> None:
    observation = moto_target.call("DescribeCustomKeyStores", {})
    assert observation.unsupported, observation
    assert not observation.succeeded


def test_moto_reports_implemented_operations_as_success(
    moto_target: InProcessMotoTarget | MotoServerTarget,
) -> None:
    observation = moto_target.call("ListKeys", {})
    assert observation.succeeded, observation
    assert observation.http_status == 200


def test_client_side_validation_is_observed_without_a_request(
    moto_target: InProcessMotoTarget | MotoServerTarget,
) -> None:
    observation = moto_target.call("CreateCustomKeyStore", {})
    assert observation.error_code == "ParamValidationError"
