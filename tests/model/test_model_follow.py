"""The model against expectations that are not the model's own.

* the state table of digest §5.2, written out by hand, cell by cell;
* operation sequences with the outcome the digest prescribes for their last step;
* a stateful property whose oracle is a small ledger of the §5.1 state machine kept by the
  test itself, plus invariants stated from the digest ("Delete of a store that is not
  DISCONNECTED never succeeds"), while the model, acting as the target, takes any branch it
  allows;
* botocore's own ``ParamValidator`` as the oracle for what the client layer refuses.

Each of these fails when a state rule of the model is deleted (see
``benchmarks/mutation_check.py``). Tests that only check the model's mechanics (it adopts
a target's IDs, reprs redact) carry no requirement marker for the rules they pass through.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    ANCHOR,
    CLUSTER,
    CREDENTIAL,
    PUBLIC_ENDPOINT,
    VPC_HOST,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    PARAM_VALIDATION_ERROR,
    PLANNERS,
    CloudHsmCluster,
    Expectation,
    Outcome,
    OutcomeNotAllowedError,
    ProxyBehaviour,
    ProxyCredential,
    ReferenceModel,
    Settlement,
    XksProxy,
    redact,
)
from conformance.spec import botocore_model

INVALID_STATE = "CustomKeyStoreInvalidStateException"
NOT_FOUND = "CustomKeyStoreNotFoundException"
NAME_IN_USE = "CustomKeyStoreNameInUseException"
STATES = ("CONNECTED", "CONNECTING", "DISCONNECTED", "DISCONNECTING", "FAILED")


# -- the digest's §5.2 table, by hand ---------------------------------------------------------

OK, BAD, OPEN = "ok", "bad", "open"
"""ok: success only; bad: CustomKeyStoreInvalidStateException only; open: either (an OQ)."""

STATE_TABLE = """
row               store  CONNECTED  CONNECTING  DISCONNECTED  DISCONNECTING  FAILED
connect           xks    open       open        ok            bad            bad
connect           hsm    open       open        ok            bad            bad
disconnect        xks    ok         ok          bad           bad            ok
disconnect        hsm    ok         ok          bad           bad            ok
delete            xks    bad        bad         ok            bad            bad
delete            hsm    bad        bad         ok            bad            bad
rename            xks    ok         open        ok            open           open
new_credential    xks    ok         open        ok            open           open
new_path          xks    ok         open        ok            open           open
new_endpoint      xks    bad        bad         ok            bad            bad
rename            hsm    ok         bad         ok            bad            bad
new_password      hsm    bad        bad         ok            bad            bad
create_key        xks    ok         bad         bad           bad            bad
create_key        hsm    ok         bad         bad           bad            bad
"""
"""Digest §5.2, one cell per (operation, store type, state). Connect on CONNECTED or
CONNECTING is open (OQ-19); XKS hot fields outside CONNECTED/DISCONNECTED are open (OQ-16);
a CloudHSM rename while CONNECTED follows the current botocore text (§10 drift 2, OQ-18);
CreateKey needs CONNECTED (§7)."""


def _requests(store_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The request of each table row, for a store created by `_store_in`."""
    sid = {"CustomKeyStoreId": store_id}
    new_credential = {"AccessKeyId": "B" * 20, "RawSecretAccessKey": "t" * 43}
    return {
        ("connect", "xks"): sid,
        ("connect", "hsm"): sid,
        ("disconnect", "xks"): sid,
        ("disconnect", "hsm"): sid,
        ("delete", "xks"): sid,
        ("delete", "hsm"): sid,
        ("rename", "xks"): {**sid, "NewCustomKeyStoreName": "renamed"},
        ("new_credential", "xks"): {**sid, "XksProxyAuthenticationCredential": new_credential},
        ("new_path", "xks"): {**sid, "XksProxyUriPath": "/other/kms/xks/v1"},
        ("new_endpoint", "xks"): {**sid, "XksProxyUriEndpoint": f"https://{VPC_HOST}"},
        ("rename", "hsm"): {**sid, "NewCustomKeyStoreName": "renamed"},
        ("new_password", "hsm"): {**sid, "KeyStorePassword": "another-pass"},
        ("create_key", "xks"): {**sid, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"},
        ("create_key", "hsm"): {**sid, "Origin": "AWS_CLOUDHSM"},
    }


OPERATIONS = {
    "connect": "ConnectCustomKeyStore",
    "disconnect": "DisconnectCustomKeyStore",
    "delete": "DeleteCustomKeyStore",
    "create_key": "CreateKey",
}


def _table() -> list[Any]:
    lines = [line.split() for line in STATE_TABLE.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == list(STATES)
    return [
        pytest.param(row[0], row[1], state, cell, id=f"{row[0]}-{row[1]}-{state}")
        for row in rows
        for state, cell in zip(STATES, row[2:], strict=True)
    ]


def _broken_world(kind: str) -> Any:
    """A world in which a Connect of the default store ends FAILED (digest §5.3)."""
    if kind == "xks":
        return world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.TIMEOUT),))
    cluster = CloudHsmCluster(CLUSTER, ANCHOR, kmsuser_password="not-the-password")
    return world(clusters=(cluster,))


