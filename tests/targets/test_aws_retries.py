"""Throttling is retried by kscheck's own loop for every operation; a 5xx on Create is
never retried. A scripted KMS client stands in for AWS here (the only place one does:
neither the emulator nor moto throttles)."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.aws.sender import PacedSender, RetryPolicy
from conformance.targets.boto import BotoTarget


class ScriptedKms:
    """Answers each call with the next scripted status/code (200: success)."""

    def __init__(self, *answers: tuple[int, str]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    def _answer(self, operation: str) -> dict[str, Any]:
        self.calls.append(operation)
        status, code = self.answers.pop(0)
        if status == 200:
            return {"CustomKeyStoreId": "cks-1", "ResponseMetadata": {"HTTPStatusCode": 200}}
        raise botocore.exceptions.ClientError(
            {
                "Error": {"Code": code, "Message": "scripted"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            },
            operation,
        )

    def create_custom_key_store(self, **_: Any) -> dict[str, Any]:
        return self._answer("CreateCustomKeyStore")

    def describe_custom_key_stores(self, **_: Any) -> dict[str, Any]:
        return self._answer("DescribeCustomKeyStores")


def sender(kms: ScriptedKms, slept: list[float]) -> PacedSender:
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return PacedSender(
        BotoTarget("aws", kms), OperationPacer(clock=lambda: now[0], sleep=sleep), sleep=sleep
    )


@pytest.mark.parametrize(
    ("operation", "throttle"),
    [
        ("CreateCustomKeyStore", (400, "ThrottlingException")),
        ("DescribeCustomKeyStores", (400, "TooManyRequestsException")),
        ("DescribeCustomKeyStores", (400, "RequestLimitExceeded")),
        ("CreateCustomKeyStore", (429, "SlowDown")),
    ],
)
def test_throttling_is_retried_with_growing_backoff(
    operation: str, throttle: tuple[int, str]
) -> None:
    kms = ScriptedKms(throttle, throttle, (200, ""))
    slept: list[float] = []
    seen = sender(kms, slept).call(operation, {})
    assert seen.succeeded and kms.calls == [operation] * 3
    backoffs = [s for s in slept if s not in (0.2,)]  # the pacer's own spacing aside
    assert backoffs[:2] == [RetryPolicy().backoff(0), RetryPolicy().backoff(1)]
    assert backoffs[1] > backoffs[0]


def test_retries_stop_after_the_policys_attempts() -> None:
    kms = ScriptedKms(*[(400, "ThrottlingException")] * 3)
    policy = RetryPolicy(attempts=3)
    seen = PacedSender(BotoTarget("aws", kms), OperationPacer(), policy, sleep=lambda s: None).call(
        "DescribeCustomKeyStores", {}
    )
    assert seen.error_code == "ThrottlingException" and len(kms.calls) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_on_create_is_never_retried(status: int) -> None:
    kms = ScriptedKms((status, "KMSInternalException"), (200, ""))
    seen = sender(kms, []).call("CreateCustomKeyStore", {})
    assert seen.http_status == status and kms.calls == ["CreateCustomKeyStore"]
