"""Connect, Disconnect and Delete: the connection state machine (digest §5).

CONNECTING and DISCONNECTING are transient; the model has no clock, so they end only when
:func:`settle` is called (or when a Describe shows the target settled).

>>> from conformance.model.records import StoreRecord
>>> from conformance.model.world import World
>>> s = ModelState(stores={"cks-1": StoreRecord("cks-1", "a", "AWS_CLOUDHSM", state="FAILED")})
>>> plan_connect(World(), s, {"CustomKeyStoreId": "cks-1"}, True).expectation.errors
frozenset({'CustomKeyStoreInvalidStateException'})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from conformance.model import backend, gate
from conformance.model.outcomes import Outcome, RuleVerdict
from conformance.model.records import (
    CONNECTED,
    CONNECTING,
    DISCONNECTED,
    DISCONNECTING,
    FAILED,
    Settlement,
    StoreRecord,
)
from conformance.model.state import ModelState, Plan
from conformance.model.world import World

INVALID_STATE = "CustomKeyStoreInvalidStateException"
NOT_FOUND = "CustomKeyStoreNotFoundException"


def invalid_state(
    rid: str, store: StoreRecord, detail: str = "", oq: tuple[str, ...] = (), allowed: bool = False
) -> RuleVerdict:
    """The store's state forbids the operation."""
    return RuleVerdict(
        rid,
        frozenset({INVALID_STATE}),
        allowed,
        oq,
        "CustomKeyStoreId",
        detail or f"store is {store.state}",
    )


def lookup(
    state: ModelState, request: Mapping[str, Any]
) -> tuple[StoreRecord | None, list[RuleVerdict]]:
    """The store named by ``CustomKeyStoreId``, or the NotFound verdict (CKS-STATE-006)."""
    store_id = request.get("CustomKeyStoreId")
    if store_id is None:
        return None, []
    store = state.stores.get(store_id)
    if store is None:
        return None, [
            RuleVerdict(
                "CKS-STATE-006",
                frozenset({NOT_FOUND}),
                False,
                (),
                "CustomKeyStoreId",
                "no such store",
            )
        ]
    return store, []


def _connect_rules(world: World, store: StoreRecord) -> list[RuleVerdict]:
    if store.state in (CONNECTED, CONNECTING):
        return [invalid_state("CKS-CONNECT-002", store, oq=("OQ-19",), allowed=True)]
    if store.state in (DISCONNECTING, FAILED):
        return [invalid_state("CKS-CONNECT-003", store)]
    if store.is_xks:
        return []
    cluster = world.cluster(store.cluster_id or "")
    if cluster is not None and not cluster.active:
        return [
            RuleVerdict(
                "CKS-CONNECT-006",
                frozenset({"CloudHsmClusterNotActiveException"}),
                False,
                (),
                "CloudHsmClusterId",
                "cluster not active",
            )
        ]
    if cluster is not None and (cluster.hsm_count < 1 or not cluster.network_ok):
        error = "CloudHsmClusterInvalidConfigurationException"
        return [
            RuleVerdict(
                "CKS-CONNECT-006",
                frozenset({error}),
                True,
                (),
                "CloudHsmClusterId",
                "may fail now or end FAILED",
            )
        ]
    return []


def plan_connect(world: World, state: ModelState, request: object, client_validation: bool) -> Plan:
    """Predict ConnectCustomKeyStore: DISCONNECTED -> CONNECTING (CKS-CONNECT-001..006)."""
    refused, (clean, shape) = gate.admit(
        "ConnectCustomKeyStore", request, client_validation=client_validation
    )
    if refused is not None:
        return refused
    store, rules = lookup(state, clean)
    if store is not None:
        rules += _connect_rules(world, store)

    def on_success(target: ModelState, outcome: Outcome) -> None:
        if store is None or store.state != DISCONNECTED:
            return  # OQ-19: a Connect accepted while CONNECTED/CONNECTING changes nothing
        settlements = backend.connection_settlements(world, store)
        target.stores[store.store_id] = dataclasses.replace(
            store,
            state=CONNECTING,
            error_code=None,
            settlements=settlements,
            failure_cleared=False,
        )

    return gate.conclude(shape, rules, requirement_ids=("CKS-CONNECT-001",), on_success=on_success)


