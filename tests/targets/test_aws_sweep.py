"""`kscheck sweep` against a loopback account (the emulator behind a recorder for KMS,
moto's server for STS): only run-prefixed leftovers are retired."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from aws_rig import (
    MUTATING,
    REGION,
    KmsRig,
    hsm_request,
    module_rig,
    rig,
    sts_url,
    xks_request,
)

from conformance.cli import main
from conformance.model.describe import EPOCH
from conformance.targets.aws import OPT_IN_VARIABLE
from conformance.targets.aws.clients import AwsClients
from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.aws.sender import PacedSender
from conformance.targets.aws.sweep import SweepLine, sweep
from conformance.targets.boto import BotoTarget
from conformance.targets.timing import Timing

__all__ = ["module_rig", "rig", "sts_url"]  # fixtures shared through aws_rig

LEFTOVER = "kscheck-old1run-s1"
CONNECTED_LEFTOVER = "kscheck-old1run-s2"


def populate(rig: KmsRig) -> dict[str, str]:
    """Name -> ID: two leftovers of an earlier run (one connected), the fixture, a foreign
    store, and a name that only looks like a run's (its run ID is too short)."""
    kms = rig.raw_kms()
    ids = {}
    for name, cluster in ((LEFTOVER, 0), ("production", 1), ("kscheck-ab-x", 2)):
        ids[name] = kms.create_custom_key_store(**hsm_request(name, cluster))["CustomKeyStoreId"]
    for name, host in ((CONNECTED_LEFTOVER, "xks-healthy"), ("kscheck_fixture", "xks-second")):
        request = xks_request(rig.healthy_proxy(f"{host}.kscheck.test"), name)
        ids[name] = kms.create_custom_key_store(**request)["CustomKeyStoreId"]
        kms.connect_custom_key_store(CustomKeyStoreId=ids[name])
    rig.recorder.seen.clear()
    return ids


def test_dry_run_lists_the_leftovers_and_deletes_nothing(
    rig: KmsRig, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = populate(rig)
    assert main(["sweep", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would delete: {LEFTOVER}" in out
    assert f"would disconnect and delete: {CONNECTED_LEFTOVER}" in out
    assert "production" not in out and "kscheck_fixture" not in out and "kscheck-ab-x" not in out
    assert rig.recorder.of(*MUTATING) == []
    assert set(rig.store_names()) == set(ids.values())


def test_sweep_deletes_the_leftovers_and_leaves_every_other_store(
    rig: KmsRig, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = populate(rig)
    assert main(["sweep"]) == 0
    out = capsys.readouterr().out
    assert f"deleted: {LEFTOVER}" in out and f"deleted: {CONNECTED_LEFTOVER}" in out
    kept = {ids["production"], ids["kscheck_fixture"], ids["kscheck-ab-x"]}
    assert set(rig.store_names()) == kept
    for store_id in kept:
        assert rig.recorder.naming(store_id, *MUTATING) == []


def test_a_leftover_holding_keys_is_left_and_says_when_it_becomes_deletable(
    rig: KmsRig, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = populate(rig)
    kms = rig.raw_kms()
    kms.create_key(
        CustomKeyStoreId=ids[CONNECTED_LEFTOVER], Origin="EXTERNAL_KEY_STORE", XksKeyId="foo"
    )
    assert main(["sweep"]) == 1
    out = capsys.readouterr().out
    assert "left, holds KMS keys; deletable once their 7-30 day waiting period ends" in out
    assert ids[CONNECTED_LEFTOVER] in rig.store_names()
    assert ids[LEFTOVER] not in rig.store_names()


def sweep_at(now: datetime, **options: Any) -> list[SweepLine]:
    """The sweep as the command runs it, at a chosen moment (the emulator's stores were
    created at its EPOCH plus a tick each)."""
    clients = AwsClients.for_region(REGION)
    sender = PacedSender(BotoTarget("aws", clients.kms), OperationPacer())
    try:
        return sweep(sender.call, Timing.emulator(), now=now, **options)
    finally:
        clients.close()


def test_older_than_keeps_younger_stores(rig: KmsRig) -> None:
    ids = populate(rig)
    soon_after = EPOCH + timedelta(hours=1)
    assert sweep_at(soon_after, older_than=timedelta(hours=2)) == []
    assert set(rig.store_names()) == set(ids.values())
    swept = sweep_at(soon_after, older_than=timedelta(minutes=30))
    assert sorted(line.name for line in swept) == [LEFTOVER, CONNECTED_LEFTOVER]


def test_a_young_store_holding_keys_says_the_earliest_day_it_can_go(rig: KmsRig) -> None:
    ids = populate(rig)
    rig.raw_kms().create_key(
        CustomKeyStoreId=ids[CONNECTED_LEFTOVER], Origin="EXTERNAL_KEY_STORE", XksKeyId="foo"
    )
    (left,) = [line for line in sweep_at(EPOCH + timedelta(days=1)) if not line.done]
    assert left.name == CONNECTED_LEFTOVER
    assert "not before 2026-01-08" in left.action


@pytest.mark.parametrize("age", ["2 days", "6", "-1h", "1w"])
def test_a_bad_age_is_a_usage_error_naming_the_flag(
    rig: KmsRig, capsys: pytest.CaptureFixture[str], age: str
) -> None:
    assert main(["sweep", f"--older-than={age}"]) == 2
    err = capsys.readouterr().err
    assert "--older-than" in err and "Traceback" not in err
    assert rig.recorder.seen == []


def test_sweep_goes_through_the_gate(
    rig: KmsRig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(rig)
    monkeypatch.delenv(OPT_IN_VARIABLE)
    assert main(["sweep"]) == 2
    assert OPT_IN_VARIABLE in capsys.readouterr().err
    assert rig.recorder.seen == []
