"""Drive generated cases through the reference model and say whether they agree.

A valid case must be accepted (success allowed, no open question other than the ones the
model attaches to checks that may not happen). An invalid case must be refused with an
error in its `Violation.expected_errors` when the model acts as the target, and the model's
prediction must agree: success only where the violation allows it, every expected error
among the model's acceptable ones, and the violation's requirement (or its open question)
among the model's reasons.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.model import Expectation, ReferenceModel, World
from strategies import (
    DescribeCase,
    InvalidStoreSetup,
    KeyCase,
    StoreSet,
    StoreSetup,
    UpdateCase,
    Violation,
    coexisting_store_sets,
    conflicting_store_sets,
    create_key_requests,
    describe_requests,
    invalid_store_configs,
    store_setups,
    update_requests,
)
from strategies.updates import STATES

BENIGN_OPEN_QUESTIONS = frozenset({"OQ-4", "OQ-7", "OQ-24"})
"""Open questions a valid request may carry: checks that may not happen, Describe details."""


def check_valid(expectation: Expectation, what: Any) -> None:
    """A valid request: success is the only acceptable outcome (bar benign open questions)."""
    assert expectation.success, f"model refuses a valid case: {expectation.describe()}\n{what!r}"
    extra = set(expectation.open_questions) - BENIGN_OPEN_QUESTIONS
    assert not extra or not expectation.errors, f"valid case is open ({extra}): {what!r}"


def check_invalid(expectation: Expectation, violation: Violation, what: Any) -> None:
    """An invalid request: refused as the violation says, and the model agrees."""
    where = f"{violation!r}\nmodel: {expectation.describe()} {expectation.requirement_ids}"
    assert violation.may_succeed or not expectation.success, f"model accepts: {where}\n{what!r}"
    assert violation.expected_errors <= expectation.errors, f"errors differ: {where}"
    chosen = expectation.canonical_error()
    # The model answers with a definitely broken rule first; a violation that may succeed
    # (an open question) can lose to another rule the request certainly breaks.
    decided_elsewhere = violation.may_succeed and chosen in expectation.errors
    assert chosen is None or violation.allows(chosen) or decided_elsewhere, (
        f"model would answer {chosen}: {where}"
    )
    reasons = {v.requirement_id for v in expectation.verdicts} | set(expectation.requirement_ids)
    assert violation.requirement_id in reasons or (
        set(violation.open_questions) & set(expectation.open_questions)
    ), f"requirement not among the model's reasons: {where}"


def judge(expectation: Expectation, violation: Violation | None, what: Any) -> None:
    """`check_valid` or `check_invalid` depending on `violation`."""
    if violation is None:
        check_valid(expectation, what)
    else:
        check_invalid(expectation, violation, what)


def run_setup(setup: StoreSetup) -> tuple[str, tuple[str, ...]]:
    """A valid configuration in its world: Create is accepted."""
    check_valid(ReferenceModel(setup.world).create_custom_key_store(setup.config), setup)
    return "valid_config", ()


def run_invalid(case: InvalidStoreSetup) -> tuple[str, tuple[str, ...]]:
    """An invalid configuration: Create is refused as its violation says."""
    model = ReferenceModel(case.world, client_validation=case.client_validation)
    check_invalid(model.create_custom_key_store(case.config), case.violation, case)
    return "invalid_config", case.violation.requirement_ids


def run_store_set(case: StoreSet) -> tuple[str, tuple[str, ...]]:
    """Existing stores are created, then the candidate is judged."""
    model = ReferenceModel(case.world)
    for config in case.existing:
        assert model.execute("CreateCustomKeyStore", config).succeeded, (config, case)
    judge(model.create_custom_key_store(case.candidate), case.violation, case)
    ids = case.violation.requirement_ids if case.violation else case.exercises
    return ("conflict" if case.violation else "coexisting"), ids


def bring_to(model: ReferenceModel, store_id: str, state: str) -> None:
    """Move a new (DISCONNECTED) store into `state` through the model's public operations."""
    world = model.world
    target = {"CustomKeyStoreId": store_id}
    if state == "FAILED":
        model.set_world(World(account_id=world.account_id, region=world.region))
    if state != "DISCONNECTED":
        model.execute("ConnectCustomKeyStore", target)
    if state in ("CONNECTED", "FAILED", "DISCONNECTING"):
        model.settle(store_id)
    model.set_world(world)
    if state == "DISCONNECTING":
        model.execute("DisconnectCustomKeyStore", target)
    assert model.stores[store_id].state == state, (model.stores[store_id], state)


