"""CreateCustomKeyStore: per-type members, grammar, backend checks, quota (digest §4-§5.4)."""

from __future__ import annotations

import dataclasses

import pytest
from model_builders import (
    ACCOUNT,
    CLUSTER,
    PUBLIC_ENDPOINT,
    SERVICE,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    STORE_QUOTA,
    VALIDATION_EXCEPTION,
    CloudHsmCluster,
    Outcome,
    ProxyBehaviour,
    ProxyCredential,
    ReferenceModel,
    VpcEndpointService,
    XksProxy,
)

UNREACHABLE = "XksProxyUriUnreachableException"
INVALID_CONFIGURATION = "XksProxyInvalidConfigurationException"


@pytest.mark.requirement("CKS-CREATE-001", "CKS-CREATE-007", "CKS-CREATE-009")
@pytest.mark.parametrize("request_", [hsm_request(), public_request(), vpc_request()])
def test_valid_create_returns_a_fresh_id_and_the_store_starts_disconnected(
    model: ReferenceModel, request_: dict[str, object]
) -> None:
    expectation = model.create_custom_key_store(request_)
    assert expectation.success and expectation.deterministic
    outcome = model.execute("CreateCustomKeyStore", request_)
    store_id = outcome.response["CustomKeyStoreId"]
    assert model.stores[store_id].state == "DISCONNECTED"
    again = model.create_custom_key_store(
        public_request("other", XksProxyUriPath="/other/kms/xks/v1")
    )
    assert again.response is not None
    assert again.response.mismatches({"CustomKeyStoreId": store_id})  # an ID already in use
    assert not again.response.mismatches({"CustomKeyStoreId": "cks-target-chosen-1"})


@pytest.mark.requirement("CKS-CREATE-002")
def test_omitted_type_means_cloudhsm_and_xks_members_are_then_not_required(
    model: ReferenceModel,
) -> None:
    store_id = model.execute("CreateCustomKeyStore", hsm_request()).response["CustomKeyStoreId"]
    assert model.stores[store_id].store_type == "AWS_CLOUDHSM"
    xks_without_type = public_request()
    del xks_without_type["CustomKeyStoreType"]
    expectation = model.create_custom_key_store(xks_without_type)
    assert not expectation.success  # a CloudHSM store without cluster, anchor, password
    assert {v.field for v in expectation.verdicts if v.requirement_id == "CKS-CREATE-003"} == {
        "CloudHsmClusterId",
        "TrustAnchorCertificate",
        "KeyStorePassword",
    }


@pytest.mark.requirement("CKS-CREATE-003")
@pytest.mark.parametrize(
    "member", ["CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"]
)
def test_cloudhsm_store_needs_cluster_anchor_and_password(
    model: ReferenceModel, member: str
) -> None:
    request = hsm_request()
    del request[member]
    expectation = model.create_custom_key_store(request)
    assert not expectation.success and VALIDATION_EXCEPTION in expectation.errors
    assert "OQ-12" in expectation.open_questions


@pytest.mark.requirement("CKS-CREATE-004")
@pytest.mark.parametrize(
    "member",
    [
        "XksProxyConnectivity",
        "XksProxyUriEndpoint",
        "XksProxyUriPath",
        "XksProxyAuthenticationCredential",
    ],
)
def test_external_store_needs_connectivity_endpoint_path_and_credential(
    model: ReferenceModel, member: str
) -> None:
    request = public_request()
    del request[member]
    expectation = model.create_custom_key_store(request)
    assert not expectation.success and VALIDATION_EXCEPTION in expectation.errors
    assert "OQ-12" in expectation.open_questions


@pytest.mark.requirement("CKS-CREATE-005")
def test_vpc_store_needs_a_service_name(model: ReferenceModel) -> None:
    request = vpc_request()
    del request["XksProxyVpcEndpointServiceName"]
    expectation = model.create_custom_key_store(request)
    assert not expectation.success
    assert {VALIDATION_EXCEPTION, "XksProxyVpcEndpointServiceNotFoundException"} <= set(
        expectation.errors
    )


@pytest.mark.requirement("CKS-CREATE-006")
@pytest.mark.parametrize(
    "request_",
    [
        hsm_request(XksProxyUriPath="/kms/xks/v1"),
        public_request(KeyStorePassword="kmsuser-pass"),
        public_request(XksProxyVpcEndpointServiceName=SERVICE),
    ],
)
def test_members_of_the_other_type_are_ignored_or_refused(
    model: ReferenceModel, request_: dict[str, object]
) -> None:
    expectation = model.create_custom_key_store(request_)
    assert expectation.success and VALIDATION_EXCEPTION in expectation.errors
    assert "OQ-13" in expectation.open_questions
    model.apply("CreateCustomKeyStore", request_, Outcome.success({"CustomKeyStoreId": "cks-x"}))
    store = model.stores["cks-x"]
    assert store.key_store_password is None if store.is_xks else store.uri_path is None
    assert store.service_name is None


