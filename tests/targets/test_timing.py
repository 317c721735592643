"""The settle helper: polls Describe by ID until a store leaves CONNECTING/DISCONNECTING,
with a deadline per store type. Against the emulator for the real path; a scripted Describe
with an injected clock for a store that never settles (the emulator always does)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from aws_rig import KmsRig, aws_target, module_rig, rig, sts_url, xks_request

from conformance.targets.observation import Observation
from conformance.targets.timing import Timing, wait_until_settled

__all__ = ["module_rig", "rig", "sts_url"]  # fixtures shared through aws_rig


def test_a_connect_settles_to_connected_and_a_delete_to_gone(rig: KmsRig) -> None:
    target = aws_target()
    proxy = rig.healthy_proxy("xks-healthy.kscheck.test")
    store = target.call("CreateCustomKeyStore", xks_request(proxy, "t")).response
    store_id = str(store["CustomKeyStoreId"])  # type: ignore[index]
    target.call("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert wait_until_settled(target.call, store_id, Timing.emulator()) == "CONNECTED"
    target.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert wait_until_settled(target.call, store_id, Timing.emulator()) == "DISCONNECTED"
    target.call("DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert wait_until_settled(target.call, store_id, Timing.emulator()) is None


def stuck(state: str, store_type: str, *then: str) -> Any:
    """A Describe that shows `state`, then each of `then` once per poll, then the last."""
    states = [state, *then]

    def call(operation: str, request: Mapping[str, Any]) -> Observation:
        shown = states.pop(0) if len(states) > 1 else states[0]
        entry = {"CustomKeyStoreId": "cks-1", "ConnectionState": shown}
        return Observation(
            operation, response={"CustomKeyStores": [{**entry, "CustomKeyStoreType": store_type}]}
        )

    return call


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(
    ("state", "store_type", "deadline"),
    [
        ("CONNECTING", "EXTERNAL_KEY_STORE", 600.0),
        ("CONNECTING", "AWS_CLOUDHSM", 1800.0),
        ("DISCONNECTING", "AWS_CLOUDHSM", 600.0),
    ],
)
def test_a_store_that_never_settles_is_returned_at_its_deadline(
    state: str, store_type: str, deadline: float
) -> None:
    timing, clock = Timing.aws(), Clock()
    seen = wait_until_settled(
        stuck(state, store_type), "cks-1", timing, clock=clock, sleep=clock.sleep
    )
    assert seen == state
    assert deadline <= clock.now < deadline + timing.poll_seconds


def test_a_transient_state_is_polled_until_it_ends() -> None:
    timing, clock = Timing.aws(), Clock()
    call = stuck("CONNECTING", "EXTERNAL_KEY_STORE", "CONNECTING", "FAILED")
    assert wait_until_settled(call, "cks-1", timing, clock=clock, sleep=clock.sleep) == "FAILED"
    assert clock.now == 2 * timing.poll_seconds
