"""The two validation layers, driven only by botocore's constraints (CKS-SHAPE-*, CKS-ERR-*)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from model_builders import CREDENTIAL, hsm_request, public_request, vpc_request, world

from conformance.model import (
    CLIENT_SERIALIZATION_ERROR,
    PARAM_VALIDATION_ERROR,
    SERIALIZATION_EXCEPTION,
    VALIDATION_EXCEPTION,
    ReferenceModel,
)
from conformance.model.validation import client_verdicts, server_verdicts
from conformance.spec import botocore_model

C, U, D = "CreateCustomKeyStore", "UpdateCustomKeyStore", "DescribeCustomKeyStores"

# (requirement, operation, request, field) whose only objection is a server-side ValidationException
SERVER_SHAPE_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("CKS-SHAPE-001", "ConnectCustomKeyStore", {"CustomKeyStoreId": "c" * 65}, "CustomKeyStoreId"),
    ("CKS-SHAPE-002", C, hsm_request("n" * 257), "CustomKeyStoreName"),
    ("CKS-SHAPE-003", C, hsm_request(CloudHsmClusterId="cluster-" + "a" * 17), "CloudHsmClusterId"),
    ("CKS-SHAPE-004", C, hsm_request(CloudHsmClusterId="cluster-1a23b4cdefg"), "CloudHsmClusterId"),
    ("CKS-SHAPE-005", C, hsm_request(TrustAnchorCertificate="x" * 5001), "TrustAnchorCertificate"),
    ("CKS-SHAPE-006", C, hsm_request(KeyStorePassword="p" * 33), "KeyStorePassword"),
    ("CKS-SHAPE-007", C, hsm_request(CustomKeyStoreType="CLOUDHSM"), "CustomKeyStoreType"),
    (
        "CKS-SHAPE-008",
        C,
        public_request(XksProxyUriEndpoint="https://" + "a" * 121),
        "XksProxyUriEndpoint",
    ),
    (
        "CKS-SHAPE-009",
        C,
        public_request(XksProxyUriEndpoint="https://xks.example.com:443"),
        "XksProxyUriEndpoint",
    ),
    (
        "CKS-SHAPE-009",
        C,
        public_request(XksProxyUriEndpoint="HTTPS://xks.example.com"),
        "XksProxyUriEndpoint",
    ),
    (
        "CKS-SHAPE-010",
        C,
        public_request(XksProxyUriPath="/" + "p" * 120 + "/kms/xks/v1"),
        "XksProxyUriPath",
    ),
    ("CKS-SHAPE-011", C, public_request(XksProxyUriPath="/kms/xks/v1/"), "XksProxyUriPath"),
    ("CKS-SHAPE-011", C, public_request(XksProxyUriPath="/kms/xks/v100"), "XksProxyUriPath"),
    ("CKS-SHAPE-011", C, public_request(XksProxyUriPath="//kms/xks/v1"), "XksProxyUriPath"),
    (
        "CKS-SHAPE-012",
        C,
        vpc_request(
            XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-" + "0" * 40
        ),
        "XksProxyVpcEndpointServiceName",
    ),
    (
        "CKS-SHAPE-013",
        C,
        vpc_request(XksProxyVpcEndpointServiceName="org.amazonaws.vpce.us-east-1.vpce-svc-0abc"),
        "XksProxyVpcEndpointServiceName",
    ),
    (
        "CKS-SHAPE-014",
        C,
        vpc_request(XksProxyVpcEndpointServiceOwner="11112222333x"),
        "XksProxyVpcEndpointServiceOwner",
    ),
    (
        "CKS-SHAPE-014",
        C,
        vpc_request(XksProxyVpcEndpointServiceOwner="1111222233334"),
        "XksProxyVpcEndpointServiceOwner",
    ),
    (
        "CKS-SHAPE-016",
        C,
        public_request(
            XksProxyAuthenticationCredential={
                "AccessKeyId": "ABCDE12345670EXAMPLE",
                "RawSecretAccessKey": "s" * 43,
            }
        ),
        "XksProxyAuthenticationCredential.AccessKeyId",
    ),
    (
        "CKS-SHAPE-017",
        C,
        public_request(
            XksProxyAuthenticationCredential={
                "AccessKeyId": CREDENTIAL["AccessKeyId"],
                "RawSecretAccessKey": "s" * 42 + "!",
            }
        ),
        "XksProxyAuthenticationCredential.RawSecretAccessKey",
    ),
    ("CKS-SHAPE-018", C, public_request(XksProxyConnectivity="PUBLIC"), "XksProxyConnectivity"),
    ("CKS-SHAPE-019", D, {"Limit": 1001}, "Limit"),
    ("CKS-SHAPE-020", D, {"Marker": "m" * 1025}, "Marker"),
    ("CKS-SHAPE-020", D, {"Marker": "\u0100"}, "Marker"),
    (
        "CKS-SHAPE-024",
        "CreateKey",
        {"XksKeyId": "bad key", "Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": "cks-1"},
        "XksKeyId",
    ),
]


@pytest.mark.parametrize(
    ("operation", "request_", "field"),
    [
        pytest.param(op, r, f, marks=pytest.mark.requirement(rid, "CKS-ERR-005"), id=f"{rid}-{f}")
        for rid, op, r, f in SERVER_SHAPE_CASES
    ],
)
def test_shape_violation_passes_botocore_but_kms_answers_validation_exception(
    operation: str, request_: dict[str, Any], field: str
) -> None:
    assert client_verdicts(operation, request_) == ()
    verdicts = [v for v in server_verdicts(operation, request_) if v.field == field]
    assert verdicts and all(v.errors == {VALIDATION_EXCEPTION} for v in verdicts)
    expectation = ReferenceModel(world()).predict(operation, request_)
    assert not expectation.success
    assert VALIDATION_EXCEPTION in expectation.errors


@pytest.mark.requirement("CKS-SHAPE-015", "CKS-ERR-001")
def test_credential_without_its_secret_is_refused_by_botocore() -> None:
    request = public_request(XksProxyAuthenticationCredential={"AccessKeyId": "A" * 20})
    expectation = ReferenceModel(world()).create_custom_key_store(request)
    assert expectation.errors == {PARAM_VALIDATION_ERROR} and not expectation.success
    assert [v.field for v in expectation.verdicts] == [
        "XksProxyAuthenticationCredential.RawSecretAccessKey"
    ]


@pytest.mark.requirement("CKS-ERR-001")
@pytest.mark.parametrize("operation", ["ConnectCustomKeyStore", "DeleteCustomKeyStore", C, U])
def test_missing_required_member_is_a_client_error(operation: str) -> None:
    expectation = ReferenceModel(world()).predict(operation, {})
    assert expectation.errors == {PARAM_VALIDATION_ERROR}
    assert expectation.verdicts[0].requirement_id == "CKS-ERR-001"


@pytest.mark.requirement("CKS-ERR-002")
def test_unknown_parameter_is_a_client_error() -> None:
    expectation = ReferenceModel(world()).predict(D, {"CustomKeyStoreIds": ["cks-1"]})
    assert expectation.errors == {PARAM_VALIDATION_ERROR}
    assert expectation.verdicts[0].field == "CustomKeyStoreIds"


@pytest.mark.requirement("CKS-ERR-003")
@pytest.mark.parametrize(
    "request_",
    [
        None,
        "cks-1",
        {"CustomKeyStoreId": None},
        {"CustomKeyStoreId": 7},
        {"CustomKeyStoreId": b"cks-1"},
    ],
)
def test_wrong_python_types_are_client_errors_never_exceptions(request_: object) -> None:
    expectation = ReferenceModel(world()).predict("ConnectCustomKeyStore", request_)
    assert expectation.errors == {PARAM_VALIDATION_ERROR} and not expectation.success


@pytest.mark.requirement("CKS-ERR-003", "CKS-SHAPE-019")
def test_bool_limit_passes_botocore_as_an_int() -> None:
    assert client_verdicts(D, {"Limit": True}) == ()
    assert ReferenceModel(world()).describe_custom_key_stores({"Limit": True}).success


@pytest.mark.requirement("CKS-ERR-004")
@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        (D, {"Limit": 0}),
        (D, {"CustomKeyStoreName": ""}),
        (C, hsm_request(KeyStorePassword="short")),
        (C, public_request(XksProxyUriEndpoint="https://a")),
    ],
)
def test_below_min_is_a_client_error(operation: str, request_: dict[str, Any]) -> None:
    expectation = ReferenceModel(world()).predict(operation, request_)
    assert expectation.errors == {PARAM_VALIDATION_ERROR}
    assert any(v.requirement_id == "CKS-ERR-004" for v in expectation.verdicts)


@pytest.mark.requirement("CKS-ERR-006", "CKS-SHAPE-011")
def test_pattern_matching_is_full_and_ascii() -> None:
    trailing_newline = public_request(XksProxyUriPath="/kms/xks/v1\n")
    arabic_digit = public_request(XksProxyUriPath="/kms/xks/v\u0661")
    for request in (trailing_newline, arabic_digit):
        assert (
            VALIDATION_EXCEPTION in ReferenceModel(world()).create_custom_key_store(request).errors
        )
    accepted = public_request(XksProxyUriPath="///kms/xks/v1")
    assert not [v for v in server_verdicts(C, accepted) if v.field == "XksProxyUriPath"]


@pytest.mark.requirement("CKS-ERR-007", "CKS-SHAPE-007")
def test_enum_values_are_checked_by_kms_not_botocore() -> None:
    request = hsm_request(CustomKeyStoreType="aws_cloudhsm")
    assert client_verdicts(C, request) == ()
    assert ReferenceModel(world()).create_custom_key_store(request).errors == {VALIDATION_EXCEPTION}


@pytest.mark.requirement("CKS-ERR-008")
@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({}, {VALIDATION_EXCEPTION}),
        ({"CustomKeyStoreId": ""}, {VALIDATION_EXCEPTION, "CustomKeyStoreNotFoundException"}),
        ({"CustomKeyStoreId": 5}, {VALIDATION_EXCEPTION, SERIALIZATION_EXCEPTION}),
        ({"CustomKeyStoreId": None}, {VALIDATION_EXCEPTION, SERIALIZATION_EXCEPTION}),
        (
            {"CustomKeyStoreId": "cks-1", "Extra": 1},
            {
                CLIENT_SERIALIZATION_ERROR,
                VALIDATION_EXCEPTION,
                SERIALIZATION_EXCEPTION,
                "CustomKeyStoreNotFoundException",
            },
        ),
    ],
)
def test_without_client_validation_the_server_layer_judges(
    request_: dict[str, Any], expected: set[str]
) -> None:
    expectation = ReferenceModel(world(), client_validation=False).connect_custom_key_store(
        request_
    )
    assert set(expectation.errors) == expected and not expectation.success


@pytest.mark.requirement("CKS-ERR-009")
def test_several_violations_allow_the_error_of_each() -> None:
    model = ReferenceModel(world())
    model.execute(C, hsm_request("dup"))
    request = public_request(
        "dup", XksProxyUriEndpoint="https://down.example.com", XksProxyUriPath="/kms/xks/v1"
    )
    expectation = model.create_custom_key_store(request)
    assert expectation.errors == {
        "CustomKeyStoreNameInUseException",
        "XksProxyUriUnreachableException",
    }
    assert not expectation.success and "OQ-21" in expectation.open_questions


@pytest.mark.requirement("CKS-ERR-010")
def test_astral_characters_near_max_leave_the_length_unit_open() -> None:
    max_length = botocore_model.member_constraint(C, "CustomKeyStoreName").max_length
    assert max_length is not None
    name = "\U0001f511" * max_length  # within max in code points, twice that in UTF-16
    expectation = ReferenceModel(world()).create_custom_key_store(hsm_request(name))
    assert expectation.success and expectation.errors == {VALIDATION_EXCEPTION}
    assert "OQ-22" in expectation.open_questions


@pytest.mark.requirement("CKS-SHAPE-004")
def test_unanchored_cluster_pattern_leaves_partial_matches_open() -> None:
    expectation = ReferenceModel(world()).create_custom_key_store(
        hsm_request(CloudHsmClusterId="xxcluster-abcdefghijk")
    )
    assert VALIDATION_EXCEPTION in expectation.errors and "OQ-14" in expectation.open_questions


@pytest.mark.requirement("CKS-SHAPE-014")
def test_shape_constraints_come_from_botocore_not_from_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = vpc_request(XksProxyVpcEndpointServiceOwner="1" * 13)
    assert VALIDATION_EXCEPTION in ReferenceModel(world()).create_custom_key_store(request).errors
    original = botocore_model.input_constraints

    def widened(operation: str) -> dict[str, botocore_model.MemberConstraint]:
        found = dict(original(operation))
        path = "XksProxyVpcEndpointServiceOwner"
        if path in found:
            found[path] = dataclasses.replace(found[path], max_length=13, pattern="[0-9]{12,13}")
        return found

    monkeypatch.setattr(botocore_model, "input_constraints", widened)
    owner_verdicts = [
        v
        for v in ReferenceModel(world()).create_custom_key_store(request).verdicts
        if v.field == "XksProxyVpcEndpointServiceOwner" and VALIDATION_EXCEPTION in v.errors
    ]
    assert owner_verdicts == []