@pytest.mark.requirement("CKS-CREATE-008")
def test_refused_create_leaves_no_store(model: ReferenceModel) -> None:
    request = public_request(XksProxyUriEndpoint="https://down.example.com")
    assert model.create_custom_key_store(request).errors == {UNREACHABLE}
    model.apply("CreateCustomKeyStore", request, Outcome.failure(UNREACHABLE))
    assert model.execute("CreateCustomKeyStore", request) == Outcome.failure(UNREACHABLE)
    assert model.stores == {}


@pytest.mark.requirement("CKS-XKS-001")
def test_ip_address_endpoint_may_be_refused() -> None:
    endpoint = "https://192.0.2.10"
    model = ReferenceModel(world(proxies=(XksProxy(endpoint, "/kms/xks/v1"),)))
    expectation = model.create_custom_key_store(public_request(XksProxyUriEndpoint=endpoint))
    assert expectation.success
    assert {VALIDATION_EXCEPTION, INVALID_CONFIGURATION} <= set(expectation.errors)


@pytest.mark.requirement("CKS-XKS-002")
@pytest.mark.parametrize("path", ["/kms/xks/v2", "/kms/xks/v10", "/pfx/kms/xks/v99"])
def test_other_api_versions_are_open(path: str) -> None:
    model = ReferenceModel(world(proxies=(XksProxy(PUBLIC_ENDPOINT, path),)))
    expectation = model.create_custom_key_store(public_request(XksProxyUriPath=path))
    assert expectation.success and "OQ-15" in expectation.open_questions
    assert VALIDATION_EXCEPTION in expectation.errors


@pytest.mark.requirement("CKS-XKS-003")
@pytest.mark.parametrize(
    "behaviour",
    [ProxyBehaviour.UNREACHABLE, ProxyBehaviour.TIMEOUT, ProxyBehaviour.ALL_EKMS_UNAVAILABLE],
)
def test_unreachable_public_proxy_fails_create(behaviour: ProxyBehaviour) -> None:
    model = ReferenceModel(world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", behaviour),)))
    assert model.create_custom_key_store(public_request()).errors == {UNREACHABLE}
    nobody = ReferenceModel(world(proxies=()))
    assert nobody.create_custom_key_store(public_request()).errors == {UNREACHABLE}


@pytest.mark.requirement("CKS-XKS-004")
def test_credential_the_proxy_rejects_fails_create() -> None:
    picky = XksProxy(
        PUBLIC_ENDPOINT, "/kms/xks/v1", credentials=(ProxyCredential("B" * 20, "t" * 43),)
    )
    model = ReferenceModel(world(proxies=(picky,)))
    assert model.create_custom_key_store(public_request()).errors == {
        "XksProxyIncorrectAuthenticationCredentialException"
    }
    ok = public_request(
        XksProxyAuthenticationCredential={"AccessKeyId": "B" * 20, "RawSecretAccessKey": "t" * 43}
    )
    assert model.create_custom_key_store(ok).success


@pytest.mark.requirement("CKS-XKS-005")
def test_path_the_proxy_does_not_serve_is_a_configuration_error(model: ReferenceModel) -> None:
    request = public_request(XksProxyUriPath="/nothing/kms/xks/v1")
    assert model.create_custom_key_store(request).errors == {INVALID_CONFIGURATION}
    wrong = ReferenceModel(
        world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.WRONG_URI_PATH),))
    )
    assert wrong.create_custom_key_store(public_request()).errors == {INVALID_CONFIGURATION}


@pytest.mark.requirement("CKS-XKS-006")
def test_bad_tls_is_unreachable_or_misconfigured() -> None:
    model = ReferenceModel(
        world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.BAD_TLS),))
    )
    expectation = model.create_custom_key_store(public_request())
    assert expectation.errors == {UNREACHABLE, INVALID_CONFIGURATION}
    assert not expectation.success and expectation.open_questions == ("OQ-25",)


@pytest.mark.requirement("CKS-XKS-007")
def test_malformed_proxy_answer_is_an_invalid_response() -> None:
    model = ReferenceModel(
        world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.INVALID_RESPONSE),))
    )
    assert model.create_custom_key_store(public_request()).errors == {
        "XksProxyInvalidResponseException"
    }


@pytest.mark.requirement("CKS-VPC-001")
def test_vpc_endpoint_must_be_the_private_dns_name(model: ReferenceModel) -> None:
    request = vpc_request(XksProxyUriEndpoint=PUBLIC_ENDPOINT)
    expectation = model.create_custom_key_store(request)
    assert INVALID_CONFIGURATION in expectation.errors and "OQ-7" in expectation.open_questions


