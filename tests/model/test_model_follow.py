"""The model against oracles that are not the model itself.

* a stateful property whose oracle is a small ledger of the §5.1 state machine kept by the
  test, plus invariants stated from the digest ("Delete of a store that is not DISCONNECTED
  never succeeds"), while the model, acting as the target, takes any branch it allows;
* botocore's own ``ParamValidator`` as the oracle for what the client layer refuses, and
  botocore's declared errors for what the server layer may answer.

The digest's tables and sequences are in ``test_model_by_the_digest.py``. Tests that only
check the model's mechanics (it adopts a target's IDs, reprs redact) carry no requirement
marker for the rules they pass through.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.validate import ParamValidator
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from model_builders import (
    CREDENTIAL,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    PARAM_VALIDATION_ERROR,
    PLANNERS,
    Expectation,
    Outcome,
    OutcomeNotAllowedError,
    ProxyCredential,
    ReferenceModel,
    redact,
)
from conformance.spec import botocore_model

INVALID_STATE = "CustomKeyStoreInvalidStateException"
NOT_FOUND = "CustomKeyStoreNotFoundException"
NAME_IN_USE = "CustomKeyStoreNameInUseException"
CREATE, CONNECT, DISCONNECT, DELETE = (
    "CreateCustomKeyStore",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
)
DESCRIBE, UPDATE = "DescribeCustomKeyStores", "UpdateCustomKeyStore"


# -- a stateful property with its own ledger of the §5.1 state machine ----------------------

CONFIGS = [
    hsm_request("h"),
    public_request("p"),
    vpc_request("v"),
    public_request("q", XksProxyUriPath="/other/kms/xks/v1"),
    public_request("d", XksProxyUriEndpoint="https://down.example.com"),
]
SETTLES_TO = {"CONNECTING": {"CONNECTED", "FAILED"}, "DISCONNECTING": {"DISCONNECTED"}}
"""Digest §5.1: how each transient state may end."""


class SpecLedgerMachine(RuleBasedStateMachine):
    """The model acts as the target and may take any branch it allows; the test keeps its
    own ledger (store -> state, name) by the digest's §5.1 transitions and checks every
    prediction against rules stated from the digest, never against a second model."""

    stores = Bundle("stores")

    @initialize()
    def start(self) -> None:
        self.target = ReferenceModel(world())
        self.ledger: dict[str, dict[str, str]] = {}
        self.counter = 0

    def choose(self, data: st.DataObject, operation: str, request: dict[str, Any]) -> Outcome:
        """Any outcome the target's prediction allows (the model applies it to itself)."""
        expectation = self.target.predict(operation, request)
        choices = sorted(expectation.errors) + (["success"] if expectation.success else [])
        choice = data.draw(st.sampled_from(choices))
        if choice != "success":
            outcome = Outcome.failure(choice)
            self.target.apply(operation, request, outcome)
        elif expectation.canonical_error() is None:
            outcome = self.target.execute(operation, request)
        else:  # success allowed but not canonical: answer like a target would
            self.counter += 1
            response = {"CustomKeyStoreId": f"cks-t{self.counter:016x}"}
            outcome = Outcome.success(response if operation == CREATE else {})
            self.target.apply(operation, request, outcome)
        return outcome

    @rule(target=stores, data=st.data(), config=st.sampled_from(CONFIGS))
    def create(self, data: st.DataObject, config: dict[str, Any]) -> str:
        expectation = self.target.predict(CREATE, config)
        if any(entry["name"] == config["CustomKeyStoreName"] for entry in self.ledger.values()):
            assert not expectation.success and NAME_IN_USE in expectation.errors  # §4.3
        if config.get("XksProxyUriEndpoint") == "https://down.example.com":
            assert not expectation.success  # §5.4: PUBLIC Create calls the proxy first
        outcome = self.choose(data, CREATE, config)
        if not outcome.succeeded:
            return "cks-never-created"
        store_id = str(outcome.response["CustomKeyStoreId"])
        assert store_id not in self.ledger  # CKS-CREATE-009: not another store's ID
        self.ledger[store_id] = {"state": "DISCONNECTED", "name": config["CustomKeyStoreName"]}
        return store_id

    def possible(self, store: str) -> set[str]:
        """The states the store may be in when the call arrives: a transient state may have
        settled meanwhile (OQ-29), by §5.1."""
        state = self.ledger[store]["state"]
        return {state} | SETTLES_TO.get(state, set())

    def refused_as_unknown(self, operation: str, store: str) -> bool:
        if store in self.ledger:
            return False
        expectation = self.target.predict(operation, {"CustomKeyStoreId": store})
        assert (expectation.success, expectation.errors) == (False, frozenset({NOT_FOUND}))
        return True  # §3.4: an unknown or deleted ID is not found, by every operation

    @rule(data=st.data(), store=stores)
    def connect(self, data: st.DataObject, store: str) -> None:
        if self.refused_as_unknown(CONNECT, store):
            return
        state, possible = self.ledger[store]["state"], self.possible(store)
        expectation = self.target.predict(CONNECT, {"CustomKeyStoreId": store})
        if possible <= {"DISCONNECTING", "FAILED"}:
            assert not expectation.success, f"Connect allowed while {state}"  # §5.2
        if "DISCONNECTED" in possible:
            assert expectation.success, f"Connect refused while {state}: {expectation}"
        assert expectation.errors <= {INVALID_STATE}
        succeeded = self.choose(data, CONNECT, {"CustomKeyStoreId": store}).succeeded
        if succeeded and state in ("DISCONNECTED", "DISCONNECTING"):
            # §5.1 (from DISCONNECTING only once it settled); a repeat changes nothing (OQ-19)
            self.ledger[store]["state"] = "CONNECTING"

    @rule(data=st.data(), store=stores)
    def disconnect(self, data: st.DataObject, store: str) -> None:
        if self.refused_as_unknown(DISCONNECT, store):
            return
        state, possible = self.ledger[store]["state"], self.possible(store)
        expectation = self.target.predict(DISCONNECT, {"CustomKeyStoreId": store})
        allowed = bool(possible & {"CONNECTED", "CONNECTING", "FAILED"})  # §5.2
        assert expectation.success == allowed, f"Disconnect while {state}: {expectation}"
        if self.choose(data, DISCONNECT, {"CustomKeyStoreId": store}).succeeded:
            self.ledger[store]["state"] = "DISCONNECTING"

    @rule(data=st.data(), store=stores)
    def delete(self, data: st.DataObject, store: str) -> None:
        if self.refused_as_unknown(DELETE, store):
            return
        state, possible = self.ledger[store]["state"], self.possible(store)
        expectation = self.target.predict(DELETE, {"CustomKeyStoreId": store})
        if "DISCONNECTED" not in possible:  # §5.2: never success, InvalidState is acceptable
            assert not expectation.success, f"Delete allowed while {state}"
            assert INVALID_STATE in expectation.errors
        else:  # no keys are ever created here
            assert expectation.success, f"Delete refused while DISCONNECTED: {expectation}"
        if self.choose(data, DELETE, {"CustomKeyStoreId": store}).succeeded:
            del self.ledger[store]

    @rule(data=st.data(), store=stores, name=st.sampled_from(["h", "p", "renamed"]))
    def rename(self, data: st.DataObject, store: str, name: str) -> None:
        request = {"CustomKeyStoreId": store, "NewCustomKeyStoreName": name}
        if self.refused_as_unknown(UPDATE, store):
            return
        expectation = self.target.predict(UPDATE, request)
        taken = any(e["name"] == name for s, e in self.ledger.items() if s != store)
        if taken:
            assert not expectation.success and NAME_IN_USE in expectation.errors  # §4.3
        if self.choose(data, UPDATE, request).succeeded:
            self.ledger[store]["name"] = name

    @precondition(lambda self: any(e["state"] in SETTLES_TO for e in self.ledger.values()))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        transient = sorted(s for s, e in self.ledger.items() if e["state"] in SETTLES_TO)
        store = data.draw(st.sampled_from(transient))
        endings = self.target.settlements(store)
        assert {e.state for e in endings} <= SETTLES_TO[self.ledger[store]["state"]]
        ending = data.draw(st.sampled_from(sorted(endings, key=repr)))
        self.target.settle(store, ending)
        self.ledger[store]["state"] = ending.state

    @invariant()
    def describe_shows_the_ledger(self) -> None:
        """§6: every store, once, in its state, with an error code only while FAILED."""
        page = self.target.execute(DESCRIBE, {})
        entries = page.response["CustomKeyStores"]
        seen = {
            e["CustomKeyStoreId"]: {"state": e["ConnectionState"], "name": e["CustomKeyStoreName"]}
            for e in entries
        }
        assert len(seen) == len(entries) and seen == self.ledger
        for entry in entries:
            assert ("ConnectionErrorCode" in entry) == (entry["ConnectionState"] == "FAILED")


