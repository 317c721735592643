"""The nightly aws run rehearsed on loopback (conformance/rehearsal.py): a small run in both
timing modes audited from the emulator's own records, the quota refusal before any Create,
and a run killed with SIGKILL cleaned up by ``kscheck sweep``. The full rehearsal is
``nox -s aws_rehearsal`` (it takes minutes: every operation is paced to 5 requests/s)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import rehearsal
from conformance.emulator.aws_like import FOREIGN_STORE, read_request_log
from conformance.targets.aws.account import FIXTURE_STORE_NAME, is_run_store_name

FOREIGN_NAME = FOREIGN_STORE["CustomKeyStoreName"]
#: A few checks that create, connect, settle, delete, make keys in the fixture and probe
#: unknown IDs: enough to exercise the fence, the names, the fixture and the cleanup.
SMALL = "kept or test_a_public_store_connects or unknown_store_id or the_eleventh_store"


@pytest.mark.parametrize("aws_like", [False, True], ids=["instant", "aws-like"])
def test_a_rehearsal_is_conformant_and_the_emulator_saw_only_what_the_fence_allows(
    tmp_path: Path, aws_like: bool
) -> None:
    with rehearsal.rehearsal_rig(tmp_path / "rig", aws_like=aws_like) as rig:
        arguments = ["--profile", "ci", "--seed", "3", "-k", SMALL]
        arguments += ["--report-dir", str(tmp_path / "reports")]
        done = subprocess.run(
            rehearsal.run_command(rig, arguments),
            env=rig.environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        entries = read_request_log(rig.request_log)
        left = rehearsal.stores_left(rig)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    assert results["verdict"]["word"] == "CONFORMANT"
    assert results["counts"].get("FAIL", 0) == 0 and results["counts"].get("ERROR", 0) == 0
    passed = {r["id"] for r in results["requirements"] if r["outcome"] == "PASS"}
    # CONNECTED-only paths were reached, not passed untested: the checks settled the stores
    assert {"CKS-KEY-012", "CKS-CONNECT-001", "CKS-STATE-001", "CKS-QUOTA-001"} <= passed
    assert rehearsal.audit_requests(entries) == []
    created = [
        e["CustomKeyStoreName"]
        for e in entries
        if e["operation"] == "CreateCustomKeyStore" and e["status"] == 200
    ]
    assert created and all(is_run_store_name(n) or n == FIXTURE_STORE_NAME for n in created)
    assert any(e["operation"] == "CreateKey" and e["status"] == 200 for e in entries)
    assert sorted(left) == sorted([FOREIGN_NAME, FIXTURE_STORE_NAME])


def test_the_audit_names_each_broken_promise() -> None:
    foreign = FOREIGN_STORE["CustomKeyStoreId"]
    entries = [
        {"operation": "CreateCustomKeyStore", "status": 200, "t": 0.0, "CustomKeyStoreName": "x"},
        {"operation": "DeleteCustomKeyStore", "status": 400, "t": 0.1, "CustomKeyStoreId": foreign},
        *({"operation": "DescribeKey", "status": 200, "t": 1 + i / 10} for i in range(6)),
    ]
    problems = rehearsal.audit_requests(entries)
    assert len(problems) == 3
    assert "without the run prefix: x" in problems[0]
    assert foreign in problems[1] and "DeleteCustomKeyStore" in problems[1]
    assert "DescribeKey: 6 requests" in problems[2]


def test_a_run_needing_more_stores_than_are_free_is_refused_before_any_create(
    tmp_path: Path,
) -> None:
    with rehearsal.rehearsal_rig(tmp_path / "rig", aws_like=False) as rig:
        done = subprocess.run(
            rehearsal.run_command(rig, ["--store-quota", "3", "--report-dir", str(tmp_path / "r")]),
            env=rig.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        entries = read_request_log(rig.request_log)
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert "Traceback" not in done.stderr
    assert "needs" in message and "3" in message and "1 of 3" in message, message
    assert not any(e["operation"] == "CreateCustomKeyStore" for e in entries)


def test_a_run_killed_mid_way_is_cleaned_up_by_sweep_and_dry_run_deletes_nothing(
    tmp_path: Path,
) -> None:
    with rehearsal.rehearsal_rig(tmp_path / "rig", aws_like=False) as rig:
        arguments = ["--profile", "ci", "--seed", "3", "-k", "the_eleventh_store"]
        run = subprocess.Popen(
            rehearsal.run_command(rig, [*arguments, "--report-dir", str(tmp_path / "r")]),
            env=rig.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill once a few run stores exist
            made = [
                e
                for e in read_request_log(rig.request_log)
                if e["operation"] == "CreateCustomKeyStore"
                and e["status"] == 200
                and is_run_store_name(e["CustomKeyStoreName"])
            ]
            if len(made) >= 3:
                break
            time.sleep(0.1)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        before = rehearsal.stores_left(rig)
        assert sum(is_run_store_name(n) for n in before) >= 3, before
        listed = rehearsal.kscheck(rig, ["sweep", "--dry-run", "--poll-seconds", "0.2"], 120)
        assert listed.returncode in (0, 1), listed.stderr
        assert rehearsal.stores_left(rig) == before  # the dry run deleted nothing
        for name in (n for n in before if is_run_store_name(n)):
            assert name in listed.stdout
        swept = rehearsal.kscheck(rig, ["sweep", "--poll-seconds", "0.2"], 300)
        after = rehearsal.stores_left(rig)
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert not any(is_run_store_name(n) for n in after), after
    assert FOREIGN_NAME in after


RIG_HOST = "xks-rig.kscheck.test"
RIG_TENANTS = (("A", "/rig-a"), ("B", "/rig-b"))
#: Checks that build healthy public stores (and keys in the fixture, on the emulator's place)
RIG_SUBSET = "test_a_public_store_connects or kept or test_delete_and_disconnect"


def _start_rig(
    tmp_path: Path,
) -> tuple[subprocess.Popen[str], Path, dict[str, str], Path, str]:
    """A ``kscheck proxy --tenants`` rig with a trustme chain for RIG_HOST and 127.0.0.1, as
    a separate process; returns it, its world file, its credentials and its CA bundle."""
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert(RIG_HOST, "127.0.0.1")
    chain, key, bundle = tmp_path / "chain.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(bundle))
    credentials, tenants = {}, []
    for name, prefix in RIG_TENANTS:
        credentials[f"KSCHECK_RIG_{name}_AKID"] = f"RIGTENANT{name}" + "A" * (11 - len(name))
        credentials[f"KSCHECK_RIG_{name}_SECRET"] = f"RigTenant{name}Secret" + "s" * 30
        tenants.append(
            f'[[tenant]]\nuri_prefix = "{prefix}"\naccess_key_id_env = "KSCHECK_RIG_{name}_AKID"\n'
            f'secret_access_key_env = "KSCHECK_RIG_{name}_SECRET"\nbehaviour = "HEALTHY"\n'
        )
    (tmp_path / "tenants.toml").write_text("\n".join(tenants))
    world = tmp_path / "rig-world.toml"
    process = subprocess.Popen(
        [
            *rehearsal_kscheck(),
            "proxy",
            "--bind",
            "127.0.0.1",
            "--tls-cert",
            str(chain),
            "--tls-key",
            str(key),
            "--tenants",
            str(tmp_path / "tenants.toml"),
            "--world-out",
            str(world),
            "--public-host",
            RIG_HOST,
        ],
        env={**os.environ, **credentials},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = ""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("{"):
            url = json.loads(line)["url"]
            break
    assert url.startswith("https://127.0.0.1:"), url
    return process, world, credentials, bundle, url


def rehearsal_kscheck() -> list[str]:
    return [sys.executable, "-m", "conformance.cli"]


def _passed(report: Path) -> set[str]:
    results = json.loads((report / "results.json").read_text())
    return {r["id"] for r in results["requirements"] if r["outcome"] == "PASS"}


def test_a_rig_proxy_world_verifies_what_the_emulators_own_world_does(tmp_path: Path) -> None:
    rig, rig_world, credentials, bundle, url = _start_rig(tmp_path)
    text = rig_world.read_text()  # names its credentials' variables, never their values
    assert f"https://{RIG_HOST}" in text and "_SECRET" in text
    assert not any(value in text for value in credentials.values())
    routes = ["--route", f"{RIG_HOST}={url}", "--route-ca", str(bundle)]
    common = ["--profile", "ci", "--seed", "5", "-k", RIG_SUBSET]
    # each run gets a fresh account: keys of an earlier run would hold the fixture's
    # external keys (OQ-34), as they do on AWS for a week
    try:
        with rehearsal.rehearsal_rig(tmp_path / "a", aws_like=False) as plain:
            own = subprocess.run(
                rehearsal.run_command(plain, [*common, "--report-dir", str(tmp_path / "own")]),
                env=plain.environment, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
        with rehearsal.rehearsal_rig(tmp_path / "b", aws_like=False, emulator_args=routes) as r:
            r.environment.update(credentials)
            with_rig = subprocess.run(
                rehearsal.run_command(
                    r, [*common, "--report-dir", str(tmp_path / "rig")], [rig_world]
                ),
                env=r.environment, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            rig.terminate()
            rig.wait(timeout=30)
            gone = subprocess.run(
                rehearsal.run_command(
                    r, [*common, "--report-dir", str(tmp_path / "gone")], [rig_world]
                ),
                env=r.environment, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
    finally:
        if rig.poll() is None:
            rig.kill()
    assert own.returncode == 0, own.stdout[-2000:]
    assert with_rig.returncode == 0, with_rig.stdout[-2000:]
    assert _passed(tmp_path / "rig") == _passed(tmp_path / "own")
    # the checks really went to the rig: with it stopped, its healthy place is unreachable
    assert gone.returncode == 1 and "FAIL" in gone.stdout, gone.stdout[-2000:]
