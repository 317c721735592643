"""KMS keys in an external key store that outlives the check: on AWS, the account's fixture
store; elsewhere, a store the check connects itself.

A key pins its store until the key's 7-30 day waiting period ends, so on a real account
keys are made only in the long-lived fixture store (``kscheck_fixture``, on the world's
fixture place; the target schedules their deletion at 7 days). The same story runs on every
target: an unknown and an unusable external key are refused, a usable one makes an Enabled
key that names its store, the same external key is refused a second key, and a scheduled
deletion shows PendingDeletion.
"""

from __future__ import annotations

import pytest

from conformance.checks.cks.inputs import ScenarioInputs
from conformance.checks.cks.judge import judge, settle
from conformance.model import ExternalKey, ProxyBehaviour, ReferenceModel
from conformance.targets.factory import PreparedTarget

UNKNOWN_EXTERNAL_KEY = "kscheck-no-such-external-key"


def kept_store(model: ReferenceModel, fresh: PreparedTarget, inputs: ScenarioInputs) -> str:
    """The fixture store where the target keeps one, else a healthy store connected here."""
    fixture = getattr(fresh.target, "fixture_store_id", None)
    if fixture is not None:
        if fixture not in model.stores:
            pytest.skip("the fixture store is not listed in the account yet")
        return str(fixture)
    config = inputs.public_config("kept", inputs.site(ProxyBehaviour.HEALTHY))
    created = judge(model, fresh.target, "CreateCustomKeyStore", config)
    assert created.succeeded
    store = str(created.response["CustomKeyStoreId"])
    judge(model, fresh.target, "ConnectCustomKeyStore", {"CustomKeyStoreId": store})
    settle(model, fresh.target, store)
    return store


def external_keys(model: ReferenceModel, store: str) -> tuple[ExternalKey, ...]:
    record = model.stores[store]
    proxy = model.world.proxy_at(record.uri_endpoint or "", record.uri_path or "")
    return proxy.external_keys if proxy is not None else ()


@pytest.mark.requirement("CKS-KEY-006", "CKS-KEY-007", "CKS-KEY-008", "CKS-KEY-012", "CKS-KEY-011")
def test_keys_in_a_kept_external_key_store_follow_their_external_keys(
    fresh: PreparedTarget, model: ReferenceModel, inputs: ScenarioInputs
) -> None:
    store = kept_store(model, fresh, inputs)
    if model.stores[store].state != "CONNECTED":
        pytest.skip(f"store {store} is {model.stores[store].state}, not CONNECTED")
    keys = external_keys(model, store)
    usable = [k.key_id for k in keys if k.usable_by_kms]
    unusable = [k.key_id for k in keys if not k.usable_by_kms]
    if not usable:
        pytest.skip("the world names no usable external key (AES_256, ENABLED) for this proxy")
    base = {"CustomKeyStoreId": store, "Origin": "EXTERNAL_KEY_STORE"}
    judge(model, fresh.target, "CreateKey", {**base, "XksKeyId": UNKNOWN_EXTERNAL_KEY})
    for key_id in unusable:
        judge(model, fresh.target, "CreateKey", {**base, "XksKeyId": key_id})
    made = []
    for key_id in usable:
        first = judge(model, fresh.target, "CreateKey", {**base, "XksKeyId": key_id})
        judge(model, fresh.target, "CreateKey", {**base, "XksKeyId": key_id})
        if first.succeeded:
            made.append(str(first.response["KeyMetadata"]["KeyId"]))
    for key_id in made:
        judge(model, fresh.target, "DescribeKey", {"KeyId": key_id})
        deletion = {"KeyId": key_id, "PendingWindowInDays": 7}
        judge(model, fresh.target, "ScheduleKeyDeletion", deletion)
        judge(model, fresh.target, "DescribeKey", {"KeyId": key_id})