@pytest.mark.requirement(
    "CKS-STATE-001", "CKS-STATE-002", "CKS-STATE-003", "CKS-STATE-006", "CKS-CONNECT-001",
    "CKS-CONNECT-003", "CKS-UNIQ-001", "CKS-DESCRIBE-001",
)  # fmt: skip
def test_any_acceptable_branch_keeps_the_digest_state_machine() -> None:
    run_state_machine_as_test(SpecLedgerMachine)


# -- botocore's ParamValidator as the oracle of the client layer ----------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def near_bounds(constraint: botocore_model.MemberConstraint) -> st.SearchStrategy[object]:
    """Well-typed values around the member's lower bound (where the client layer decides)."""
    low = constraint.min_length or 0
    if constraint.type_name == "string":
        return st.text(alphabet="ab1", min_size=max(0, low - 1), max_size=low + 1)
    if constraint.type_name in ("integer", "long"):
        return st.integers(low - 1, low + 1)
    return json_values


def requests_for(operation: str) -> st.SearchStrategy[object]:
    """Anything: JSON values, or dicts of the operation's member names holding JSON values
    or well-typed values next to their minimum."""
    constraints = botocore_model.input_constraints(operation)
    top = {path: c for path, c in constraints.items() if "." not in path}
    value = {name: json_values | near_bounds(c) for name, c in top.items()}
    members = st.lists(st.sampled_from(sorted(top)), max_size=4, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({name: value[name] for name in names})
    )
    return st.one_of(json_values, members)