def _store_in(kind: str, state: str) -> tuple[ReferenceModel, str]:
    """A model holding one store of `kind` in `state`, reached by operations only."""
    model = ReferenceModel(world())
    store_id = created(model, public_request() if kind == "xks" else hsm_request())
    sid = {"CustomKeyStoreId": store_id}
    if state == "DISCONNECTED":
        return model, store_id
    if state == "FAILED":
        model.set_world(_broken_world(kind))
    assert model.execute("ConnectCustomKeyStore", sid).succeeded
    if state != "CONNECTING":
        ending = Settlement("CONNECTED") if state != "FAILED" else None
        model.settle(store_id, ending)
    model.set_world(world())
    if state == "DISCONNECTING":
        assert model.execute("DisconnectCustomKeyStore", sid).succeeded
    assert model.stores[store_id].state == state
    return model, store_id


EXPECTED = {
    OK: Expectation(True),
    BAD: Expectation(False, frozenset({INVALID_STATE})),
    OPEN: Expectation(True, frozenset({INVALID_STATE})),
}


@pytest.mark.requirement(
    "CKS-CONNECT-001", "CKS-CONNECT-002", "CKS-CONNECT-003", "CKS-STATE-001", "CKS-STATE-002",
    "CKS-STATE-003", "CKS-UPDATE-001", "CKS-UPDATE-002", "CKS-UPDATE-003", "CKS-UPDATE-004",
    "CKS-UPDATE-005", "CKS-KEY-001",
)  # fmt: skip
@pytest.mark.parametrize(("row", "kind", "state", "cell"), _table())
def test_the_state_table_of_the_digest_holds_cell_by_cell(
    row: str, kind: str, state: str, cell: str
) -> None:
    model, store_id = _store_in(kind, state)
    operation = OPERATIONS.get(row, "UpdateCustomKeyStore")
    expectation = model.predict(operation, _requests(store_id)[(row, kind)])
    want = EXPECTED[cell]
    got = (expectation.success, expectation.errors)
    assert got == (want.success, want.errors), f"{row} on a {state} {kind} store: {expectation}"


# -- sequences with the outcome of their last step ------------------------------------------


@dataclass(frozen=True)
class Sequence:
    """Steps the model runs as the target, then the last step's prescribed outcomes."""

    why: str
    steps: tuple[tuple[str, dict[str, Any]], ...]
    last: tuple[str, dict[str, Any]]
    success: bool
    errors: frozenset[str]

    def __repr__(self) -> str:
        return self.why


FIRST = "cks-00000000000000001"
SECOND = "cks-00000000000000002"
ID = {"CustomKeyStoreId": FIRST}
CREATE, CONNECT, DISCONNECT, DELETE = (
    "CreateCustomKeyStore",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
)
DESCRIBE, UPDATE = "DescribeCustomKeyStores", "UpdateCustomKeyStore"

