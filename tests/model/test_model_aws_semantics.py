"""AWS semantics: transient states settle at any moment, connection error codes the docs allow,
a non-empty account, an adjustable quota, the caller's real account (issue 9, item 2)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from model_builders import (
    ACCOUNT,
    CLUSTER,
    PUBLIC_ENDPOINT,
    SERVICE,
    VPC_HOST,
    connected,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    STORE_QUOTA,
    CloudHsmCluster,
    KmsUserState,
    Outcome,
    ProxyBehaviour,
    ReferenceModel,
    Settlement,
    VpcEndpointService,
    XksProxy,
)
from conformance.model.lifecycle import canonical_settlement
from conformance.spec.open_questions import OPEN_QUESTIONS

INVALID_STATE = "CustomKeyStoreInvalidStateException"
SETTLED = "OQ-29"


def ident(store_id: str) -> dict[str, str]:
    return {"CustomKeyStoreId": store_id}


def disconnecting(model: ReferenceModel) -> str:
    store_id = connected(model, public_request())
    assert model.execute("DisconnectCustomKeyStore", ident(store_id)).succeeded
    assert model.stores[store_id].state == "DISCONNECTING"
    return store_id


# -- 1. transient states -------------------------------------------------------------------
@pytest.mark.requirement("CKS-STATE-003")
def test_delete_right_after_disconnect_may_find_the_store_settled(model: ReferenceModel) -> None:
    store_id = disconnecting(model)
    expectation = model.delete_custom_key_store(ident(store_id))
    assert expectation.success and INVALID_STATE in expectation.errors
    assert SETTLED in expectation.open_questions
    state_rule = next(v for v in expectation.verdicts if v.requirement_id == "CKS-STATE-003")
    assert state_rule.success_allowed and SETTLED in state_rule.open_questions
    model.apply("DeleteCustomKeyStore", ident(store_id), Outcome.success())
    assert store_id not in model.stores  # the branch that allowed success: settled, deleted


@pytest.mark.requirement("CKS-STATE-003")
def test_the_model_as_target_keeps_the_transient_state_frozen(model: ReferenceModel) -> None:
    store_id = disconnecting(model)
    outcome = model.execute("DeleteCustomKeyStore", ident(store_id))
    assert outcome.error == INVALID_STATE and model.stores[store_id].state == "DISCONNECTING"


@pytest.mark.requirement("CKS-CONNECT-003")
def test_connect_right_after_disconnect_may_start_connecting(model: ReferenceModel) -> None:
    store_id = disconnecting(model)
    expectation = model.connect_custom_key_store(ident(store_id))
    assert expectation.success and expectation.errors == {INVALID_STATE}
    model.apply("ConnectCustomKeyStore", ident(store_id), Outcome.success())
    assert model.stores[store_id].state == "CONNECTING"


@pytest.mark.requirement("CKS-KEY-001")
def test_create_key_while_connecting_may_find_the_store_connected(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.execute("ConnectCustomKeyStore", ident(store_id)).succeeded
    request = {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"}
    expectation = model.create_key(request)
    assert expectation.success and INVALID_STATE in expectation.errors
    key_id = "11111111-2222-4333-8444-555555555555"
    response = {
        "KeyMetadata": {
            "KeyId": key_id,
            "CustomKeyStoreId": store_id,
            "Origin": "EXTERNAL_KEY_STORE",
            "KeyState": "Enabled",
            "XksKeyConfiguration": {"Id": "ext-1"},
        }
    }
    model.apply("CreateKey", request, Outcome.success(response))
    assert model.stores[store_id].state == "CONNECTED" and key_id in model.keys


@pytest.mark.requirement("CKS-KEY-006")
def test_an_error_only_a_settled_store_gives_settles_it(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.execute("ConnectCustomKeyStore", ident(store_id)).succeeded
    request = {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "nope"}
    assert model.create_key(request).errors == {INVALID_STATE, "XksKeyNotFoundException"}
    model.apply("CreateKey", request, Outcome.failure("XksKeyNotFoundException"))
    assert model.stores[store_id].state == "CONNECTED"


@pytest.mark.requirement("CKS-STATE-002")
def test_a_settled_store_changes_nothing_when_every_branch_agrees(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    expectation = model.delete_custom_key_store(ident(store_id))
    assert expectation.deterministic and SETTLED not in expectation.open_questions


# -- 2. connection error codes ---------------------------------------------------------------
def connect_codes(model: ReferenceModel, store_id: str) -> set[str | None]:
    assert model.execute("ConnectCustomKeyStore", ident(store_id)).succeeded
    return {s.error_code for s in model.settlements(store_id)}


def broken_proxy(behaviour: ProxyBehaviour) -> tuple[ReferenceModel, str]:
    """A PUBLIC store created while its proxy was healthy, whose proxy then misbehaves."""
    model = ReferenceModel(world())
    store_id = created(model, public_request())
    model.set_world(world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", behaviour),)))
    return model, store_id


@pytest.mark.requirement("CKS-CONNECT-005")
def test_a_proxy_timeout_may_show_either_timeout_code() -> None:
    model, store_id = broken_proxy(ProxyBehaviour.TIMEOUT)
    codes = connect_codes(model, store_id)
    assert {"XKS_PROXY_TIMED_OUT", "XKS_PROXY_NOT_REACHABLE", "INTERNAL_ERROR"} <= codes
    assert canonical_settlement(model.settlements(store_id)).error_code == "XKS_PROXY_TIMED_OUT"


@pytest.mark.requirement("CKS-CONNECT-005")
def test_an_unreachable_proxy_may_show_network_or_internal_errors() -> None:
    model, store_id = broken_proxy(ProxyBehaviour.UNREACHABLE)
    codes = connect_codes(model, store_id)
    assert {"XKS_PROXY_NOT_REACHABLE", "NETWORK_ERRORS", "INTERNAL_ERROR"} <= codes
    assert canonical_settlement(model.settlements(store_id)).error_code == "NETWORK_ERRORS"


@pytest.mark.requirement("CKS-CONNECT-004")
def test_a_failing_cloudhsm_connect_may_show_internal_or_network_errors() -> None:
    locked = CloudHsmCluster(
        CLUSTER, world().clusters[0].trust_anchor, kmsuser=KmsUserState.LOCKED_OUT
    )
    model = ReferenceModel(world(clusters=(locked,)))
    store_id = created(model, hsm_request(KeyStorePassword=locked.kmsuser_password))
    codes = connect_codes(model, store_id)
    assert {"USER_LOCKED_OUT", "INTERNAL_ERROR", "NETWORK_ERRORS"} <= codes
    assert canonical_settlement(model.settlements(store_id)).error_code == "USER_LOCKED_OUT"


@pytest.mark.requirement("CKS-CONNECT-001")
def test_a_healthy_connect_still_only_connects(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert connect_codes(model, store_id) == {None}


# -- 3. a non-empty account ------------------------------------------------------------------
FOREIGN_ID = "cks-1234567890abcdef0"


def foreign_entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "CustomKeyStoreId": FOREIGN_ID,
        "CustomKeyStoreName": "someone-elses",
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "ConnectionState": "CONNECTED",
        "CreationDate": datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc),
        "XksProxyConfiguration": {
            "Connectivity": "PUBLIC_ENDPOINT",
            "AccessKeyId": "ZYXWVUTSRQPONMLKJIHG",
            "UriEndpoint": "https://foreign.example.com",
            "UriPath": "/kms/xks/v1",
        },
    }
    entry.update(changes)
    return entry


@pytest.mark.requirement("CKS-DESCRIBE-001")
def test_a_seeded_store_is_listed_and_may_change_state(model: ReferenceModel) -> None:
    model.seed([foreign_entry()])
    assert model.stores[FOREIGN_ID].preexisting
    own = created(model, public_request())
    check = model.describe_custom_key_stores({}).response
    assert check is not None
    listed = model.execute("DescribeCustomKeyStores", {}).response["CustomKeyStores"]
    assert {e["CustomKeyStoreId"] for e in listed} == {FOREIGN_ID, own}
    failed = foreign_entry(ConnectionState="FAILED", ConnectionErrorCode="NETWORK_ERRORS")
    renamed = foreign_entry(CustomKeyStoreName="renamed-by-its-owner")
    for entry in (foreign_entry(), failed, renamed):
        assert check.mismatches({"CustomKeyStores": [entry, *listed[1:]]}) == ()
    assert check.mismatches({"CustomKeyStores": listed[1:]})  # missing: still a violation
    broken = foreign_entry(ConnectionState="SLEEPING")
    assert check.mismatches({"CustomKeyStores": [broken, *listed[1:]]})


@pytest.mark.requirement("CKS-UNIQ-001", "CKS-QUOTA-001")
def test_a_seeded_store_counts_for_uniqueness_and_quota() -> None:
    model = ReferenceModel(world(), store_quota=2)
    model.seed([foreign_entry()])
    taken = model.create_custom_key_store(
        public_request("someone-elses", XksProxyUriPath="/other/kms/xks/v1")
    )
    assert "CustomKeyStoreNameInUseException" in taken.errors
    created(model, public_request())
    full = model.create_custom_key_store(hsm_request())
    assert full.errors == {"LimitExceededException"} and not full.success


@pytest.mark.requirement("CKS-DESCRIBE-001")
def test_seeding_refuses_an_entry_without_its_id(model: ReferenceModel) -> None:
    with pytest.raises(ValueError, match="CustomKeyStoreId"):
        model.seed([{"CustomKeyStoreName": "x"}])


# -- 4. quota --------------------------------------------------------------------------------
@pytest.mark.requirement("CKS-QUOTA-001")
def test_the_quota_is_a_setting_with_the_documented_default() -> None:
    assert STORE_QUOTA == 10 and ReferenceModel(world()).store_quota == STORE_QUOTA
    model = ReferenceModel(world(), store_quota=1)
    created(model, public_request())
    expectation = model.create_custom_key_store(hsm_request())
    assert expectation.errors == {"LimitExceededException"}
    assert "OQ-32" in expectation.open_questions


# -- 5. default owner ------------------------------------------------------------------------
@pytest.mark.requirement("CKS-OWNER-001", "CKS-OWNER-002")
@pytest.mark.parametrize("owner", [None, "999988887777"])
def test_the_default_owner_is_the_worlds_account(owner: str | None) -> None:
    account = "999988887777"  # e.g. what STS reports on the aws target
    model = ReferenceModel(
        world(
            account_id=account,
            vpc_endpoint_services=(VpcEndpointService(SERVICE, account, VPC_HOST),),
        )
    )
    request = vpc_request() if owner is None else vpc_request(XksProxyVpcEndpointServiceOwner=owner)
    store_id = created(model, request)
    assert not model.stores[store_id].owner_explicit  # the caller's own account (OQ-3)
    check = model.describe_custom_key_stores(ident(store_id)).response
    assert check is not None
    page = model.execute("DescribeCustomKeyStores", ident(store_id)).response
    entry = page["CustomKeyStores"][0]
    assert entry["XksProxyConfiguration"]["VpcEndpointServiceOwner"] == account
    placeholder = {**entry["XksProxyConfiguration"], "VpcEndpointServiceOwner": ACCOUNT}
    assert check.mismatches({"CustomKeyStores": [{**entry, "XksProxyConfiguration": placeholder}]})
    assert model.execute("ConnectCustomKeyStore", ident(store_id)).succeeded
    assert model.settlements(store_id) == {Settlement("CONNECTED")}
    again = model.create_custom_key_store(
        vpc_request("again", XksProxyUriEndpoint="https://b.example.com")
    )
    assert "XksProxyVpcEndpointServiceInUseException" in again.errors  # same owner: in use


# -- 6. open questions -------------------------------------------------------------------------
def test_every_open_question_the_model_names_is_registered() -> None:
    root = Path(__file__).resolve().parents[2] / "conformance" / "model"
    named = {oq for path in root.glob("*.py") for oq in re.findall(r"OQ-\d+", path.read_text())}
    assert named and named <= set(OPEN_QUESTIONS), sorted(named - set(OPEN_QUESTIONS))
    assert [f"OQ-{n}" for n in range(1, 34)] == list(OPEN_QUESTIONS)[:33]
