"""Following a target through any acceptable branch; bad input never raises; reprs redact."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
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


@pytest.mark.requirement("CKS-CONNECT-002", "CKS-CREATE-009")
def test_model_follows_target_chosen_ids_and_error_branches(model: ReferenceModel) -> None:
    request = public_request()
    model.apply(
        "CreateCustomKeyStore",
        request,
        Outcome.success({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
    )
    store_id = "cks-1234567890abcdef0"
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


@pytest.mark.requirement("CKS-ERR-009")
def test_expectation_needs_some_acceptable_outcome() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        Expectation(success=False)
    either = Expectation(True, frozenset({INVALID_STATE}))
    assert either.describe() == f"success or {INVALID_STATE}" and not either.deterministic


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def requests_for(operation: str) -> st.SearchStrategy[object]:
    names = sorted({p.split(".")[0] for p in botocore_model.input_constraints(operation)})
    members = st.dictionaries(st.sampled_from(names), json_values, max_size=4)
    return st.one_of(json_values, members)


@pytest.mark.requirement("CKS-ERR-003", "CKS-ERR-008")
@given(data=st.data(), operation=st.sampled_from(sorted(PLANNERS)), validated=st.booleans())
def test_any_input_gives_a_prediction_never_an_exception(
    data: st.DataObject, operation: str, validated: bool
) -> None:
    model = ReferenceModel(world(), client_validation=validated)
    created(model, public_request())
    request = data.draw(requests_for(operation))
    expectation = model.predict(operation, request)
    assert expectation.success or expectation.errors
    outcome = model.execute(operation, request)
    assert expectation.accepts(outcome)


CONFIGS = [
    hsm_request("h"),
    public_request("p"),
    vpc_request("v"),
    public_request("q", XksProxyUriPath="/other/kms/xks/v1"),
    public_request("d", XksProxyUriEndpoint="https://down.example.com"),
]


class FollowingMachine(RuleBasedStateMachine):
    """A model follows a 'target' (a second model) that picks any acceptable outcome."""

    stores = Bundle("stores")

    @initialize()
    def start(self) -> None:
        self.target = ReferenceModel(world())
        self.follower = ReferenceModel(world())
        self.counter = 0

    def step(self, data: st.DataObject, operation: str, request: dict[str, Any]) -> Outcome:
        expectation = self.target.predict(operation, request)
        choices = sorted(expectation.errors) + (["success"] if expectation.success else [])
        choice = data.draw(st.sampled_from(choices))
        if choice != "success":
            outcome = Outcome.failure(choice)
            self.target.apply(operation, request, outcome)
        elif expectation.canonical_error() is None:
            outcome = self.target.execute(operation, request)
        else:  # success was acceptable but not canonical: answer like a target would
            self.counter += 1
            response = {"CustomKeyStoreId": f"cks-t{self.counter:016x}"}
            outcome = Outcome.success(response if operation == "CreateCustomKeyStore" else {})
            self.target.apply(operation, request, outcome)
        self.follower.apply(operation, request, outcome)
        return outcome

    @rule(target=stores, data=st.data(), config=st.sampled_from(CONFIGS))
    def create(self, data: st.DataObject, config: dict[str, Any]) -> str:
        outcome = self.step(data, "CreateCustomKeyStore", config)
        return str(outcome.response.get("CustomKeyStoreId", "cks-never-created"))

    @rule(
        data=st.data(),
        store=stores,
        operation=st.sampled_from(
            ["ConnectCustomKeyStore", "DisconnectCustomKeyStore", "DeleteCustomKeyStore"]
        ),
    )
    def lifecycle(self, data: st.DataObject, store: str, operation: str) -> None:
        self.step(data, operation, {"CustomKeyStoreId": store})

    @rule(data=st.data(), store=stores, name=st.sampled_from(["h", "p", "renamed"]))
    def rename(self, data: st.DataObject, store: str, name: str) -> None:
        self.step(
            data, "UpdateCustomKeyStore", {"CustomKeyStoreId": store, "NewCustomKeyStoreName": name}
        )

    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        transient = sorted(s for s, r in self.target.stores.items() if r.settlements)
        if transient:
            store = data.draw(st.sampled_from(transient))
            ending = data.draw(st.sampled_from(sorted(self.target.settlements(store), key=repr)))
            self.target.settle(store, ending)
            self.follower.settle(store, ending)

    @invariant()
    def describe_matches_and_states_agree(self) -> None:
        assert self.follower.stores == self.target.stores
        page = self.target.execute("DescribeCustomKeyStores", {})
        assert self.follower.describe_custom_key_stores({}).mismatches(page) == ()


@pytest.mark.requirement("CKS-DESCRIBE-001", "CKS-DESCRIBE-010", "CKS-STATE-001")
def test_model_follows_any_acceptable_branch() -> None:
    run_state_machine_as_test(FollowingMachine)


@pytest.mark.requirement("CKS-DESCRIBE-010", "CKS-CONNECT-001")
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
