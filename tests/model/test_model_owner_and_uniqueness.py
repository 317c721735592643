"""The 2025-10-30 owner field (CKS-OWNER-*) and the uniqueness rules (CKS-UNIQ-*)."""

from __future__ import annotations

import pytest
from model_builders import (
    ACCOUNT,
    CLUSTER,
    OTHER_ACCOUNT,
    PUBLIC_ENDPOINT,
    SERVICE,
    SHARED_SERVICE,
    SIBLING,
    STRANGER,
    VPC_HOST,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    VALIDATION_EXCEPTION,
    Outcome,
    ReferenceModel,
    VpcEndpointService,
    XksProxy,
)

OWNER = "XksProxyVpcEndpointServiceOwner"
NAME_IN_USE = "CustomKeyStoreNameInUseException"
ENDPOINT_IN_USE = "XksProxyUriEndpointInUseException"


def described_config(model: ReferenceModel, store_id: str) -> dict[str, object]:
    page = model.execute("DescribeCustomKeyStores", {"CustomKeyStoreId": store_id})
    return dict(page.response["CustomKeyStores"][0]["XksProxyConfiguration"])


@pytest.mark.requirement("CKS-OWNER-001", "CKS-OWNER-007")
def test_owner_defaults_to_the_caller_and_describe_may_omit_it(model: ReferenceModel) -> None:
    store_id = created(model, vpc_request())
    assert model.stores[store_id].service_owner == ACCOUNT
    config = described_config(model, store_id)
    assert config["VpcEndpointServiceOwner"] == ACCOUNT
    check = model.describe_custom_key_stores({"CustomKeyStoreId": store_id}).response
    assert check is not None
    entry = model.execute("DescribeCustomKeyStores", {}).response["CustomKeyStores"][0]
    del entry["XksProxyConfiguration"]["VpcEndpointServiceOwner"]  # OQ-4: absent is acceptable
    assert check.mismatches({"CustomKeyStores": [entry]}) == ()
    entry["XksProxyConfiguration"]["VpcEndpointServiceOwner"] = OTHER_ACCOUNT
    assert check.mismatches({"CustomKeyStores": [entry]})


@pytest.mark.requirement("CKS-OWNER-002")
def test_caller_as_owner_is_the_same_as_omitting_it(model: ReferenceModel) -> None:
    explicit = model.create_custom_key_store(vpc_request(**{OWNER: ACCOUNT}))
    omitted = model.create_custom_key_store(vpc_request())
    assert (explicit.success, explicit.errors) == (omitted.success, omitted.errors)
    store_id = created(model, vpc_request(**{OWNER: ACCOUNT}))
    assert model.stores[store_id].service_owner == ACCOUNT


@pytest.mark.requirement("CKS-OWNER-003")
def test_owner_on_a_public_store_is_open(model: ReferenceModel) -> None:
    expectation = model.create_custom_key_store(public_request(**{OWNER: OTHER_ACCOUNT}))
    assert expectation.success and VALIDATION_EXCEPTION in expectation.errors
    assert "OQ-1" in expectation.open_questions
    store_id = created(model, public_request())
    update = model.update_custom_key_store({"CustomKeyStoreId": store_id, OWNER: ACCOUNT})
    assert update.success and "OQ-1" in update.open_questions


@pytest.mark.requirement("CKS-OWNER-004")
def test_owner_on_a_cloudhsm_store_is_open(model: ReferenceModel) -> None:
    expectation = model.create_custom_key_store(hsm_request(**{OWNER: ACCOUNT}))
    assert expectation.success and expectation.errors == {VALIDATION_EXCEPTION}
    assert expectation.open_questions == ("OQ-2",)