@pytest.mark.requirement("CKS-VPC-002")
@pytest.mark.parametrize(
    "service",
    [
        None,
        VpcEndpointService(SERVICE, ACCOUNT, "vpc-xks.example.com", allows_kms_principal=False),
        VpcEndpointService(SERVICE, ACCOUNT, "vpc-xks.example.com", exists=False),
    ],
)
def test_missing_or_closed_service_is_not_found(service: VpcEndpointService | None) -> None:
    model = ReferenceModel(world(vpc_endpoint_services=() if service is None else (service,)))
    expectation = model.create_custom_key_store(vpc_request())
    assert "XksProxyVpcEndpointServiceNotFoundException" in expectation.errors
    assert expectation.success and "OQ-7" in expectation.open_questions  # sync check is open


@pytest.mark.requirement("CKS-VPC-003")
def test_non_conformant_service_is_invalid_configuration() -> None:
    service = VpcEndpointService(SERVICE, ACCOUNT, "vpc-xks.example.com", conformant=False)
    model = ReferenceModel(world(vpc_endpoint_services=(service,)))
    expectation = model.create_custom_key_store(vpc_request())
    assert "XksProxyVpcEndpointServiceInvalidConfigurationException" in expectation.errors


@pytest.mark.requirement("CKS-VPC-004")
def test_service_name_partition_must_match_the_region() -> None:
    eu_name = "eu.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    expectation = ReferenceModel(world()).create_custom_key_store(
        vpc_request(XksProxyVpcEndpointServiceName=eu_name)
    )
    assert not expectation.success and "OQ-27" in expectation.open_questions
    eusc = "eusc-de-east-1"
    eu_service = "eu.amazonaws.vpce.eusc-de-east-1.vpce-svc-0123456789abcdef0"
    sovereign = ReferenceModel(
        world(
            region=eusc,
            vpc_endpoint_services=(VpcEndpointService(eu_service, ACCOUNT, "vpc-xks.example.com"),),
        )
    )
    assert sovereign.create_custom_key_store(
        vpc_request(XksProxyVpcEndpointServiceName=eu_service)
    ).deterministic


@pytest.mark.requirement("CKS-VPC-005")
def test_service_of_another_region_is_not_found(model: ReferenceModel) -> None:
    name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
    expectation = model.create_custom_key_store(vpc_request(XksProxyVpcEndpointServiceName=name))
    assert "XksProxyVpcEndpointServiceNotFoundException" in expectation.errors


@pytest.mark.requirement("CKS-HSM-001", "CKS-HSM-002", "CKS-HSM-003", "CKS-HSM-004")
def test_cluster_checks_on_create() -> None:
    def create_with(cluster: CloudHsmCluster | None, **changes: object) -> frozenset[str]:
        clusters = () if cluster is None else (cluster,)
        return (
            ReferenceModel(world(clusters=clusters))
            .create_custom_key_store(hsm_request(**changes))
            .errors
        )

    base = world().cluster(CLUSTER)
    assert base is not None
    assert create_with(None) == {"CloudHsmClusterNotFoundException"}
    assert create_with(dataclasses.replace(base, active=False)) == {
        "CloudHsmClusterNotActiveException"
    }
    for broken in ({"hsm_count": 1}, {"availability_zones": 1}, {"network_ok": False}):
        assert create_with(dataclasses.replace(base, **broken)) == {  # type: ignore[arg-type]
            "CloudHsmClusterInvalidConfigurationException"
        }
    assert create_with(base, TrustAnchorCertificate="other") == {"IncorrectTrustAnchorException"}


@pytest.mark.requirement("CKS-QUOTA-001")
def test_eleventh_store_exceeds_the_quota() -> None:
    world_with_paths = world(
        proxies=tuple(
            XksProxy(PUBLIC_ENDPOINT, f"/p{n}/kms/xks/v1") for n in range(STORE_QUOTA + 1)
        )
    )
    model = ReferenceModel(world_with_paths)
    for n in range(STORE_QUOTA):
        assert model.execute(
            "CreateCustomKeyStore", public_request(f"s{n}", XksProxyUriPath=f"/p{n}/kms/xks/v1")
        ).succeeded
    last = public_request("last", XksProxyUriPath=f"/p{STORE_QUOTA}/kms/xks/v1")
    assert model.create_custom_key_store(last).errors == {"LimitExceededException"}
    model.execute("DeleteCustomKeyStore", {"CustomKeyStoreId": next(iter(model.stores))})
    assert model.create_custom_key_store(last).success
