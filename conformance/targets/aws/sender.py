"""Sending to AWS: paced, with throttling retried by kscheck's own loop (botocore's retries
are off, so nothing is retried behind the suite's back).

A throttled request was not executed, so it is retried for every operation, with
exponential backoff. Anything else is returned as observed: in particular a 5xx on
CreateCustomKeyStore is never retried (the store may exist; the target reconciles).

>>> from conformance.targets.observation import Observation
>>> is_throttled(Observation("CreateKey", error_code="ThrottlingException"))
True
>>> is_throttled(Observation("CreateKey", error_code="KMSInternalException", http_status=500))
False
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.boto import BotoTarget
from conformance.targets.observation import Observation

THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling"}
)


def is_throttled(observation: Observation) -> bool:
    """Whether the answer says "too many requests" (so the request was not executed)."""
    return observation.error_code in THROTTLING_CODES or observation.http_status == 429


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a throttled request is sent again."""

    attempts: int = 8
    first_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 20.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts {self.attempts}: must be at least 1")

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (0-based), doubling up to the cap."""
        return float(min(self.first_backoff_seconds * 2**retry, self.max_backoff_seconds))


class PacedSender:
    """A :class:`BotoTarget` behind the pacer and the throttling retry loop."""

    def __init__(
        self,
        boto: BotoTarget,
        pacer: OperationPacer,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.boto = boto
        self._pacer = pacer
        self._policy = policy or RetryPolicy()
        self._sleep = sleep

    def call(
        self, operation: str, request: Mapping[str, Any], *, unvalidated: bool = False
    ) -> Observation:
        """Send once, paced; again after a backoff while the answer is throttling."""
        send = self.boto.call_unvalidated if unvalidated else self.boto.call
        for retry in range(self._policy.attempts):
            self._pacer.wait(operation)
            try:
                observation = send(operation, request)
            finally:  # the next one waits from the answer: arrivals stay spaced
                self._pacer.answered(operation)
            if not is_throttled(observation) or retry + 1 == self._policy.attempts:
                return observation
            self._sleep(self._policy.backoff(retry))
        raise AssertionError("unreachable: RetryPolicy.attempts is at least 1")
