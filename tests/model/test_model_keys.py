"""KMS keys in custom key stores: CreateKey and ScheduleKeyDeletion (CKS-KEY-*)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from model_builders import (
    CLUSTER,
    PUBLIC_ENDPOINT,
    connected,
    created,
    hsm_request,
    public_request,
    world,
)

from conformance.model import (
    VALIDATION_EXCEPTION,
    ExternalKey,
    Outcome,
    ProxyBehaviour,
    ReferenceModel,
    XksProxy,
)

INVALID_STATE = "CustomKeyStoreInvalidStateException"
UNSUPPORTED = "UnsupportedOperationException"


def xks_key(store_id: str, xks_key_id: str = "ext-1", **more: Any) -> dict[str, Any]:
    return {
        "CustomKeyStoreId": store_id,
        "Origin": "EXTERNAL_KEY_STORE",
        "XksKeyId": xks_key_id,
        **more,
    }


def hsm_key(store_id: str, **more: Any) -> dict[str, Any]:
    return {"CustomKeyStoreId": store_id, "Origin": "AWS_CLOUDHSM", **more}


@pytest.mark.requirement("CKS-KEY-001")
def test_keys_need_a_connected_store(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.create_key(xks_key(store_id)).errors == {INVALID_STATE}
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    assert model.create_key(xks_key(store_id)).errors == {INVALID_STATE}  # still CONNECTING
    model.settle(store_id)
    assert model.create_key(xks_key(store_id)).success


@pytest.mark.requirement("CKS-KEY-002")
def test_origin_must_match_the_store(model: ReferenceModel) -> None:
    xks = connected(model, public_request())
    both = {VALIDATION_EXCEPTION, UNSUPPORTED}
    assert model.create_key(hsm_key(xks)).errors == both
    assert model.create_key({"Origin": "AWS_CLOUDHSM"}).errors == both
    assert model.create_key({"CustomKeyStoreId": xks}).errors >= both
    assert model.create_key({"Description": "an ordinary key"}).success


@pytest.mark.requirement("CKS-KEY-003")
def test_xks_key_id_is_required_for_external_origin_only(model: ReferenceModel) -> None:
    xks = connected(model, public_request())
    missing = {"CustomKeyStoreId": xks, "Origin": "EXTERNAL_KEY_STORE"}
    assert VALIDATION_EXCEPTION in model.create_key(missing).errors
    assert not model.create_key(missing).success
    stray = model.create_key({"XksKeyId": "ext-1"})
    assert not stray.success and VALIDATION_EXCEPTION in stray.errors


@pytest.mark.requirement("CKS-KEY-004")
@pytest.mark.parametrize(
    "more", [{"KeySpec": "RSA_2048"}, {"KeyUsage": "SIGN_VERIFY"}, {"MultiRegion": True}]
)
def test_store_keys_are_symmetric_single_region(
    model: ReferenceModel, more: dict[str, Any]
) -> None:
    xks = connected(model, public_request())
    expectation = model.create_key(xks_key(xks, **more))
    assert not expectation.success and UNSUPPORTED in expectation.errors
    fine = xks_key(xks, KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT", MultiRegion=False)
    assert model.create_key(fine).success


@pytest.mark.requirement("CKS-KEY-005")
def test_cloudhsm_key_needs_two_active_hsms(model: ReferenceModel) -> None:
    store_id = connected(model, hsm_request())
    assert model.create_key(hsm_key(store_id)).success
    base = world().cluster(CLUSTER)
    assert base is not None
    model.set_world(world(clusters=(dataclasses.replace(base, hsm_count=1),)))
    assert model.create_key(hsm_key(store_id)).errors == {
        "CloudHsmClusterInvalidConfigurationException"
    }


@pytest.mark.requirement("CKS-KEY-006", "CKS-KEY-007")
def test_external_key_must_exist_and_suit_kms(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    assert model.create_key(xks_key(store_id, "nope")).errors == {"XksKeyNotFoundException"}
    assert model.create_key(xks_key(store_id, "disabled")).errors == {
        "XksKeyInvalidConfigurationException"
    }
    assert not ExternalKey("k", key_spec="AES_128").usable_by_kms
    assert not ExternalKey("k", usages=frozenset({"ENCRYPT"})).usable_by_kms


@pytest.mark.requirement("CKS-KEY-008")
def test_external_key_backs_one_kms_key_per_store(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    first = model.execute("CreateKey", xks_key(store_id))
    assert model.create_key(xks_key(store_id)).errors == {"XksKeyAlreadyInUseException"}
    model.execute("ScheduleKeyDeletion", {"KeyId": first.response["KeyMetadata"]["KeyId"]})
    assert model.create_key(xks_key(store_id)).errors == {"XksKeyAlreadyInUseException"}
    assert model.create_key(xks_key(store_id, "ext-2")).success
    # the proxy breaks: no documented precedence (OQ-21), so either error is acceptable
    model.set_world(
        world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", ProxyBehaviour.TIMEOUT),))
    )
    assert model.create_key(xks_key(store_id)).errors == {
        "XksKeyAlreadyInUseException",
        INVALID_STATE,
    }


@pytest.mark.requirement("CKS-KEY-009")
@pytest.mark.parametrize(
    ("behaviour", "errors"),
    [
        (ProxyBehaviour.UNREACHABLE, {INVALID_STATE}),
        (ProxyBehaviour.TIMEOUT, {INVALID_STATE}),
        (ProxyBehaviour.WRONG_CREDENTIALS, {INVALID_STATE}),
        (ProxyBehaviour.ACCESS_DENIED, {INVALID_STATE, "KMSInvalidStateException"}),
        (ProxyBehaviour.INVALID_RESPONSE, {INVALID_STATE, "XksKeyInvalidResponseException"}),
    ],
)
def test_proxy_faults_during_create_key_are_state_errors(
    model: ReferenceModel, behaviour: ProxyBehaviour, errors: set[str]
) -> None:
    store_id = connected(model, public_request())
    model.set_world(
        world(
            proxies=(
                XksProxy(
                    PUBLIC_ENDPOINT, "/kms/xks/v1", behaviour, external_keys=(ExternalKey("ext-1"),)
                ),
            )
        )
    )
    expectation = model.create_key(xks_key(store_id))
    assert expectation.errors == errors and not expectation.success
    assert ("OQ-26" in expectation.open_questions) == (len(errors) > 1)


@pytest.mark.requirement("CKS-KEY-010")
def test_create_key_in_unknown_store_is_not_found(model: ReferenceModel) -> None:
    assert model.create_key(hsm_key("cks-00000000000000042")).errors == {
        "CustomKeyStoreNotFoundException"
    }


@pytest.mark.requirement("CKS-KEY-011")
def test_schedule_key_deletion(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    key_id = model.execute("CreateKey", xks_key(store_id)).response["KeyMetadata"]["KeyId"]
    assert model.schedule_key_deletion({"KeyId": key_id, "PendingWindowInDays": 6}).errors == {
        VALIDATION_EXCEPTION
    }
    assert model.schedule_key_deletion({"KeyId": key_id, "PendingWindowInDays": 30}).success
    model.execute("ScheduleKeyDeletion", {"KeyId": key_id, "PendingWindowInDays": 7})
    assert model.keys[key_id].state == "PendingDeletion"
    assert model.schedule_key_deletion({"KeyId": key_id}).errors == {"KMSInvalidStateException"}
    assert model.schedule_key_deletion({"KeyId": "no-such-key"}).errors == {"NotFoundException"}
    model.complete_key_deletion(key_id)
    with pytest.raises(ValueError, match="not PendingDeletion"):
        model.complete_key_deletion(key_id)


@pytest.mark.requirement("CKS-KEY-012")
def test_new_key_metadata_names_store_and_backing_key(model: ReferenceModel) -> None:
    xks = connected(model, public_request())
    hsm = connected(model, hsm_request())
    xks_out = model.execute("CreateKey", xks_key(xks, "ext-2"))
    assert xks_out.response["KeyMetadata"]["XksKeyConfiguration"] == {"Id": "ext-2"}
    expectation = model.create_key(xks_key(xks))
    good = {
        "KeyMetadata": {
            "KeyId": "k-target",
            "CustomKeyStoreId": xks,
            "KeyState": "Enabled",
            "Origin": "EXTERNAL_KEY_STORE",
            "XksKeyConfiguration": {"Id": "ext-1"},
        }
    }
    assert expectation.accepts(Outcome.success(good))
    wrong = {"KeyMetadata": {**good["KeyMetadata"], "XksKeyConfiguration": {"Id": "ext-2"}}}
    assert not expectation.accepts(Outcome.success(wrong))
    model.apply("CreateKey", xks_key(xks), Outcome.success(good))
    assert model.keys["k-target"].xks_key_id == "ext-1"
    hsm_meta = model.execute("CreateKey", hsm_key(hsm)).response["KeyMetadata"]
    assert hsm_meta["CloudHsmClusterId"] == CLUSTER and hsm_meta["KeyState"] == "Enabled"