def botocore_refuses(operation: str, request: object) -> bool:
    """What botocore's own client-side validator says (the oracle, not the model)."""
    shape = botocore_model.operation_model(operation).input_shape
    return ParamValidator().validate(request, shape).has_errors()


@pytest.mark.requirement("CKS-ERR-001", "CKS-ERR-002", "CKS-ERR-003", "CKS-ERR-004")
@given(data=st.data(), operation=st.sampled_from(sorted(PLANNERS)))
def test_the_client_layer_refuses_exactly_what_botocore_refuses(
    data: st.DataObject, operation: str
) -> None:
    model = ReferenceModel(world())
    created(model, public_request())
    request = data.draw(requests_for(operation))
    expectation = model.predict(operation, request)
    if botocore_refuses(operation, request):
        assert (expectation.success, expectation.errors) == (
            False,
            frozenset({PARAM_VALIDATION_ERROR}),
        )
    else:
        assert PARAM_VALIDATION_ERROR not in expectation.errors


UNDECLARED = frozenset(
    {"ValidationException", "SerializationException", "ClientSerializationError"}
)
"""Errors any operation may return although botocore does not declare them (digest §1)."""


@pytest.mark.requirement("CKS-ERR-008")
@given(data=st.data(), operation=st.sampled_from(sorted(PLANNERS)))
def test_without_client_validation_any_input_gets_declared_errors_never_an_exception(
    data: st.DataObject, operation: str
) -> None:
    model = ReferenceModel(world(), client_validation=False)
    created(model, public_request())
    request = data.draw(requests_for(operation))
    expectation = model.predict(operation, request)
    declared = set(botocore_model.declared_errors(operation))
    assert PARAM_VALIDATION_ERROR not in expectation.errors
    assert expectation.errors <= declared | UNDECLARED | {"UnsupportedOperationException"}
    model.execute(operation, request)  # acting as the target does not raise either


