"""Planning across a transient state: a store last seen CONNECTING or DISCONNECTING may have
settled by the time the next call reaches the service (OQ-29).

An operation on such a store is planned once on the store as last seen and once per possible
settlement; the branches are joined: success is acceptable if any branch allows it, the errors
are the union, and a rule that one branch says is broken while another allows success becomes
open (naming OQ-29). The observed outcome then follows a branch that accepts it, settling the
store as that branch assumed; the branch "as last seen" is preferred (it assumes nothing).

>>> from conformance.model import lifecycle
>>> from conformance.model.records import StoreRecord, Settlement
>>> from conformance.model.state import ModelState
>>> from conformance.model.world import World
>>> store = StoreRecord("cks-1", "a", "AWS_CLOUDHSM", state="DISCONNECTING",
...                     settlements=frozenset({Settlement("DISCONNECTED")}))
>>> state = ModelState(stores={"cks-1": store})
>>> plan = plan_across_settlements(lifecycle.plan_delete, World(), state, store, {
...     "CustomKeyStoreId": "cks-1"}, True)
>>> plan.expectation.describe(), plan.expectation.open_questions
('success or CustomKeyStoreInvalidStateException', ('OQ-29',))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.model import lifecycle
from conformance.model.outcomes import (
    Expectation,
    Mismatch,
    Outcome,
    ResponseCheck,
    RuleVerdict,
)
from conformance.model.records import Settlement, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.world import World

SETTLED_MEANWHILE = "OQ-29"
"""The open question of a transient state that may have settled before the call."""

STORE_STATE_OPERATIONS = frozenset(
    {
        "UpdateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
        "CreateKey",
    }
)
"""Operations whose outcome depends on the connection state of the store they name.
(DescribeCustomKeyStores and DescribeKey accept every settled state in their response check.)"""

Planner = Callable[[World, ModelState, object, bool], Plan]


@dataclass(frozen=True)
class Branch:
    """One way the store may be when the call arrives: as last seen (`settlement` None) or
    settled as `settlement`, and the plan for that case."""

    settlement: Settlement | None
    plan: Plan


def transient_store(state: ModelState, operation: str, request: object) -> StoreRecord | None:
    """The transient store whose state `operation` on `request` depends on, or None."""
    if operation not in STORE_STATE_OPERATIONS or not isinstance(request, Mapping):
        return None
    store_id = request.get("CustomKeyStoreId")
    store = state.stores.get(store_id) if isinstance(store_id, str) else None
    return store if store is not None and store.settlements else None


def _settled(state: ModelState, store_id: str, settlement: Settlement) -> ModelState:
    snapshot = state.snapshot()
    lifecycle.settle(snapshot, store_id, settlement)
    return snapshot


def _preference(settlement: Settlement) -> tuple[bool, str, str]:
    return (settlement.alternative, settlement.state, settlement.error_code or "")


def plan_across_settlements(
    planner: Planner,
    world: World,
    state: ModelState,
    store: StoreRecord,
    request: object,
    client_validation: bool,
) -> Plan:
    """The joined plan of `planner` over `store` as last seen and each of its settlements."""
    branches = [Branch(None, planner(world, state, request, client_validation))]
    for settlement in sorted(store.settlements, key=_preference):
        snapshot = _settled(state, store.store_id, settlement)
        branches.append(Branch(settlement, planner(world, snapshot, request, client_validation)))
    return join(store.store_id, branches)


@dataclass(frozen=True)
class EitherResponse:
    """A success response is acceptable if any success branch's check accepts it; when none
    does, the mismatches of the first (the store as last seen, when it allowed success)."""

    checks: tuple[ResponseCheck, ...]

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why no branch accepts `response` (empty when one does)."""
        found = [check.mismatches(response) for check in self.checks]
        return () if any(not m for m in found) else found[0]

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The rules the accepting branch's check exercised."""
        for check in self.checks:
            if not check.mismatches(response):
                return check.rules_judged(response)
        return ()


def _opened(verdict: RuleVerdict) -> RuleVerdict:
    return dataclasses.replace(
        verdict,
        success_allowed=True,
        open_questions=tuple(dict.fromkeys((*verdict.open_questions, SETTLED_MEANWHILE))),
    )


def _joined_expectation(branches: Sequence[Branch]) -> Expectation:
    found = [b.plan.expectation for b in branches]
    succeeding = [e for e in found if e.success]
    success = bool(succeeding)
    outcomes = {(e.success, e.errors) for e in found}
    verdicts = [v for e in found for v in e.verdicts]
    if success and len(outcomes) > 1:
        verdicts = [v if v.success_allowed else _opened(v) for v in verdicts]
    oqs = {oq for e in found for oq in e.open_questions}
    if len(outcomes) > 1:
        oqs.add(SETTLED_MEANWHILE)
    checks = [e.response for e in succeeding]
    response: ResponseCheck | None = None
    if checks and all(c is not None for c in checks):
        present = [c for c in checks if c is not None]
        response = present[0] if len(present) == 1 else EitherResponse(tuple(present))
    return Expectation(
        success=success,
        errors=frozenset().union(*(e.errors for e in found)),
        requirement_ids=tuple(dict.fromkeys(r for e in found for r in e.requirement_ids)),
        open_questions=tuple(sorted(oqs, key=lambda oq: int(oq.split("-")[1]))),
        response=response,
        verdicts=tuple(dict.fromkeys(verdicts)),
        success_rules=tuple(dict.fromkeys(r for e in succeeding for r in e.success_rules)),
    )


def join(store_id: str, branches: Sequence[Branch]) -> Plan:
    """One plan out of `branches` (the first: the store as last seen)."""

    def enter(target: ModelState, branch: Branch) -> None:
        if branch.settlement is not None and target.stores[store_id].settlements:
            lifecycle.settle(target, store_id, branch.settlement)

    def on_success(target: ModelState, outcome: Outcome) -> None:
        for branch in branches:
            if branch.plan.expectation.success and branch.plan.expectation.accepts(outcome):
                enter(target, branch)
                branch.plan.on_success(target, outcome)
                return

    def on_failure(target: ModelState, outcome: Outcome) -> None:
        for branch in branches:
            if branch.plan.expectation.allows(outcome.error):
                enter(target, branch)
                return

    return Plan(_joined_expectation(branches), on_success, on_failure)