def plan_disconnect(
    world: World, state: ModelState, request: object, client_validation: bool
) -> Plan:
    """Predict DisconnectCustomKeyStore: CONNECTED/CONNECTING/FAILED -> DISCONNECTING."""
    refused, (clean, shape) = gate.admit(
        "DisconnectCustomKeyStore", request, client_validation=client_validation
    )
    if refused is not None:
        return refused
    store, rules = lookup(state, clean)
    if store is not None and store.state in (DISCONNECTED, DISCONNECTING):
        rules.append(invalid_state("CKS-STATE-002", store))

    def on_success(target: ModelState, outcome: Outcome) -> None:
        if store is not None:
            target.stores[store.store_id] = dataclasses.replace(
                store,
                state=DISCONNECTING,
                error_code=None,
                settlements=frozenset({Settlement(DISCONNECTED)}),
                failure_cleared=store.failure_cleared or store.state == FAILED,
            )

    return gate.conclude(shape, rules, requirement_ids=("CKS-STATE-001",), on_success=on_success)


def plan_delete(world: World, state: ModelState, request: object, client_validation: bool) -> Plan:
    """Predict DeleteCustomKeyStore: only DISCONNECTED and without keys (CKS-STATE-003/007)."""
    refused, (clean, shape) = gate.admit(
        "DeleteCustomKeyStore", request, client_validation=client_validation
    )
    if refused is not None:
        return refused
    store, rules = lookup(state, clean)
    if store is not None:
        keys = state.keys_in(store.store_id)
        if store.state != DISCONNECTED:
            rules.append(invalid_state("CKS-STATE-003", store, oq=("OQ-20",) if keys else ()))
        if keys:
            # whether keys pending deletion still block Delete is open (digest §5.2 [infer],
            # OQ-20): with only such keys left, success is acceptable too
            all_pending = all(k.pending_deletion for k in keys)
            rules.append(
                RuleVerdict(
                    "CKS-STATE-004",
                    frozenset({"CustomKeyStoreHasCMKsException"}),
                    all_pending,
                    ("OQ-20",),
                    "CustomKeyStoreId",
                    f"{len(keys)} KMS key(s)" + (", all PendingDeletion" if all_pending else ""),
                )
            )

    def on_success(target: ModelState, outcome: Outcome) -> None:
        if store is not None:
            target.stores.pop(store.store_id, None)

    return gate.conclude(
        shape, rules, requirement_ids=("CKS-STATE-003", "CKS-STATE-005"), on_success=on_success
    )


def canonical_settlement(settlements: frozenset[Settlement]) -> Settlement:
    """The settlement a standalone model picks: CONNECTED/DISCONNECTED if possible, else the
    first specific failure (a documented alternative code only when nothing else is left)."""
    for final in (CONNECTED, DISCONNECTED):
        if Settlement(final) in settlements:
            return Settlement(final)
    return min(settlements, key=lambda s: (s.alternative, s.state, s.error_code or ""))


def settle(state: ModelState, store_id: str, settlement: Settlement | None = None) -> Settlement:
    """End the transient state of `store_id`, as `settlement` says or canonically.

    Raises ValueError if the store is not transient or `settlement` is not a possible end.
    """
    store = state.stores[store_id]
    if not store.settlements:
        raise ValueError(f"store {store_id} is {store.state}, not in a transient state")
    chosen = settlement or canonical_settlement(store.settlements)
    if chosen not in store.settlements:
        options = sorted(store.settlements, key=repr)
        raise ValueError(f"store {store_id} cannot settle as {chosen!r}; possible: {options!r}")
    state.stores[store_id] = dataclasses.replace(
        store, state=chosen.state, error_code=chosen.error_code, settlements=frozenset()
    )
    return chosen
