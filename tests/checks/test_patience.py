"""Patience with an eventually consistent target: what is asked again, for how long, and
what is never repeated (conformance/checks/cks/patience.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checks.cks.patience import observe_patiently
from conformance.model import Expectation
from conformance.targets.observation import Observation
from conformance.targets.timing import Timing

NOT_FOUND = "CustomKeyStoreNotFoundException"
LAGGING = dataclasses.replace(Timing.emulator(), poll_seconds=1.0, visibility_seconds=10.0)


@dataclass
class Scripted:
    """A target whose answers are given in advance, on a clock that only moves when the
    code under test sleeps."""

    answers: list[Observation]
    timing: Timing = LAGGING
    now: float = 0.0
    sent: list[str] = field(default_factory=list)

    def send(self, operation: str, request: Mapping[str, Any]) -> Observation:
        self.sent.append(operation)
        return self.answers[min(len(self.sent), len(self.answers)) - 1]

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def patiently(target: Scripted, operation: str, expectation: Expectation) -> Observation:
    return observe_patiently(
        target,
        operation,
        {},
        expectation,
        target.send,
        clock=lambda: target.now,
        sleep=target.sleep,
    )


def stores(*ids: str) -> Observation:
    entries = [{"CustomKeyStoreId": i} for i in ids]
    return Observation("DescribeCustomKeyStores", response={"CustomKeyStores": entries})


SUCCESS = Expectation(True)
NOT_FOUND_ONLY = Expectation(False, frozenset({NOT_FOUND}))


def test_a_write_refused_as_not_found_is_asked_again_until_the_store_is_visible() -> None:
    target = Scripted(
        [
            Observation("ConnectCustomKeyStore", error_code=NOT_FOUND),
            Observation("ConnectCustomKeyStore", error_code=NOT_FOUND),
            Observation("ConnectCustomKeyStore", response={}),
        ]
    )
    assert patiently(target, "ConnectCustomKeyStore", SUCCESS).succeeded
    assert len(target.sent) == 3 and target.now == 2.0


def test_a_write_that_took_effect_is_never_repeated() -> None:
    target = Scripted([Observation("DeleteCustomKeyStore", response={})])
    answer = patiently(target, "DeleteCustomKeyStore", NOT_FOUND_ONLY)
    assert answer.succeeded and target.sent == ["DeleteCustomKeyStore"]


def test_a_read_is_asked_again_only_within_the_visibility_window() -> None:
    target = Scripted([Observation("DescribeCustomKeyStores", error_code=NOT_FOUND)])
    answer = patiently(target, "DescribeCustomKeyStores", SUCCESS)
    assert answer.error_code == NOT_FOUND  # judged as it stands once the window closed
    assert target.now == pytest.approx(10.0) and len(target.sent) == 11


def test_an_instant_target_is_asked_once() -> None:
    target = Scripted(
        [Observation("ConnectCustomKeyStore", error_code=NOT_FOUND)], timing=Timing.emulator()
    )
    patiently(target, "ConnectCustomKeyStore", SUCCESS)
    assert target.sent == ["ConnectCustomKeyStore"]


def test_an_accepted_answer_is_not_asked_again() -> None:
    target = Scripted([stores("cks-1"), stores()])
    patiently(target, "DescribeCustomKeyStores", SUCCESS)
    assert target.sent == ["DescribeCustomKeyStores"]
