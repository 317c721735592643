"""DescribeCustomKeyStores: filters, per-type fields, paging, secrecy (CKS-DESCRIBE/PAGE/SECRET)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from model_builders import (
    CREDENTIAL,
    PUBLIC_ENDPOINT,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    VALIDATION_EXCEPTION,
    Mismatch,
    Outcome,
    OutcomeNotAllowedError,
    ReferenceModel,
    XksProxy,
)

NOT_FOUND = "CustomKeyStoreNotFoundException"


def three_stores(model: ReferenceModel) -> tuple[str, str, str]:
    return (
        created(model, hsm_request()),
        created(model, public_request()),
        created(model, vpc_request()),
    )


def entries(model: ReferenceModel, request: dict[str, Any]) -> list[dict[str, Any]]:
    return list(model.execute("DescribeCustomKeyStores", request).response["CustomKeyStores"])


def check(
    model: ReferenceModel, request: dict[str, Any], response: dict[str, Any]
) -> tuple[Mismatch, ...]:
    return model.describe_custom_key_stores(request).mismatches(Outcome.success(response))


def rules(found: tuple[Mismatch, ...]) -> set[str]:
    return {m.requirement_id for m in found}


@pytest.mark.requirement("CKS-DESCRIBE-001", "CKS-PAGE-004")
def test_no_filter_lists_every_store_in_any_order(model: ReferenceModel) -> None:
    ids = three_stores(model)
    listed = entries(model, {})
    assert {e["CustomKeyStoreId"] for e in listed} == set(ids)
    assert check(model, {}, {"CustomKeyStores": listed[::-1], "Truncated": False}) == ()
    missing = check(model, {}, {"CustomKeyStores": listed[1:], "Truncated": False})
    assert rules(missing) == {"CKS-DESCRIBE-001"} and "missing" in str(missing[0])
    doubled = check(model, {}, {"CustomKeyStores": [*listed, listed[0]], "Truncated": False})
    assert rules(doubled) == {"CKS-PAGE-004"}


@pytest.mark.requirement("CKS-DESCRIBE-002")
def test_id_or_name_filter_selects_that_store(model: ReferenceModel) -> None:
    hsm, public, _ = three_stores(model)
    assert [e["CustomKeyStoreId"] for e in entries(model, {"CustomKeyStoreId": hsm})] == [hsm]
    assert [e["CustomKeyStoreId"] for e in entries(model, {"CustomKeyStoreName": "pub"})] == [
        public
    ]
    other = entries(model, {"CustomKeyStoreId": hsm})
    assert check(model, {"CustomKeyStoreId": public}, {"CustomKeyStores": other})


@pytest.mark.requirement("CKS-DESCRIBE-003")
def test_both_filters_are_open(model: ReferenceModel) -> None:
    hsm, public, _ = three_stores(model)
    both = {"CustomKeyStoreId": hsm, "CustomKeyStoreName": "pub"}
    expectation = model.describe_custom_key_stores(both)
    assert expectation.success and VALIDATION_EXCEPTION in expectation.errors
    assert "OQ-11" in expectation.open_questions
    assert (
        check(model, both, {"CustomKeyStores": entries(model, {"CustomKeyStoreId": public})}) == ()
    )


@pytest.mark.requirement("CKS-DESCRIBE-004")
@pytest.mark.parametrize(
    "request_", [{"CustomKeyStoreId": "cks-00000000000000077"}, {"CustomKeyStoreName": "nobody"}]
)
def test_unmatched_filter_is_not_found_not_empty(
    model: ReferenceModel, request_: dict[str, str]
) -> None:
    three_stores(model)
    expectation = model.describe_custom_key_stores(request_)
    assert expectation.errors == {NOT_FOUND} and not expectation.success


@pytest.mark.requirement("CKS-DESCRIBE-005", "CKS-SHAPE-021", "CKS-SHAPE-023")
def test_every_entry_reports_id_name_state_date_and_type(model: ReferenceModel) -> None:
    three_stores(model)
    listed = entries(model, {})
    for entry in listed:
        assert {
            "CustomKeyStoreId",
            "CustomKeyStoreName",
            "ConnectionState",
            "CreationDate",
            "CustomKeyStoreType",
        } <= set(entry)
        assert isinstance(entry["CreationDate"], datetime.datetime)
    undated = [{**listed[0], "CreationDate": "yesterday"}, *listed[1:]]
    assert check(model, {}, {"CustomKeyStores": undated})
    bad_state = [{**listed[0], "ConnectionState": "READY"}, *listed[1:]]
    assert check(model, {}, {"CustomKeyStores": bad_state})


@pytest.mark.requirement("CKS-DESCRIBE-006", "CKS-DESCRIBE-007")
def test_fields_follow_the_store_type(model: ReferenceModel) -> None:
    hsm, public, _ = three_stores(model)
    by_id = {e["CustomKeyStoreId"]: e for e in entries(model, {})}
    assert "XksProxyConfiguration" not in by_id[hsm] and by_id[hsm]["CloudHsmClusterId"]
    assert "CloudHsmClusterId" not in by_id[public]
    assert by_id[public]["XksProxyConfiguration"] == {
        "Connectivity": "PUBLIC_ENDPOINT",
        "AccessKeyId": CREDENTIAL["AccessKeyId"],
        "UriEndpoint": PUBLIC_ENDPOINT,
        "UriPath": "/kms/xks/v1",
    }
    leaked = {**by_id[public], "CloudHsmClusterId": "cluster-abcdefghijk"}
    assert check(model, {"CustomKeyStoreId": public}, {"CustomKeyStores": [leaked]})


@pytest.mark.requirement("CKS-DESCRIBE-008")
def test_vpc_fields_only_for_vpc_stores_and_open_after_a_switch(model: ReferenceModel) -> None:
    vpc = created(model, vpc_request())
    model.set_world(world(proxies=(XksProxy("https://other.example.com", "/kms/xks/v1"),)))
    vpc_entry = entries(model, {"CustomKeyStoreId": vpc})[0]
    old_name = vpc_entry["XksProxyConfiguration"]["VpcEndpointServiceName"]
    model.execute(
        "UpdateCustomKeyStore",
        {
            "CustomKeyStoreId": vpc,
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyUriEndpoint": "https://other.example.com",
        },
    )
    entry = entries(model, {"CustomKeyStoreId": vpc})[0]
    assert "VpcEndpointServiceName" not in entry["XksProxyConfiguration"]
    kept = {
        **entry,
        "XksProxyConfiguration": {
            **entry["XksProxyConfiguration"],
            "VpcEndpointServiceName": old_name,
        },
    }
    assert check(model, {"CustomKeyStoreId": vpc}, {"CustomKeyStores": [kept]}) == ()  # OQ-4


@pytest.mark.requirement("CKS-PAGE-001", "CKS-PAGE-002")
def test_pages_respect_limit_and_markers_continue(model: ReferenceModel) -> None:
    ids = three_stores(model)
    first = model.execute("DescribeCustomKeyStores", {"Limit": 2})
    assert len(first.response["CustomKeyStores"]) == 2 and first.response["Truncated"]
    marker = first.response["NextMarker"]
    second = model.execute("DescribeCustomKeyStores", {"Limit": 2, "Marker": marker})
    seen = [
        e["CustomKeyStoreId"]
        for e in (*first.response["CustomKeyStores"], *second.response["CustomKeyStores"])
    ]
    assert sorted(seen) == sorted(ids) and not second.response["Truncated"]
    too_many = {"CustomKeyStores": entries(model, {}), "Truncated": False}
    assert rules(check(model, {"Limit": 2}, too_many)) == {"CKS-PAGE-001"}
    no_marker = {"CustomKeyStores": entries(model, {})[:1], "Truncated": True}
    assert rules(check(model, {"Limit": 1}, no_marker)) == {"CKS-PAGE-002"}


@pytest.mark.requirement("CKS-PAGE-002")
def test_target_chosen_markers_are_adopted(model: ReferenceModel) -> None:
    three_stores(model)
    page = {"CustomKeyStores": entries(model, {})[:1], "Truncated": True, "NextMarker": "opaque=="}
    model.apply("DescribeCustomKeyStores", {"Limit": 1}, Outcome.success(page))
    assert model.describe_custom_key_stores({"Marker": "opaque=="}).success
    rest = entries(model, {})[1:]
    assert check(model, {"Marker": "opaque=="}, {"CustomKeyStores": rest, "Truncated": False}) == ()


@pytest.mark.requirement("CKS-PAGE-003")
def test_forged_marker_is_refused(model: ReferenceModel) -> None:
    three_stores(model)
    assert model.describe_custom_key_stores({"Marker": "forged"}).errors == {
        "InvalidMarkerException"
    }


@pytest.mark.requirement("CKS-SECRET-001", "CKS-SECRET-002")
def test_secrets_are_never_described(model: ReferenceModel) -> None:
    hsm, public, _ = three_stores(model)
    text = repr(entries(model, {}))
    assert CREDENTIAL["RawSecretAccessKey"] not in text and "kmsuser-pass" not in text
    assert CREDENTIAL["AccessKeyId"] in text
    by_id = {e["CustomKeyStoreId"]: e for e in entries(model, {})}
    leaky = {
        **by_id[public],
        "XksProxyConfiguration": {
            **by_id[public]["XksProxyConfiguration"],
            "RawSecretAccessKey": "leaked-secret-value",
        },
    }
    found = check(model, {"CustomKeyStoreId": public}, {"CustomKeyStores": [leaky]})
    assert rules(found) == {"CKS-SECRET-002"}
    assert not any("leaked-secret-value" in str(m) for m in found)  # reports must not leak it
    with pytest.raises(OutcomeNotAllowedError) as refused:
        model.apply(
            "DescribeCustomKeyStores",
            {"CustomKeyStoreId": hsm},
            Outcome.success(
                {"CustomKeyStores": [{**by_id[hsm], "KeyStorePassword": "kmsuser-pass"}]}
            ),
        )
    assert "kmsuser-pass" not in str(refused.value)
