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
    OperationPacer,
    parse_allow_list,
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
    )
    store = "cks-1234567890abcdef0"
    kms_stub.add_response("create_custom_key_store", {"CustomKeyStoreId": store})
    kms_stub.add_response("disconnect_custom_key_store", {}, {"CustomKeyStoreId": store})
    kms_stub.add_response("delete_custom_key_store", {}, {"CustomKeyStoreId": store})
    observation = target.call("CreateCustomKeyStore", {"CustomKeyStoreName": "kscheck-abcd-s1"})
    assert observation.succeeded
    assert target.created_store_ids == (store,)
    target.close()
    kms_stub.assert_no_pending_responses()
    assert target.created_store_ids == ()


def test_pacer_spaces_one_operation_at_five_per_second_and_others_independently() -> None:
    clock = FakeClock()
    pacer = OperationPacer(rate=5.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait("CreateCustomKeyStore")
    pacer.wait("DescribeCustomKeyStores")
    assert clock.slept == pytest.approx([0.2, 0.2])
