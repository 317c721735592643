"""The aws target against a loopback account: the kscheck emulator serves KMS behind a
recorder (what the server received is the evidence), moto's server answers STS. boto3
finds both through AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL_STS, as in the rehearsal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_rig import (
    MOTO_ACCOUNT,
    MUTATING,
    PREFIX,
    REGION,
    FakeClock,
    KmsRig,
    aws_target,
    hsm_request,
    module_rig,
    rig,
    sts_url,
    xks_request,
)

from conformance.targets.aws import (
    ALLOW_LIST_VARIABLE,
    OPT_IN_VARIABLE,
    AwsFenceError,
    AwsTarget,
    FixtureConfig,
    KeyWouldPinStoreError,
    QuotaError,
)
from conformance.targets.factory import prepare_target
from conformance.targets.timing import Timing, wait_until_settled

__all__ = ["module_rig", "rig", "sts_url"]  # fixtures shared through aws_rig

NO_SUCH_STORE = "cks-0000000000000000f"


@pytest.fixture
def target(rig: KmsRig) -> Iterator[AwsTarget]:
    chosen = aws_target()
    yield chosen
    chosen._boto.close()


def created_id(rig: KmsRig, name: str) -> str:
    """Create a store as someone else in the account would (past the fence)."""
    request = hsm_request(name) if isinstance(name, str) else name
    return str(rig.raw_kms().create_custom_key_store(**request)["CustomKeyStoreId"])


# ---------------------------------------------------------------------- the gate
def test_the_gate_needs_the_opt_in(rig: KmsRig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OPT_IN_VARIABLE)
    with pytest.raises(AwsFenceError, match=OPT_IN_VARIABLE):
        aws_target()
    assert rig.recorder.seen == []


def test_the_gate_refuses_an_account_off_the_allow_list(
    rig: KmsRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_LIST_VARIABLE, "111122223333")
    with pytest.raises(AwsFenceError, match=f"{MOTO_ACCOUNT} is not on"):
        aws_target()
    assert rig.recorder.seen == []


def test_the_factory_reaches_kms_and_sts_through_the_endpoint_variables(rig: KmsRig) -> None:
    with prepare_target("aws", region=REGION, timing=Timing.emulator()) as prepared:
        assert prepared.world.account_id == MOTO_ACCOUNT  # the caller's, not a placeholder
        assert prepared.call("DescribeCustomKeyStores", {}).succeeded
    assert [s.operation for s in rig.recorder.seen][:1] == ["DescribeCustomKeyStores"]


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize("length", [1, 30, 231, 232, 255, 256])
def test_every_sent_name_carries_the_prefix_and_comes_back_without_it(
    rig: KmsRig, target: AwsTarget, length: int
) -> None:
    name = ("kscheck_fixture" + "n" * length)[:length]
    created = target.call("CreateCustomKeyStore", hsm_request(name))
    assert created.succeeded, created.describe()
    store_id = str(created.response["CustomKeyStoreId"])  # type: ignore[index]
    recorded = rig.store_names()[store_id]
    assert recorded.startswith(PREFIX) and len(recorded) <= 256
    listed = target.call("DescribeCustomKeyStores", {"CustomKeyStoreName": name})
    assert [e["CustomKeyStoreName"] for e in listed.response["CustomKeyStores"]] == [name]  # type: ignore[index]


@pytest.mark.parametrize("unvalidated", [False, True])
def test_an_over_long_name_stays_over_long_and_creates_nothing(
    rig: KmsRig, target: AwsTarget, unvalidated: bool
) -> None:
    send = target.call_unvalidated if unvalidated else target.call
    refused = send("CreateCustomKeyStore", hsm_request("x" * 257))
    assert refused.error_code in ("ValidationException", "ParamValidationError")
    assert rig.store_names() == {}
    for seen in rig.recorder.of("CreateCustomKeyStore"):
        assert seen.request["CustomKeyStoreName"].startswith(PREFIX)


def test_no_unprefixed_name_reaches_kms(rig: KmsRig, target: AwsTarget) -> None:
    store = target.call("CreateCustomKeyStore", hsm_request("first"))
    store_id = store.response["CustomKeyStoreId"]  # type: ignore[index]
    target.call(
        "UpdateCustomKeyStore", {"CustomKeyStoreId": store_id, "NewCustomKeyStoreName": "b"}
    )
    target.call_unvalidated("CreateCustomKeyStore", hsm_request("second", 1))
    sent = [
        s.request[m]
        for s in rig.recorder.of("CreateCustomKeyStore", "UpdateCustomKeyStore")
        for m in ("CustomKeyStoreName", "NewCustomKeyStoreName")
        if m in s.request
    ]
    assert sent and all(name.startswith(PREFIX) for name in sent)
    assert sorted(rig.store_names().values()) == [f"{PREFIX}b", f"{PREFIX}second"]


def test_a_foreign_name_seen_in_a_listing_is_described_as_is(
    rig: KmsRig, target: AwsTarget
) -> None:
    foreign = created_id(rig, "production")
    unseen = target.call("DescribeCustomKeyStores", {"CustomKeyStoreName": "production"})
    assert unseen.error_code == "CustomKeyStoreNotFoundException"  # a name of the run's own
    listing = target.call("DescribeCustomKeyStores", {})
    assert [e["CustomKeyStoreName"] for e in listing.response["CustomKeyStores"]] == [  # type: ignore[index]
        "production"
    ]
    seen = target.call("DescribeCustomKeyStores", {"CustomKeyStoreName": "production"})
    assert [e["CustomKeyStoreId"] for e in seen.response["CustomKeyStores"]] == [foreign]  # type: ignore[index]


@pytest.mark.parametrize("operation", ["DescribeCustomKeyStores", "CreateCustomKeyStore"])
@pytest.mark.parametrize("value", [["a"], {"a": 1}, 5])
def test_a_mistyped_name_is_sent_unchanged_and_observed(
    rig: KmsRig, target: AwsTarget, operation: str, value: object
) -> None:
    target.call("DescribeCustomKeyStores", {})  # a listing: foreign names are known
    seen = target.call_unvalidated(operation, {"CustomKeyStoreName": value})
    assert seen.error_code is not None
    assert rig.recorder.of(operation)[-1].request["CustomKeyStoreName"] == value


# ---------------------------------------------------------------------- the fence
@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("DeleteCustomKeyStore", {}),
        ("ConnectCustomKeyStore", {}),
        ("DisconnectCustomKeyStore", {}),
        ("UpdateCustomKeyStore", {"NewCustomKeyStoreName": "mine-now"}),
        ("CreateKey", {"Origin": "AWS_CLOUDHSM"}),
    ],
)
def test_a_foreign_store_is_never_touched(
    rig: KmsRig, target: AwsTarget, operation: str, extra: dict[str, Any]
) -> None:
    foreign = created_id(rig, "production")
    with pytest.raises(AwsFenceError, match="did not create"):
        target.call(operation, {"CustomKeyStoreId": foreign, **extra})
    assert rig.recorder.naming(foreign, *MUTATING) == []
    assert rig.store_names()[foreign] == "production"


def test_a_missing_store_is_probed_then_the_request_goes_through(
    rig: KmsRig, target: AwsTarget
) -> None:
    seen = target.call("DeleteCustomKeyStore", {"CustomKeyStoreId": NO_SUCH_STORE})
    assert seen.error_code == "CustomKeyStoreNotFoundException"
    assert [s.operation for s in rig.recorder.seen] == [
        "DescribeCustomKeyStores",
        "DeleteCustomKeyStore",
    ]


def test_a_store_seen_in_a_listing_is_refused_without_a_probe(
    rig: KmsRig, target: AwsTarget
) -> None:
    foreign = created_id(rig, "production")
    target.call("DescribeCustomKeyStores", {})
    rig.recorder.seen.clear()
    with pytest.raises(AwsFenceError, match="did not create"):
        target.call("DeleteCustomKeyStore", {"CustomKeyStoreId": foreign})
    assert rig.recorder.seen == []


def test_a_foreign_key_is_never_scheduled_for_deletion(rig: KmsRig, target: AwsTarget) -> None:
    foreign_key = rig.raw_kms().create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(AwsFenceError, match="did not create"):
        target.call("ScheduleKeyDeletion", {"KeyId": foreign_key, "PendingWindowInDays": 7})
    assert rig.recorder.of("ScheduleKeyDeletion") == []
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    seen = target.call("ScheduleKeyDeletion", {"KeyId": missing, "PendingWindowInDays": 7})
    assert seen.error_code == "NotFoundException"


def test_operations_the_checks_never_send_are_refused(rig: KmsRig, target: AwsTarget) -> None:
    with pytest.raises(AwsFenceError, match="not an operation"):
        target.call("ListKeys", {})
    assert rig.recorder.seen == []


def test_a_key_would_pin_a_connected_run_store(rig: KmsRig, target: AwsTarget) -> None:
    proxy = rig.healthy_proxy("xks-healthy.kscheck.test")
    store_id = target.call("CreateCustomKeyStore", xks_request(proxy, "s")).response[  # type: ignore[index]
        "CustomKeyStoreId"
    ]
    assert target.call("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id}).succeeded
    assert wait_until_settled(target.call, store_id, target.timing) == "CONNECTED"
    key = {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "foo"}
    with pytest.raises(KeyWouldPinStoreError):
        target.call("CreateKey", key)
    assert rig.recorder.of("CreateKey") == []
    target.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    refused = target.call("CreateKey", key)  # sent: a disconnected store takes no key
    assert refused.error_code == "CustomKeyStoreInvalidStateException"


# ---------------------------------------------------------------------- fixture and cleanup
def test_keys_go_into_the_fixture_and_are_scheduled_at_seven_days(
    rig: KmsRig, target: AwsTarget
) -> None:
    config = FixtureConfig.from_proxy(rig.healthy_proxy("xks-second.kscheck.test"))
    fixture = target.ensure_fixture(config)
    assert target.fixture_store_id == fixture
    assert rig.service.model.stores[fixture].name == "kscheck_fixture"
    assert rig.service.model.stores[fixture].state == "CONNECTED"
    key = {"CustomKeyStoreId": fixture, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "foo"}
    created = target.call("CreateKey", key)
    assert created.succeeded, created.describe()
    target.reset()
    scheduled = rig.recorder.of("ScheduleKeyDeletion")
    assert [s.request["PendingWindowInDays"] for s in scheduled] == [7]
    assert fixture in rig.store_names()  # the fixture outlives every run
    again = aws_target()
    assert again.ensure_fixture(config) == fixture
    assert len(rig.recorder.of("CreateCustomKeyStore")) == 1


def test_reset_retires_the_run_stores_only(rig: KmsRig, target: AwsTarget) -> None:
    foreign = created_id(rig, "production")
    fixture = target.ensure_fixture(
        FixtureConfig.from_proxy(rig.healthy_proxy("xks-second.kscheck.test"))
    )
    proxy = rig.healthy_proxy("xks-healthy.kscheck.test")
    connected = target.call("CreateCustomKeyStore", xks_request(proxy, "c")).response[  # type: ignore[index]
        "CustomKeyStoreId"
    ]
    target.call("ConnectCustomKeyStore", {"CustomKeyStoreId": connected})
    target.call("CreateCustomKeyStore", hsm_request("idle", 1))
    assert target.reset() == []
    assert set(rig.store_names()) == {foreign, fixture}
    assert target.created_store_ids == ()
    assert rig.recorder.naming(foreign, *MUTATING) == []


# ---------------------------------------------------------------------- pacing and quota
def test_no_operation_reaches_kms_more_than_five_times_a_second(rig: KmsRig) -> None:
    clock = FakeClock()
    rig.recorder.clock = clock
    target = aws_target(clock=clock, sleep=clock.sleep)
    for index in range(12):
        target.call("DescribeCustomKeyStores", {})
        target.call("CreateCustomKeyStore", hsm_request(f"s{index}"))  # ClusterInUse after one
    for operation in ("DescribeCustomKeyStores", "CreateCustomKeyStore"):
        times = [s.at for s in rig.recorder.of(operation)]
        assert len(times) >= 12
        for first, sixth in zip(times, times[5:], strict=False):
            assert sixth - first >= 1.0 - 1e-9, f"{operation}: six requests within a second"


def test_a_run_needing_more_stores_than_are_free_is_refused_naming_the_numbers(
    rig: KmsRig, target: AwsTarget
) -> None:
    for cluster in range(3):
        created_id(rig, hsm_request(f"other-{cluster}", cluster))  # type: ignore[arg-type]
    rig.recorder.seen.clear()
    with pytest.raises(QuotaError) as refused:
        target.check_free_quota(7, 10)
    assert "needs 8 free custom key stores" in str(refused.value)
    assert "the account has 3 of 10" in str(refused.value)
    assert target.check_free_quota(6, 10) == 7
    assert rig.recorder.of("CreateCustomKeyStore") == []


# ---------------------------------------------------------------------- 5xx on Create
def test_a_create_whose_answer_was_lost_is_reconciled_as_the_success_it_was(
    rig: KmsRig, target: AwsTarget
) -> None:
    rig.recorder.lose_answer_of.add("CreateCustomKeyStore")
    created = target.call("CreateCustomKeyStore", hsm_request("lost"))
    assert created.succeeded, created.describe()
    (store_id,) = rig.store_names()
    assert created.response == {"CustomKeyStoreId": store_id}
    assert target.created_store_ids == (store_id,) and target.reconciled == [store_id]
    assert len(rig.recorder.of("CreateCustomKeyStore")) == 1  # never retried
    target.reset()
    assert rig.store_names() == {}


def test_a_create_that_failed_with_a_5xx_is_reported_as_observed(
    rig: KmsRig, target: AwsTarget
) -> None:
    rig.recorder.fail_before.add("CreateCustomKeyStore")
    failed = target.call("CreateCustomKeyStore", hsm_request("never"))
    assert (failed.http_status, failed.error_code) == (500, "KMSInternalException")
    assert target.created_store_ids == () and target.reconciled == []
    assert len(rig.recorder.of("CreateCustomKeyStore")) == 1


def test_a_5xx_create_is_not_credited_with_a_store_the_run_made_before(
    rig: KmsRig, target: AwsTarget
) -> None:
    first = target.call("CreateCustomKeyStore", hsm_request("same"))
    assert first.succeeded
    rig.recorder.fail_before.add("CreateCustomKeyStore")
    again = target.call("CreateCustomKeyStore", hsm_request("same", 1))
    assert (again.http_status, again.error_code) == (500, "KMSInternalException")
    assert target.reconciled == []
