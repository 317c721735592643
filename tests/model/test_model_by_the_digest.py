"""The model against the digest's own tables and sequences, written out by hand.

* the state table of digest §5.2, cell by cell, for both store types;
* operation sequences with the outcome the digest prescribes for their last step (§4.3
  uniqueness, §5 lifecycle, §6 Describe, §7 keys) and the quota of §8.

The expectations here are ours, derived from the digest and citing its sections; the model
is only asked for its prediction. Each fails when a rule it covers is deleted from the
model (see ``benchmarks/mutation_check.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from model_builders import (
    ANCHOR,
    CLUSTER,
    PUBLIC_ENDPOINT,
    VPC_HOST,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    CloudHsmCluster,
    Expectation,
    ProxyBehaviour,
    ReferenceModel,
    Settlement,
    XksProxy,
)

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
    # the table says what KMS does *in* a state: the store as last seen, not settled (OQ-29)
    expectation = model.predict(operation, _requests(store_id)[(row, kind)], as_last_seen=True)
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