SEQUENCES = [
    Sequence(
        "§4.3: a second store may not take a name in use",
        ((CREATE, hsm_request("same")),),
        (CREATE, public_request("same")),
        False,
        frozenset({NAME_IN_USE}),
    ),
    Sequence(
        "§4.3: renaming onto another store's name is refused",
        ((CREATE, hsm_request("one")), (CREATE, public_request("two"))),
        (UPDATE, {"CustomKeyStoreId": SECOND, "NewCustomKeyStoreName": "one"}),
        False,
        frozenset({NAME_IN_USE}),
    ),
    Sequence(
        "§4.3: two PUBLIC stores may not share endpoint and path",
        ((CREATE, public_request("one")),),
        (CREATE, public_request("two")),
        False,
        frozenset({"XksProxyUriInUseException"}),
    ),
    Sequence(
        "§4.3: two PUBLIC stores may share an endpoint when their paths differ",
        ((CREATE, public_request("one")),),
        (CREATE, public_request("two", XksProxyUriPath="/other/kms/xks/v1")),
        True,
        frozenset(),
    ),
    Sequence(
        "§4.3: a PUBLIC store may not use a VPC store's endpoint (nor its endpoint+path; "
        "with two rules broken either error is acceptable, OQ-21)",
        ((CREATE, vpc_request("one")),),
        (CREATE, public_request("two", XksProxyUriEndpoint=f"https://{VPC_HOST}")),
        False,
        frozenset({"XksProxyUriEndpointInUseException", "XksProxyUriInUseException"}),
    ),
    Sequence(
        "§4.3: a cluster already backing a store (or sharing its backups) is in use",
        ((CREATE, hsm_request("one")),),
        (CREATE, hsm_request("two", CloudHsmClusterId="cluster-bcdefghijkl")),
        False,
        frozenset({"CloudHsmClusterInUseException"}),
    ),
    Sequence(
        "§5.4: a PUBLIC store whose proxy does not answer is not created",
        (),
        (CREATE, public_request("down", XksProxyUriEndpoint="https://down.example.com")),
        False,
        frozenset({"XksProxyUriUnreachableException"}),
    ),
    Sequence(
        "§5.1: a deleted store is gone for Connect",
        ((CREATE, hsm_request()), (DELETE, ID)),
        (CONNECT, ID),
        False,
        frozenset({NOT_FOUND}),
    ),
    Sequence(
        "§6: Describe of a deleted store's ID is not found, not an empty list",
        ((CREATE, hsm_request()), (DELETE, ID)),
        (DESCRIBE, ID),
        False,
        frozenset({NOT_FOUND}),
    ),
    Sequence(
        "§5.1: Delete frees the name for a new store",
        ((CREATE, hsm_request("again")), (DELETE, ID)),
        (CREATE, hsm_request("again")),
        True,
        frozenset(),
    ),
    Sequence(
        "§5.2: a second Disconnect finds the store DISCONNECTING",
        ((CREATE, public_request()), (CONNECT, ID), (DISCONNECT, ID)),
        (DISCONNECT, ID),
        False,
        frozenset({INVALID_STATE}),
    ),
    Sequence(
        "§5.2: Delete right after Connect finds the store CONNECTING",
        ((CREATE, public_request()), (CONNECT, ID)),
        (DELETE, ID),
        False,
        frozenset({INVALID_STATE}),
    ),
    Sequence(
        "§5.2, §7: Delete of a store holding a key is refused",
        (
            (CREATE, public_request()),
            (CONNECT, ID),
            ("settle", ID),
            ("CreateKey", {**ID, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"}),
            (DISCONNECT, ID),
            ("settle", ID),
        ),
        (DELETE, ID),
        False,
        frozenset({"CustomKeyStoreHasCMKsException"}),
    ),
    Sequence(
        "§7: one external key backs one KMS key per store",
        (
            (CREATE, public_request()),
            (CONNECT, ID),
            ("settle", ID),
            ("CreateKey", {**ID, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"}),
        ),
        ("CreateKey", {**ID, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"}),
        False,
        frozenset({"XksKeyAlreadyInUseException"}),
    ),
]


def _run_steps(model: ReferenceModel, steps: tuple[tuple[str, dict[str, Any]], ...]) -> None:
    for operation, request in steps:
        if operation == "settle":
            model.settle(request["CustomKeyStoreId"])
        else:
            outcome = model.execute(operation, request)
            assert outcome.succeeded, (operation, outcome)


@pytest.mark.requirement(
    "CKS-UNIQ-001", "CKS-UNIQ-002", "CKS-UNIQ-004", "CKS-UNIQ-007", "CKS-XKS-003",
    "CKS-STATE-002", "CKS-STATE-003", "CKS-STATE-004", "CKS-STATE-005", "CKS-STATE-006",
    "CKS-DESCRIBE-004", "CKS-KEY-008",
)  # fmt: skip
@pytest.mark.parametrize("sequence", SEQUENCES, ids=repr)
def test_sequences_end_as_the_digest_prescribes(sequence: Sequence) -> None:
    model = ReferenceModel(world())
    _run_steps(model, sequence.steps)
    expectation = model.predict(*sequence.last)
    got = (expectation.success, expectation.errors)
    assert got == (sequence.success, sequence.errors), f"{sequence.why}: {expectation}"


@pytest.mark.requirement("CKS-QUOTA-001")
def test_the_eleventh_store_exceeds_the_quota_whatever_the_states() -> None:
    """Digest §8: ten stores per account and Region, counted in any state."""
    paths = [f"/p{i}/kms/xks/v1" for i in range(11)]
    model = ReferenceModel(world(proxies=tuple(XksProxy(PUBLIC_ENDPOINT, p) for p in paths)))
    for i, path in enumerate(paths[:10]):
        store_id = created(model, public_request(f"s{i}", XksProxyUriPath=path))
        if i % 2:
            model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    last = model.create_custom_key_store(public_request("s10", XksProxyUriPath=paths[10]))
    assert (last.success, last.errors) == (False, frozenset({"LimitExceededException"}))
    model.execute("DeleteCustomKeyStore", {"CustomKeyStoreId": "cks-00000000000000001"})
    assert model.create_custom_key_store(public_request("s10", XksProxyUriPath=paths[10])).success


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
        state = self.ledger[store]["state"]
        expectation = self.target.predict(CONNECT, {"CustomKeyStoreId": store})
        if state in ("DISCONNECTING", "FAILED"):
            assert not expectation.success, f"Connect allowed while {state}"  # §5.2
        if state == "DISCONNECTED":
            assert expectation.success, f"Connect refused while DISCONNECTED: {expectation}"
        assert expectation.errors <= {INVALID_STATE}
        succeeded = self.choose(data, CONNECT, {"CustomKeyStoreId": store}).succeeded
        if succeeded and state == "DISCONNECTED":  # §5.1; a repeat changes nothing (OQ-19)
            self.ledger[store]["state"] = "CONNECTING"

    @rule(data=st.data(), store=stores)
    def disconnect(self, data: st.DataObject, store: str) -> None:
        if self.refused_as_unknown(DISCONNECT, store):
            return
        state = self.ledger[store]["state"]
        expectation = self.target.predict(DISCONNECT, {"CustomKeyStoreId": store})
        allowed = state in ("CONNECTED", "CONNECTING", "FAILED")  # §5.2
        assert expectation.success == allowed, f"Disconnect while {state}: {expectation}"
        if self.choose(data, DISCONNECT, {"CustomKeyStoreId": store}).succeeded:
            self.ledger[store]["state"] = "DISCONNECTING"

    @rule(data=st.data(), store=stores)
    def delete(self, data: st.DataObject, store: str) -> None:
        if self.refused_as_unknown(DELETE, store):
            return
        state = self.ledger[store]["state"]
        expectation = self.target.predict(DELETE, {"CustomKeyStoreId": store})
        if state != "DISCONNECTED":  # §5.2: never success, and InvalidState is acceptable
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