# -- the model's mechanics (no requirement is earned by these) -----------------------------


def test_model_follows_target_chosen_ids_and_error_branches(model: ReferenceModel) -> None:
    store_id = "cks-1234567890abcdef0"
    model.apply(
        "CreateCustomKeyStore", public_request(), Outcome.success({"CustomKeyStoreId": store_id})
    )
    assert model.stores[store_id].name == "pub"
    model.apply("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id}, Outcome.success())
    model.apply(
        "ConnectCustomKeyStore", {"CustomKeyStoreId": store_id}, Outcome.failure(INVALID_STATE)
    )  # OQ-19: the target refused a repeat
    assert model.stores[store_id].state == "CONNECTING"
    with pytest.raises(OutcomeNotAllowedError) as refused:
        model.apply("DeleteCustomKeyStore", {"CustomKeyStoreId": store_id}, Outcome.success())
    assert refused.value.observed == Outcome.success()
    assert store_id in model.stores
    own = created(model, public_request("own", XksProxyUriPath="/other/kms/xks/v1"))
    assert own != store_id and own.startswith("cks-") and len(own) == 21


@pytest.mark.requirement("CKS-SECRET-003")
def test_reprs_redact_secrets() -> None:
    model = ReferenceModel(world())
    store_id = created(model, public_request())
    created(model, hsm_request())
    texts = [
        repr(model.world),
        repr(model.stores),
        repr(ProxyCredential("A" * 20, "s" * 43)),
        repr(Outcome.success({"KeyStorePassword": "kmsuser-pass"})),
        repr(model),
    ]
    for text in texts:
        assert CREDENTIAL["RawSecretAccessKey"] not in text and "kmsuser-pass" not in text
    assert redact({"XksProxyAuthenticationCredential": CREDENTIAL}) == {
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": CREDENTIAL["AccessKeyId"],
            "RawSecretAccessKey": "<redacted>",
        }
    }
    assert "'<redacted:43>'" in repr(ProxyCredential("A" * 20, "s" * 43))
    assert store_id in texts[1]


def test_expectation_needs_some_acceptable_outcome() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        Expectation(success=False)
    either = Expectation(True, frozenset({INVALID_STATE}))
    assert either.describe() == f"success or {INVALID_STATE}" and not either.deterministic


def test_a_describe_showing_a_settled_state_settles_the_model(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    entry = model.execute("DescribeCustomKeyStores", {}).response["CustomKeyStores"][0]
    assert entry["ConnectionState"] == "CONNECTING"
    seen = {"CustomKeyStores": [{**entry, "ConnectionState": "CONNECTED"}], "Truncated": False}
    model.apply("DescribeCustomKeyStores", {}, Outcome.success(seen))
    assert model.stores[store_id].state == "CONNECTED" and not model.settlements(store_id)
    failed = {
        "CustomKeyStores": [
            {**entry, "ConnectionState": "FAILED", "ConnectionErrorCode": "XKS_PROXY_TIMED_OUT"}
        ]
    }
    with pytest.raises(OutcomeNotAllowedError, match="ConnectionState"):
        model.apply("DescribeCustomKeyStores", {}, Outcome.success(failed))


@pytest.mark.requirement("CKS-SECRET-003")
def test_world_reprs_are_valid_python_that_rebuilds_the_world_minus_secrets() -> None:
    import conformance.model as namespace

    original = world()
    rebuilt = eval(repr(original), vars(namespace))
    assert rebuilt.proxies == original.proxies
    assert rebuilt.vpc_endpoint_services == original.vpc_endpoint_services
    assert [c.cluster_id for c in rebuilt.clusters] == [c.cluster_id for c in original.clusters]
    assert all(c.kmsuser_password == "<redacted:12>" for c in rebuilt.clusters)
