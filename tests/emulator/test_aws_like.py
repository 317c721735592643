"""The emulator dressed as AWS (conformance/emulator/aws_like.py): transitions that last,
reads that lag, a foreign store that survives reset, a request log without secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.emulator.aws_like import (
    FOREIGN_STORE,
    EmulatorTiming,
    RequestLog,
    read_request_log,
)
from conformance.emulator.network import XksNetwork
from conformance.emulator.service import EmulatorService
from conformance.model import CloudHsmCluster, World

CLUSTER = CloudHsmCluster("cluster-abcdefghijk", kmsuser_password="kmsuser-secret-value")
WORLD = World(clusters=(CLUSTER,))
CONFIG = {
    "CustomKeyStoreName": "hsm",
    "CloudHsmClusterId": CLUSTER.cluster_id,
    "TrustAnchorCertificate": CLUSTER.trust_anchor,
    "KeyStorePassword": CLUSTER.kmsuser_password,
}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def service(timing: EmulatorTiming, **options: object) -> tuple[EmulatorService, Clock]:
    clock = Clock()
    made = EmulatorService(WORLD, XksNetwork({}), timing=timing, clock=clock, **options)  # type: ignore[arg-type]
    return made, clock


def states(emulator: EmulatorService) -> dict[str, str]:
    status, body = emulator.handle("DescribeCustomKeyStores", {})
    assert status == 200, body
    return {s["CustomKeyStoreName"]: s["ConnectionState"] for s in body["CustomKeyStores"]}


def test_connecting_lasts_the_transition_then_settles() -> None:
    emulator, clock = service(EmulatorTiming(transition_seconds=3.0))
    status, created = emulator.handle("CreateCustomKeyStore", CONFIG)
    assert status == 200, created
    assert (
        emulator.handle("ConnectCustomKeyStore", {"CustomKeyStoreId": created["CustomKeyStoreId"]})[
            0
        ]
        == 200
    )
    clock.now += 2.9
    assert states(emulator) == {"hsm": "CONNECTING"}
    clock.now += 0.2
    assert states(emulator) == {"hsm": "CONNECTED"}


def test_the_instant_emulator_settles_before_the_next_request() -> None:
    emulator, _ = service(EmulatorTiming())
    _, created = emulator.handle("CreateCustomKeyStore", CONFIG)
    emulator.handle("ConnectCustomKeyStore", {"CustomKeyStoreId": created["CustomKeyStoreId"]})
    assert states(emulator) == {"hsm": "CONNECTED"}


def test_reads_show_the_account_as_it_was_a_lag_ago() -> None:
    emulator, clock = service(EmulatorTiming(visibility_lag_seconds=1.0))
    clock.now += 5
    emulator.handle("CreateCustomKeyStore", CONFIG)
    clock.now += 0.5
    assert states(emulator) == {}  # not visible yet
    clock.now += 0.6
    assert states(emulator) == {"hsm": "DISCONNECTED"}


def test_describe_markers_work_under_lag() -> None:
    other = CloudHsmCluster("cluster-bcdefghijkl", trust_anchor="-----BEGIN CERTIFICATE-----\nB\n")
    clock = Clock()
    emulator = EmulatorService(
        World(clusters=(CLUSTER, other)),
        XksNetwork({}),
        timing=EmulatorTiming(visibility_lag_seconds=1.0),
        clock=clock,
    )
    emulator.handle("CreateCustomKeyStore", CONFIG)
    second = {
        **CONFIG,
        "CustomKeyStoreName": "hsm-2",
        "CloudHsmClusterId": other.cluster_id,
        "TrustAnchorCertificate": other.trust_anchor,
        "KeyStorePassword": other.kmsuser_password,
    }
    assert emulator.handle("CreateCustomKeyStore", second)[0] == 200
    clock.now += 2
    _, first = emulator.handle("DescribeCustomKeyStores", {"Limit": 1})
    assert first["Truncated"] is True
    clock.now += 0.5
    status, rest = emulator.handle(
        "DescribeCustomKeyStores", {"Limit": 1, "Marker": first["NextMarker"]}
    )
    assert status == 200, rest
    names = {e["CustomKeyStoreName"] for e in first["CustomKeyStores"] + rest["CustomKeyStores"]}
    assert names == {"hsm", "hsm-2"}


def test_the_foreign_store_is_listed_and_survives_reset() -> None:
    emulator, _ = service(EmulatorTiming(), foreign_stores=(FOREIGN_STORE,))
    assert states(emulator) == {"team-payments-xks": "DISCONNECTED"}
    emulator.handle("CreateCustomKeyStore", CONFIG)
    emulator.reset()
    assert states(emulator) == {"team-payments-xks": "DISCONNECTED"}


def test_the_request_log_keeps_names_and_outcomes_and_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    log = RequestLog(path)
    emulator, _ = service(EmulatorTiming(), log=log)
    emulator.handle("CreateCustomKeyStore", CONFIG)
    emulator.handle("DeleteCustomKeyStore", {"CustomKeyStoreId": "cks-0123456789abcdef0"})
    log.close()
    text = path.read_text()
    assert CLUSTER.kmsuser_password not in text and CLUSTER.trust_anchor[:20] not in text
    entries = read_request_log(path)
    assert [(e["operation"], e["status"], e["error"]) for e in entries] == [
        ("CreateCustomKeyStore", 200, None),
        ("DeleteCustomKeyStore", 400, "CustomKeyStoreNotFoundException"),
    ]
    assert entries[0]["CustomKeyStoreName"] == "hsm"
    assert emulator.requests() == entries


@pytest.mark.parametrize(
    "flags, named",
    [
        (["--account-id", "12345"], "--account-id"),
        (["--lag-seconds", "-1"], "--lag-seconds"),
        (["--transition-seconds", "99999"], "--transition-seconds"),
        (["--request-log", "/no/such/dir/log.jsonl"], "--request-log"),
    ],
)
def test_bad_aws_like_flags_are_usage_errors(flags: list[str], named: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "emulator", *flags],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
