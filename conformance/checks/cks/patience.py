"""Patience with an eventually consistent KMS: re-reading within the visibility window, and
waiting for a transient connection state to settle.

Real KMS makes a change visible "usually within seconds, in some cases several minutes"
(digest §9), answering NotFound or InvalidState meanwhile, and a store stays CONNECTING or
DISCONNECTING for minutes. A check that judged the first answer after a write would fail a
correct KMS. So, when the target's :class:`~conformance.targets.timing.Timing` allows a
visibility lag, an answer the model does not accept is asked again (reads always; writes only
when the error is one a lagging view explains, and never after an effect happened) until it
is accepted or the window closes, and only the last answer is judged. On the emulator the
window is zero: nothing is asked twice.

>>> may_be_lag("DescribeCustomKeyStores", Observation("DescribeCustomKeyStores", response={}))
True
>>> may_be_lag("DeleteCustomKeyStore", Observation("DeleteCustomKeyStore", response={}))
False
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.model import Expectation, Outcome
from conformance.targets.observation import Observation
from conformance.targets.timing import Timing

INSTANT = Timing.emulator()
"""The timing of a target that says nothing: settles at once, no visibility lag."""

#: Reads: a stale answer changes nothing, so asking again is always safe.
READS = frozenset({"DescribeCustomKeyStores", "DescribeKey"})
#: Errors a lagging view of a recent write explains (digest §9): the call had no effect.
LAG_ERRORS = frozenset(
    {
        "CustomKeyStoreNotFoundException",
        "CustomKeyStoreInvalidStateException",
        "CustomKeyStoreNameInUseException",
        "NotFoundException",
        "KMSInvalidStateException",
    }
)


def timing_of(target: object) -> Timing:
    """The target's timing (:data:`~conformance.targets.timing.INSTANT` when it has none)."""
    timing = getattr(target, "timing", None)
    return timing if isinstance(timing, Timing) else INSTANT


def as_outcome(observation: Observation) -> Outcome:
    """The model's view of what the target did."""
    if observation.error_code is not None:
        return Outcome.failure(observation.error_code)
    return Outcome.success(dict(observation.response or {}))


def may_be_lag(operation: str, observation: Observation) -> bool:
    """Whether an unexpected answer may be a lagging view rather than a wrong one: any read,
    or a write refused with an error that says "not (yet) there" and so had no effect."""
    if observation.unsupported:
        return False
    if operation in READS:
        return True
    return observation.error_code in LAG_ERRORS


def observe_patiently(
    target: object,
    operation: str,
    request: Mapping[str, Any],
    expectation: Expectation,
    send: Callable[[str, Mapping[str, Any]], Observation],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Observation:
    """Send once; while the answer is unacceptable but may be lag, ask again every
    ``poll_seconds`` until the visibility window closes. Returns the last answer."""
    observation = send(operation, request)
    timing = timing_of(target)
    if timing.visibility_seconds <= 0:
        return observation
    deadline = clock() + timing.visibility_seconds
    while (
        not expectation.accepts(as_outcome(observation))
        and may_be_lag(operation, observation)
        and clock() < deadline
    ):
        sleep(timing.poll_seconds)
        observation = send(operation, request)
    return observation


def wait_until_settled(
    model: Any,
    target: Any,
    store_id: str,
    judge_describe: Callable[[str], None],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll Describe by ID (every answer judged by `judge_describe`) until the model holds
    `store_id` in a settled state or no longer holds it. A store that stays transient past
    the target's deadline ends the check as SKIPPED (how long it may last is OQ-28)."""
    record = model.stores.get(store_id)
    if record is None or not record.settlements:
        return
    timing = timing_of(target)
    limit = timing.deadline_for(record.state, record.store_type)
    deadline = clock() + limit
    while True:
        judge_describe(store_id)
        record = model.stores.get(store_id)
        if record is None or not record.settlements:
            return
        if clock() >= deadline:
            pytest.skip(
                f"store {store_id} still {record.state} after {limit:g} s (OQ-28: how long "
                "a transient state lasts is undocumented)"
            )
        sleep(timing.poll_seconds)
