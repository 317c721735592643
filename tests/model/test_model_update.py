"""UpdateCustomKeyStore: fields by state, connectivity switches, checks (CKS-UPDATE-*)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from model_builders import (
    CLUSTER,
    PUBLIC_ENDPOINT,
    SERVICE,
    SIBLING,
    STRANGER,
    VPC_HOST,
    connected,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    PARAM_VALIDATION_ERROR,
    VALIDATION_EXCEPTION,
    Outcome,
    OutcomeNotAllowedError,
    ProxyBehaviour,
    ReferenceModel,
    XksProxy,
)

INVALID_STATE = "CustomKeyStoreInvalidStateException"
NEW_CREDENTIAL = {"AccessKeyId": "ZYXWVUTSRQPONMLKJIHG", "RawSecretAccessKey": "n" * 44}


def update(store_id: str, **members: Any) -> dict[str, Any]:
    return {"CustomKeyStoreId": store_id, **members}


def failed_public_store(model: ReferenceModel) -> str:
    """A PUBLIC store whose Connect failed because its proxy went down."""
    store_id = created(model, public_request())
    down = tuple(
        dataclasses.replace(p, behaviour=ProxyBehaviour.UNREACHABLE) for p in model.world.proxies
    )
    model.set_world(dataclasses.replace(model.world, proxies=down))
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    model.settle(store_id)
    model.set_world(world())
    assert model.stores[store_id].state == "FAILED"
    return store_id


@pytest.mark.requirement("CKS-UPDATE-001")
@pytest.mark.parametrize(
    "members",
    [
        {"NewCustomKeyStoreName": "renamed"},
        {"XksProxyAuthenticationCredential": NEW_CREDENTIAL},
        {"XksProxyUriPath": "/other/kms/xks/v1"},
    ],
)
def test_xks_hot_fields_change_while_connected(
    model: ReferenceModel, members: dict[str, Any]
) -> None:
    store_id = connected(model, public_request())
    expectation = model.update_custom_key_store(update(store_id, **members))
    assert expectation.success and expectation.deterministic
    model.execute("UpdateCustomKeyStore", update(store_id, **members))
    assert model.stores[store_id].state == "CONNECTED"


@pytest.mark.requirement("CKS-UPDATE-002")
def test_xks_hot_fields_in_failed_or_transient_states_are_open(model: ReferenceModel) -> None:
    failed = failed_public_store(model)
    expectation = model.update_custom_key_store(update(failed, NewCustomKeyStoreName="n"))
    assert expectation.success and expectation.errors == {INVALID_STATE}
    assert "OQ-16" in expectation.open_questions
    connecting = created(model, public_request("c", XksProxyUriPath="/other/kms/xks/v1"))
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": connecting})
    assert model.stores[connecting].state == "CONNECTING"
    assert model.update_custom_key_store(update(connecting, NewCustomKeyStoreName="m")).success


@pytest.mark.requirement("CKS-UPDATE-003")
@pytest.mark.parametrize(
    "members",
    [
        {"XksProxyUriEndpoint": "https://down.example.com"},
        {
            "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
            "XksProxyUriEndpoint": f"https://{VPC_HOST}",
            "XksProxyVpcEndpointServiceName": SERVICE,
        },
    ],
)
def test_xks_cold_fields_need_disconnected(model: ReferenceModel, members: dict[str, Any]) -> None:
    store_id = connected(model, public_request())
    expectation = model.update_custom_key_store(update(store_id, **members))
    assert INVALID_STATE in expectation.errors and not expectation.success
    failed = failed_public_store(ReferenceModel(world()))
    assert failed  # FAILED is not DISCONNECTED either
    assert any(v.requirement_id == "CKS-UPDATE-003" for v in expectation.verdicts)


@pytest.mark.requirement("CKS-UPDATE-004")
def test_cloudhsm_store_may_be_renamed_while_connected(model: ReferenceModel) -> None:
    store_id = connected(model, hsm_request())
    assert model.stores[store_id].state == "CONNECTED"
    expectation = model.update_custom_key_store(update(store_id, NewCustomKeyStoreName="r"))
    assert expectation.success and expectation.deterministic


@pytest.mark.requirement("CKS-UPDATE-005")
@pytest.mark.parametrize(
    "members", [{"KeyStorePassword": "another-pass"}, {"CloudHsmClusterId": SIBLING}]
)
def test_cloudhsm_password_and_cluster_need_disconnected(
    model: ReferenceModel, members: dict[str, Any]
) -> None:
    store_id = connected(model, hsm_request())
    assert model.update_custom_key_store(update(store_id, **members)).errors == {INVALID_STATE}
    model.execute("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert model.update_custom_key_store(update(store_id, **members)).errors == {INVALID_STATE}
    model.settle(store_id)
    assert model.update_custom_key_store(update(store_id, **members)).success


@pytest.mark.requirement("CKS-UPDATE-006")
def test_connected_update_mixing_hot_and_cold_is_refused_whole(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    mixed = update(store_id, NewCustomKeyStoreName="n", XksProxyUriEndpoint="https://x.example.com")
    expectation = model.update_custom_key_store(mixed)
    assert expectation.errors >= {INVALID_STATE} and not expectation.success
    assert "OQ-17" in expectation.open_questions
    with pytest.raises(OutcomeNotAllowedError, match="expected CustomKeyStoreInvalidState"):
        model.apply("UpdateCustomKeyStore", mixed, Outcome.success())
    assert model.stores[store_id].name == "pub"


@pytest.mark.requirement("CKS-UPDATE-007")
def test_switch_to_vpc_needs_endpoint_and_service(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    bare = model.update_custom_key_store(
        update(store_id, XksProxyConnectivity="VPC_ENDPOINT_SERVICE")
    )
    assert not bare.success and VALIDATION_EXCEPTION in bare.errors
    full = update(
        store_id,
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyUriEndpoint=f"https://{VPC_HOST}",
        XksProxyVpcEndpointServiceName=SERVICE,
    )
    assert model.update_custom_key_store(full).success
    model.execute("UpdateCustomKeyStore", full)
    store = model.stores[store_id]
    assert store.is_vpc and store.service_name == SERVICE and store.uri_endpoint.endswith(VPC_HOST)


@pytest.mark.requirement("CKS-UPDATE-008")
def test_switch_to_public_needs_endpoint_and_no_service_name(model: ReferenceModel) -> None:
    store_id = created(model, vpc_request())
    to_public = update(store_id, XksProxyConnectivity="PUBLIC_ENDPOINT")
    assert not model.update_custom_key_store(to_public).success
    with_endpoint = {**to_public, "XksProxyUriEndpoint": PUBLIC_ENDPOINT}
    assert model.update_custom_key_store(with_endpoint).success
    empty = {**with_endpoint, "XksProxyVpcEndpointServiceName": ""}
    assert model.update_custom_key_store(empty).errors == {PARAM_VALIDATION_ERROR}
    unvalidated = ReferenceModel(world(), client_validation=False)
    vpc_id = created(unvalidated, vpc_request())
    expectation = unvalidated.update_custom_key_store({**empty, "CustomKeyStoreId": vpc_id})
    assert expectation.success and expectation.errors == {VALIDATION_EXCEPTION}
    assert "OQ-10" in expectation.open_questions


@pytest.mark.requirement("CKS-UPDATE-009")
def test_members_of_the_other_type_are_open_on_update(model: ReferenceModel) -> None:
    hsm = created(model, hsm_request())
    xks = created(model, public_request())
    for request in (
        update(hsm, XksProxyUriPath="/kms/xks/v1"),
        update(xks, KeyStorePassword="whatever1"),
    ):
        expectation = model.update_custom_key_store(request)
        assert expectation.success and VALIDATION_EXCEPTION in expectation.errors
        assert "OQ-13" in expectation.open_questions


@pytest.mark.requirement("CKS-UPDATE-010")
def test_omitted_members_stay_and_changes_show_in_describe(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    before = model.stores[store_id]
    model.execute("UpdateCustomKeyStore", update(store_id, XksProxyUriPath="/other/kms/xks/v1"))
    after = model.stores[store_id]
    assert after.uri_path == "/other/kms/xks/v1"
    assert (after.name, after.uri_endpoint, after.access_key_id) == (
        before.name,
        before.uri_endpoint,
        before.access_key_id,
    )
    described = model.execute("DescribeCustomKeyStores", {"CustomKeyStoreId": store_id})
    assert described.response["CustomKeyStores"][0]["XksProxyConfiguration"]["UriPath"] == (
        "/other/kms/xks/v1"
    )
    assert model.update_custom_key_store(update(store_id)).success


@pytest.mark.requirement("CKS-XKS-008")
def test_credential_update_always_sends_both_parts(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    half = update(store_id, XksProxyAuthenticationCredential={"AccessKeyId": "A" * 20})
    assert model.update_custom_key_store(half).errors == {PARAM_VALIDATION_ERROR}


@pytest.mark.requirement("CKS-XKS-009")
def test_update_checks_the_proxy_with_the_new_values(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    broken = update(store_id, XksProxyUriEndpoint="https://down.example.com")
    assert model.update_custom_key_store(broken).errors == {"XksProxyUriUnreachableException"}
    model.set_world(
        world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.UNREACHABLE),))
    )
    rename = model.update_custom_key_store(update(store_id, NewCustomKeyStoreName="n"))
    assert rename.success and rename.errors == {"XksProxyUriUnreachableException"}
    assert "OQ-24" in rename.open_questions


@pytest.mark.requirement("CKS-HSM-005")
def test_update_cluster_must_share_backup_history(model: ReferenceModel) -> None:
    store_id = created(model, hsm_request())
    assert model.update_custom_key_store(update(store_id, CloudHsmClusterId=SIBLING)).success
    assert model.update_custom_key_store(update(store_id, CloudHsmClusterId=STRANGER)).errors == {
        "CloudHsmClusterNotRelatedException"
    }
    assert model.stores[store_id].cluster_id == CLUSTER


@pytest.mark.requirement("CKS-HSM-006")
def test_password_only_informs_kms_and_a_wrong_one_fails_at_connect(model: ReferenceModel) -> None:
    store_id = created(model, hsm_request())
    assert model.execute("UpdateCustomKeyStore", update(store_id, KeyStorePassword="wrong-pass"))
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert {s.error_code for s in model.settlements(store_id) if not s.alternative} == {
        "INVALID_CREDENTIALS"
    }
    cluster = model.world.cluster(CLUSTER)
    assert cluster is not None and cluster.kmsuser_password != "wrong-pass"


@pytest.mark.requirement("CKS-UPDATE-004", "CKS-OWNER-003")
def test_state_rules_name_the_right_rule(model: ReferenceModel) -> None:
    hsm = created(model, hsm_request())
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": hsm})  # CONNECTING
    rename = model.update_custom_key_store(update(hsm, NewCustomKeyStoreName="r"))
    assert rename.errors == {INVALID_STATE}
    assert [v.requirement_id for v in rename.verdicts] == ["CKS-UPDATE-004"]
    public = connected(model, public_request())
    owner = model.update_custom_key_store(update(public, XksProxyVpcEndpointServiceOwner="1" * 12))
    assert owner.success and INVALID_STATE not in owner.errors  # n/a on PUBLIC, not cold
    assert "OQ-1" in owner.open_questions