@pytest.mark.requirement("CKS-OWNER-005", "CKS-OWNER-006")
def test_owner_changes_only_when_disconnected_and_omission_keeps_it(model: ReferenceModel) -> None:
    request = vpc_request(XksProxyVpcEndpointServiceName=SHARED_SERVICE, **{OWNER: OTHER_ACCOUNT})
    store_id = created(model, request)
    model.execute(
        "UpdateCustomKeyStore", {"CustomKeyStoreId": store_id, "NewCustomKeyStoreName": "r"}
    )
    assert model.stores[store_id].service_owner == OTHER_ACCOUNT
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    model.settle(store_id)
    change = {
        "CustomKeyStoreId": store_id,
        OWNER: ACCOUNT,
        "XksProxyVpcEndpointServiceName": SERVICE,
    }
    expectation = model.update_custom_key_store(change)
    assert expectation.errors == {"CustomKeyStoreInvalidStateException"}
    assert not expectation.success
    owner_only = model.update_custom_key_store({"CustomKeyStoreId": store_id, OWNER: ACCOUNT})
    assert owner_only.verdicts[0].requirement_id == "CKS-OWNER-006"
    assert "OQ-6" in owner_only.open_questions
    model.execute("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    model.settle(store_id)
    assert model.execute("UpdateCustomKeyStore", change).succeeded
    assert model.stores[store_id].service_owner == ACCOUNT


@pytest.mark.requirement("CKS-OWNER-007", "CKS-DESCRIBE-008")
def test_explicit_owner_is_described_exactly_and_public_stores_show_none(
    model: ReferenceModel,
) -> None:
    vpc = created(
        model, vpc_request(XksProxyVpcEndpointServiceName=SHARED_SERVICE, **{OWNER: OTHER_ACCOUNT})
    )
    public = created(model, public_request())
    assert described_config(model, vpc)["VpcEndpointServiceOwner"] == OTHER_ACCOUNT
    assert "VpcEndpointServiceOwner" not in described_config(model, public)
    check = model.describe_custom_key_stores({"CustomKeyStoreId": vpc}).response
    assert check is not None
    entry = model.execute("DescribeCustomKeyStores", {"CustomKeyStoreId": vpc}).response[
        "CustomKeyStores"
    ][0]
    del entry["XksProxyConfiguration"]["VpcEndpointServiceOwner"]
    assert check.mismatches({"CustomKeyStores": [entry]})


@pytest.mark.requirement("CKS-OWNER-008")
def test_service_of_another_owner_is_looked_up_in_that_account(model: ReferenceModel) -> None:
    shared = vpc_request(XksProxyVpcEndpointServiceName=SHARED_SERVICE, **{OWNER: OTHER_ACCOUNT})
    assert model.create_custom_key_store(shared).deterministic
    wrong_owner = vpc_request(**{OWNER: OTHER_ACCOUNT})  # SERVICE exists only in ACCOUNT
    expectation = model.create_custom_key_store(wrong_owner)
    assert "XksProxyVpcEndpointServiceNotFoundException" in expectation.errors
    assert {"OQ-5", "OQ-7"} <= set(expectation.open_questions)
    store_id = "cks-followed"
    model.apply(
        "CreateCustomKeyStore", wrong_owner, Outcome.success({"CustomKeyStoreId": store_id})
    )
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert {s.error_code for s in model.settlements(store_id) if not s.alternative} == {
        "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
    }


@pytest.mark.requirement("CKS-UNIQ-001")
def test_store_names_are_unique_and_case_is_open(model: ReferenceModel) -> None:
    created(model, hsm_request("Name"))
    second = public_request("Name")
    assert model.create_custom_key_store(second).errors == {NAME_IN_USE}
    other_case = model.create_custom_key_store(public_request("NAME"))
    assert other_case.success and other_case.errors == {NAME_IN_USE}
    assert other_case.open_questions == ("OQ-22",)
    store_id = created(model, public_request("p"))
    rename = {"CustomKeyStoreId": store_id, "NewCustomKeyStoreName": "Name"}
    assert model.update_custom_key_store(rename).errors == {NAME_IN_USE}
    keep = {"CustomKeyStoreId": store_id, "NewCustomKeyStoreName": "p"}
    assert model.update_custom_key_store(keep).success


@pytest.mark.requirement("CKS-UNIQ-002", "CKS-UNIQ-003")
def test_endpoint_and_path_pairs_are_unique_but_endpoints_may_be_shared(
    model: ReferenceModel,
) -> None:
    created(model, public_request("a"))
    assert model.create_custom_key_store(public_request("b")).errors == {
        "XksProxyUriInUseException"
    }
    other_path = public_request("c", XksProxyUriPath="/other/kms/xks/v1")
    assert model.create_custom_key_store(other_path).deterministic
    assert model.create_custom_key_store(other_path).success


@pytest.mark.requirement("CKS-UNIQ-004")
def test_public_store_cannot_use_a_vpc_stores_endpoint() -> None:
    model = ReferenceModel(
        world(proxies=(*world().proxies, XksProxy(f"https://{VPC_HOST}", "/pub/kms/xks/v1")))
    )
    created(model, vpc_request())
    request = public_request(
        XksProxyUriEndpoint=f"https://{VPC_HOST}", XksProxyUriPath="/pub/kms/xks/v1"
    )
    assert model.create_custom_key_store(request).errors == {ENDPOINT_IN_USE}
    foreign = ReferenceModel(world(foreign_vpc_endpoints=frozenset({PUBLIC_ENDPOINT})))
    assert foreign.create_custom_key_store(public_request()).errors == {ENDPOINT_IN_USE}


@pytest.mark.requirement("CKS-UNIQ-005")
def test_each_vpc_store_has_its_own_endpoint(model: ReferenceModel) -> None:
    created(model, vpc_request("one"))
    second = vpc_request(
        "two", XksProxyVpcEndpointServiceName=SHARED_SERVICE, **{OWNER: OTHER_ACCOUNT}
    )
    expectation = model.create_custom_key_store(second)
    assert ENDPOINT_IN_USE in expectation.errors and not expectation.success


@pytest.mark.requirement("CKS-UNIQ-006")
def test_each_vpc_store_has_its_own_service_and_cross_account_keying_is_open() -> None:
    twin = VpcEndpointService(SERVICE, OTHER_ACCOUNT, "vpc2.example.com")
    model = ReferenceModel(
        world(
            vpc_endpoint_services=(*world().vpc_endpoint_services, twin),
            proxies=(*world().proxies, XksProxy("https://vpc2.example.com", "/kms/xks/v1")),
        )
    )
    created(model, vpc_request("one"))
    same = vpc_request("two", XksProxyUriEndpoint="https://vpc2.example.com")
    assert "XksProxyVpcEndpointServiceInUseException" in model.create_custom_key_store(same).errors
    cross = vpc_request(
        "three", XksProxyUriEndpoint="https://vpc2.example.com", **{OWNER: OTHER_ACCOUNT}
    )
    expectation = model.create_custom_key_store(cross)
    assert expectation.success and expectation.errors == {
        "XksProxyVpcEndpointServiceInUseException"
    }
    assert expectation.open_questions == ("OQ-8",)


@pytest.mark.requirement("CKS-UNIQ-007")
def test_cluster_and_its_backup_family_back_one_store(model: ReferenceModel) -> None:
    created(model, hsm_request("a"))
    in_use = {"CloudHsmClusterInUseException"}
    assert model.create_custom_key_store(hsm_request("b")).errors == in_use
    assert (
        model.create_custom_key_store(hsm_request("c", CloudHsmClusterId=SIBLING)).errors == in_use
    )
    assert model.create_custom_key_store(hsm_request("d", CloudHsmClusterId=STRANGER)).success
    assert CLUSTER != SIBLING
