"""The model-based stateful check: random operation sequences, every answer judged.

A Hypothesis ``RuleBasedStateMachine`` holds the target and the reference model; store IDs
and key IDs live in bundles; after every step Describe must match the model. A mismatch
raises a RequirementViolation naming the rule, and Hypothesis shrinks the sequence to the
shortest program that still breaks it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from conformance.checks.cks.account import refresh_known_stores, seeded_model
from conformance.checks.cks.inputs import BackendInputs
from conformance.checks.cks.judge import judge, settle
from conformance.model import Outcome
from conformance.report.outcomes import WithheldOnTarget
from conformance.targets.factory import PreparedTarget
from strategies.configs import store_names
from strategies.updates import update_requests

EXTERNAL_KEY_IDS = ("foo", "encrypt_only_key", "disabled_key", "no_such_key")
STORE_OPERATIONS = ("ConnectCustomKeyStore", "DisconnectCustomKeyStore", "DeleteCustomKeyStore")


class CustomKeyStoreMachine(RuleBasedStateMachine):
    """The target and the model side by side; see the module docstring."""

    stores = Bundle("stores")
    keys = Bundle("keys")

    def __init__(self, prepared: PreparedTarget) -> None:
        super().__init__()
        reset = getattr(prepared.target, "reset", None)
        if reset is not None:
            reset()
        assert prepared.backends is not None
        self.target = prepared.target
        self.world = prepared.world
        refresh_known_stores(prepared)
        self.model = seeded_model(prepared)
        self.inputs = BackendInputs(prepared.backends)

    def _judge(self, operation: str, request: dict[str, Any]) -> Outcome:
        return judge(self.model, self.target, operation, request)

    def _names(self) -> st.SearchStrategy[str]:
        taken = sorted(s.name for s in self.model.stores.values() if not s.preexisting)
        return st.one_of(store_names(), st.sampled_from(taken)) if taken else store_names()

    @rule(target=stores, data=st.data())
    def create_a_store(self, data: st.DataObject) -> Any:
        config = data.draw(self.inputs.store_configs(self._names()), label="config")
        outcome = self._judge("CreateCustomKeyStore", config)
        return outcome.response["CustomKeyStoreId"] if outcome.succeeded else multiple()

    @rule(store=stores, data=st.data())
    def update_a_store(self, store: str, data: st.DataObject) -> None:
        record = self.model.stores.get(store)
        if record is None:
            request: dict[str, Any] = {"CustomKeyStoreId": store, "NewCustomKeyStoreName": "x"}
        else:
            others = tuple(s for s in self.model.stores.values() if s.store_id != store)
            case = data.draw(
                update_requests(record, world=self.world, others=others), label="update"
            )
            request = case.request
        self._judge("UpdateCustomKeyStore", request)

    @rule(store=stores, operation=st.sampled_from(STORE_OPERATIONS))
    def change_the_connection(self, store: str, operation: str) -> None:
        self._judge(operation, {"CustomKeyStoreId": store})

    @rule(store=stores)
    def wait_for_the_store_to_settle(self, store: str) -> None:
        settle(self.model, self.target, store)

    @rule(target=keys, store=stores, xks_key_id=st.sampled_from(EXTERNAL_KEY_IDS))
    def create_a_key(self, store: str, xks_key_id: str) -> Any:
        record = self.model.stores.get(store)
        request: dict[str, Any] = {"CustomKeyStoreId": store}
        if record is not None and record.is_xks:
            request.update(Origin="EXTERNAL_KEY_STORE", XksKeyId=xks_key_id)
        else:
            request["Origin"] = "AWS_CLOUDHSM"
        try:
            outcome = self._judge("CreateKey", request)
        except WithheldOnTarget:  # on AWS a key would pin this store for 7+ days: not sent
            return multiple()
        return outcome.response["KeyMetadata"]["KeyId"] if outcome.succeeded else multiple()

    @rule(key=keys, days=st.integers(7, 30))
    def schedule_a_key_deletion(self, key: str, days: int) -> None:
        self._judge("ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": days})

    @rule(key=keys)
    def describe_a_key(self, key: str) -> None:
        self._judge("DescribeKey", {"KeyId": key})

    @rule(limit=st.integers(1, 12))
    def describe_in_pages(self, limit: int) -> None:
        request: dict[str, Any] = {"Limit": limit}
        for _ in range(12):
            outcome = self._judge("DescribeCustomKeyStores", request)
            if not outcome.response.get("Truncated"):
                return
            request = {"Limit": limit, "Marker": outcome.response["NextMarker"]}

    @rule(store=stores, by_name=st.booleans())
    def describe_one_store(self, store: str, by_name: bool) -> None:
        record = self.model.stores.get(store)
        if by_name and record is not None:
            self._judge("DescribeCustomKeyStores", {"CustomKeyStoreName": record.name})
        else:
            self._judge("DescribeCustomKeyStores", {"CustomKeyStoreId": store})

    @invariant()
    def describe_matches_the_model(self) -> None:
        self._judge("DescribeCustomKeyStores", {})


@pytest.mark.requirement(
    "CKS-CREATE-009",
    "CKS-UNIQ-001",
    "CKS-UNIQ-002",
    "CKS-UPDATE-001",
    "CKS-UPDATE-003",
    "CKS-UPDATE-004",
    "CKS-UPDATE-005",
    "CKS-UPDATE-010",
    "CKS-STATE-004",
    "CKS-STATE-009",
    "CKS-KEY-002",
    "CKS-KEY-011",
    "CKS-HSM-001",
    "CKS-HSM-006",
)
def test_random_operation_sequences_match_the_model(
    prepared: PreparedTarget, inputs: BackendInputs
) -> None:
    run_state_machine_as_test(
        lambda: CustomKeyStoreMachine(prepared),  # type: ignore[arg-type]  # a factory works
        settings=settings(
            settings.default,
            stateful_step_count=25,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