@st.composite
def store_in_state(
    draw: st.DrawFn, kinds: st.SearchStrategy[Any] | None = None, state: str | None = None
) -> tuple[ReferenceModel, str]:
    """A model holding one created store (of `kinds`), moved into `state` (or a drawn one)."""
    setup = draw(store_setups(kinds))
    model = ReferenceModel(setup.world)
    store_id = str(model.execute("CreateCustomKeyStore", setup.config).response["CustomKeyStoreId"])
    bring_to(model, store_id, state or draw(st.sampled_from(STATES)))
    return model, store_id


@st.composite
def update_scenarios(
    draw: st.DrawFn,
    kinds: st.SearchStrategy[Any] | None = None,
    state: str | None = None,
    group: str | None = None,
) -> tuple[ReferenceModel, UpdateCase]:
    """A store in some state and an Update case for it; the world serves the new values."""
    model, store_id = draw(store_in_state(kinds, state))
    store = model.stores[store_id]
    case = draw(update_requests(store, store.state, model.world, group=group))
    model.set_world(case.world(model.world))
    return model, case


def run_update(scenario: tuple[ReferenceModel, UpdateCase]) -> tuple[str, tuple[str, ...]]:
    """An Update case is judged by the model holding its store."""
    model, case = scenario
    # the label is the state table's cell: the store exactly as it is, not settled (OQ-29)
    expectation = model.predict("UpdateCustomKeyStore", case.request, as_last_seen=True)
    judge(expectation, case.violation, case)
    return "update", case.violation.requirement_ids if case.violation else ()


@st.composite
def describe_scenarios(draw: st.DrawFn) -> tuple[ReferenceModel, DescribeCase]:
    """Three stores, a first page of one (its marker), then a drawn Describe case."""
    stores = draw(coexisting_store_sets(size=3))
    model = ReferenceModel(stores.world)
    for config in (*stores.existing, stores.candidate):
        model.execute("CreateCustomKeyStore", config)
    page = model.execute("DescribeCustomKeyStores", {"Limit": 1}).response
    markers = [page["NextMarker"]] if page.get("Truncated") else []
    names = [s.name for s in model.stores.values()]
    case = draw(describe_requests(list(model.stores), names, markers))
    return model, case


def run_describe(scenario: tuple[ReferenceModel, DescribeCase]) -> tuple[str, tuple[str, ...]]:
    """A Describe case is judged by the model holding three stores."""
    model, case = scenario
    judge(model.describe_custom_key_stores(case.request), case.violation, case)
    return "describe", case.violation.requirement_ids if case.violation else ()


@st.composite
def key_scenarios(
    draw: st.DrawFn, kinds: st.SearchStrategy[Any] | None = None, group: str | None = None
) -> tuple[ReferenceModel, KeyCase]:
    """A CONNECTED store (holding a key made from a first valid case), then a CreateKey case."""
    setup = draw(store_setups(kinds))
    model = ReferenceModel(setup.world)
    store_id = str(model.execute("CreateCustomKeyStore", setup.config).response["CustomKeyStoreId"])
    bring_to(model, store_id, "CONNECTED")
    used: list[str] = []
    if model.stores[store_id].is_xks and (group == "xks_key_id_in_use" or draw(st.booleans())):
        first = draw(create_key_requests(model.stores[store_id], group="valid"))
        model.set_world(first.world(model.world))
        assert model.execute("CreateKey", first.request).succeeded, first
        used.append(first.request["XksKeyId"])
    case = draw(create_key_requests(model.stores[store_id], used, group))
    model.set_world(case.world(model.world))
    return model, case


def run_key(scenario: tuple[ReferenceModel, KeyCase]) -> tuple[str, tuple[str, ...]]:
    """A CreateKey case is judged by the model holding its CONNECTED store."""
    model, case = scenario
    judge(model.create_key(case.request), case.violation, case)
    return "create_key", case.violation.requirement_ids if case.violation else ()


SCENARIOS: list[tuple[st.SearchStrategy[Any], Any]] = [
    (store_setups(), run_setup),
    (invalid_store_configs(), run_invalid),
    (conflicting_store_sets(), run_store_set),
    (coexisting_store_sets(), run_store_set),
    (update_scenarios(), run_update),
    (describe_scenarios(), run_describe),
    (key_scenarios(), run_key),
]
"""Every kind of generated case, with the function that judges it against the model."""


def _paired(scenario: tuple[st.SearchStrategy[Any], Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    strategy, run = scenario
    return strategy.map(lambda case: (run, case))


def any_scenario() -> st.SearchStrategy[tuple[Any, Any]]:
    """One case of any kind (each kind equally likely), paired with its judge."""
    return st.sampled_from(SCENARIOS).flatmap(_paired)
