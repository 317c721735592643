"""The AWS target's fence holds without ever reaching AWS: botocore's Stubber answers STS and
KMS, and an unexpected call would make the Stubber raise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from conformance.targets.aws import (
    ALLOW_LIST_VARIABLE,
    OPT_IN_VARIABLE,
    AwsFenceError,
    AwsTarget,
    DisconnectWaiter,
    OperationPacer,
    parse_allow_list,
    sweep,
)

ACCOUNT = "111122223333"
OPTED_IN = {OPT_IN_VARIABLE: "1", ALLOW_LIST_VARIABLE: ACCOUNT}


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = boto3.client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    return client, Stubber(client)


@pytest.fixture
def clients() -> Iterator[tuple[Any, Stubber, Any, Stubber]]:
    kms, kms_stub = stubbed("kms")
    sts, sts_stub = stubbed("sts")
    with kms_stub, sts_stub:
        yield kms, kms_stub, sts, sts_stub


def identity(account: str) -> dict[str, str]:
    return {"Account": account, "Arn": f"arn:aws:iam::{account}:user/t", "UserId": "AIDAX"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_target_refuses_without_opt_in(clients: tuple[Any, Stubber, Any, Stubber]) -> None:
    kms, _, sts, _ = clients
    with pytest.raises(AwsFenceError, match=OPT_IN_VARIABLE):
        AwsTarget(kms, sts, run_id="abcd", environ={})


def test_target_refuses_an_account_off_the_allow_list(
    clients: tuple[Any, Stubber, Any, Stubber],
) -> None:
    kms, _, sts, sts_stub = clients
    sts_stub.add_response("get_caller_identity", identity("999988887777"))
    with pytest.raises(AwsFenceError, match="999988887777 is not on"):
        AwsTarget(kms, sts, run_id="abcd", environ=OPTED_IN)


def test_allow_list_entries_must_be_account_ids() -> None:
    with pytest.raises(AwsFenceError, match="not 12-digit"):
        parse_allow_list("1234, prod")


def test_names_outside_the_run_prefix_are_refused_before_any_call(
    clients: tuple[Any, Stubber, Any, Stubber],
) -> None:
    kms, kms_stub, sts, sts_stub = clients
    sts_stub.add_response("get_caller_identity", identity(ACCOUNT))
    target = AwsTarget(kms, sts, run_id="abcd", environ=OPTED_IN)
    with pytest.raises(AwsFenceError, match="kscheck-abcd-"):
        target.call("CreateCustomKeyStore", {"CustomKeyStoreName": "production-store"})
    with pytest.raises(AwsFenceError, match="not created by this run"):
        target.call("DeleteCustomKeyStore", {"CustomKeyStoreId": "cks-1234567890abcdef0"})
    kms_stub.assert_no_pending_responses()


def test_created_stores_are_cleaned_up_on_close(
    clients: tuple[Any, Stubber, Any, Stubber],
) -> None:
    kms, kms_stub, sts, sts_stub = clients
    sts_stub.add_response("get_caller_identity", identity(ACCOUNT))
    clock = FakeClock()
    target = AwsTarget(
        kms,
        sts,
        run_id="abcd",
        environ=OPTED_IN,
        pacer=OperationPacer(clock=clock, sleep=clock.sleep),
        settle=DisconnectWaiter(clock=clock, sleep=clock.sleep),
    )
    store = "cks-1234567890abcdef0"
    by_id = {"CustomKeyStoreId": store}
    kms_stub.add_response("create_custom_key_store", {"CustomKeyStoreId": store})
    kms_stub.add_response("disconnect_custom_key_store", {}, by_id)
    # Disconnect is asynchronous: Delete must wait until Describe shows DISCONNECTED
    kms_stub.add_response("describe_custom_key_stores", described(store, "DISCONNECTING"), by_id)
    kms_stub.add_response("describe_custom_key_stores", described(store, "DISCONNECTED"), by_id)
    kms_stub.add_response("delete_custom_key_store", {}, by_id)
    observation = target.call("CreateCustomKeyStore", {"CustomKeyStoreName": "kscheck-abcd-s1"})
    assert observation.succeeded
    assert target.created_store_ids == (store,)
    target.close()
    kms_stub.assert_no_pending_responses()
    assert target.created_store_ids == ()
    assert 10.0 in clock.slept  # one poll interval between the two Describes


def test_keys_and_operations_outside_the_run_are_refused_before_any_call(
    clients: tuple[Any, Stubber, Any, Stubber],
) -> None:
    kms, kms_stub, sts, sts_stub = clients
    sts_stub.add_response("get_caller_identity", identity(ACCOUNT))
    target = AwsTarget(kms, sts, run_id="abcd", environ=OPTED_IN)
    key = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(AwsFenceError, match="not created by this run"):
        target.call("ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7})
    with pytest.raises(AwsFenceError, match="not an operation"):
        target.call("ListKeys", {})
    kms_stub.assert_no_pending_responses()


def test_sweep_deletes_disconnected_leftovers_and_skips_ones_it_cannot_delete(
    clients: tuple[Any, Stubber, Any, Stubber],
) -> None:
    kms, kms_stub, _, _ = clients
    clock = FakeClock()
    idle, connected = "cks-00000000000000001", "cks-00000000000000002"
    listing = {
        "CustomKeyStores": [
            {"CustomKeyStoreId": idle, "CustomKeyStoreName": "kscheck-old-a"},
            {"CustomKeyStoreId": connected, "CustomKeyStoreName": "kscheck-old-b"},
            {"CustomKeyStoreId": "cks-00000000000000003", "CustomKeyStoreName": "production"},
        ]
    }
    kms_stub.add_response("describe_custom_key_stores", listing, {})
    # a DISCONNECTED store: no Disconnect (it would raise CustomKeyStoreInvalidStateException)
    kms_stub.add_response("describe_custom_key_stores", described(idle, "DISCONNECTED"))
    kms_stub.add_response("describe_custom_key_stores", described(idle, "DISCONNECTED"))
    kms_stub.add_response("delete_custom_key_store", {}, {"CustomKeyStoreId": idle})
    kms_stub.add_response("describe_custom_key_stores", described(connected, "CONNECTED"))
    kms_stub.add_response("disconnect_custom_key_store", {}, {"CustomKeyStoreId": connected})
    kms_stub.add_response("describe_custom_key_stores", described(connected, "DISCONNECTED"))
    kms_stub.add_client_error("delete_custom_key_store", "CustomKeyStoreHasCMKsException")
    swept = sweep(kms, "kscheck-old-", DisconnectWaiter(clock=clock, sleep=clock.sleep))
    assert swept == [idle]
    kms_stub.assert_no_pending_responses()


def described(store_id: str, state: str) -> dict[str, Any]:
    return {
        "CustomKeyStores": [
            {"CustomKeyStoreId": store_id, "CustomKeyStoreName": "s", "ConnectionState": state}
        ]
    }


def test_pacer_spaces_one_operation_at_five_per_second_and_others_independently() -> None:
    clock = FakeClock()
    pacer = OperationPacer(rate=5.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait("CreateCustomKeyStore")
    pacer.wait("DescribeCustomKeyStores")
    assert clock.slept == pytest.approx([0.2, 0.2])
