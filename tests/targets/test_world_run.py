"""A separately started ``kscheck emulator`` checked through its world file, as any target
with backends is; its reset endpoint; the usage errors of ``--world``."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests
from hermetic import hermetic_environment

from conformance.emulator import start_emulator
from conformance.emulator.wire import RESET_PATH
from conformance.targets.boto import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from conformance.targets.factory import ResettableUrlTarget

CLI = [sys.executable, "-m", "conformance.cli"]


def kms_at(url: str) -> object:
    return boto3.client(
        "kms",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
    )


def create_a_store(kms: object) -> None:
    kms.create_custom_key_store(  # type: ignore[attr-defined]
        CustomKeyStoreName="to-forget",
        CloudHsmClusterId="cluster-abcdefghijk",
        TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nA\n",
        KeyStorePassword="kmsuser-pass",
    )


def stores(kms: object) -> list[object]:
    return list(kms.describe_custom_key_stores()["CustomKeyStores"])  # type: ignore[attr-defined]


def test_post_reset_empties_the_account_and_other_control_requests_are_json_errors() -> None:
    with start_emulator() as emulator:
        kms = kms_at(emulator.url)
        create_a_store(kms)
        assert len(stores(kms)) == 1
        answer = requests.post(emulator.url + RESET_PATH, timeout=10)
        assert (answer.status_code, answer.json()) == (200, {"reset": True})
        assert stores(kms) == []
        for method, path, status in (
            ("GET", RESET_PATH, 405),
            ("POST", "/_kscheck/other", 404),
            ("POST", "/_kscheck", 404),
        ):
            refused = requests.request(method, emulator.url + path, timeout=10)
            assert refused.status_code == status
            assert refused.json()["__type"] == "UnknownOperationException"


def test_a_url_target_with_a_reset_path_empties_the_account_on_reset() -> None:
    with start_emulator() as emulator:
        kms = kms_at(emulator.url)
        create_a_store(kms)  # not created through the target: only the reset path forgets it
        target = ResettableUrlTarget(emulator.url, "us-east-1", emulator.url + RESET_PATH)
        try:
            target.reset()
        finally:
            target.close()
        assert stores(kms) == []


@dataclass
class SeparateEmulator:
    url: str
    world: Path
    environment: dict[str, str]


@pytest.fixture(scope="module")
def separate_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeparateEmulator]:
    tmp_path = tmp_path_factory.mktemp("separate-emulator")
    world, env_file = tmp_path / "world.toml", tmp_path / "world.env"
    process = subprocess.Popen(
        [*CLI, "emulator", "--world-out", str(world), "--world-env-out", str(env_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=hermetic_environment(),
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]  # banner, JSON, world, secrets
        assert lines[0].startswith("# kscheck emulator at "), lines
        assert lines[3].strip() == f"# its secrets: set -a; . {env_file}"
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        exports = dict(re.findall(r"^export (\w+)='([^']*)'$", env_file.read_text(), re.M))
        assert exports and not any(v in world.read_text() for v in exports.values() if len(v) > 8)
        yield SeparateEmulator(json.loads(lines[1])["endpoint_url"], world, exports)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def run_through_world(
    emulator: SeparateEmulator, world: Path, reports: Path, keyword: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [
            *CLI,
            "run",
            "--target",
            emulator.url,
            "--world",
            str(world),
            "--seed",
            "1",
            "-k",
            keyword,
            "--report-dir",
            str(reports),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=hermetic_environment({**os.environ, **emulator.environment}),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return done


def test_a_separately_started_emulator_is_checked_through_its_world_file(
    separate_emulator: SeparateEmulator, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    run_through_world(
        separate_emulator,
        separate_emulator.world,
        reports,
        "connects_disconnects_and_is_deleted or described_with_its_service "
        "or failing_backend_ends_failed",
    )
    results = json.loads((reports / "results.json").read_text())
    assert results["target"]["backends"] == "world file"
    passed = {r["id"] for r in results["requirements"] if r["outcome"] == "PASS"}
    # a healthy public store, VPC stores of both owners, and every failing backend kind
    assert {"CKS-CONNECT-001", "CKS-OWNER-001", "CKS-OWNER-002", "CKS-VPC-003"} <= passed
    assert {"CKS-HSM-006", "CKS-CONNECT-004"} <= passed
    secrets = [v for k, v in separate_emulator.environment.items() if "SECRET" in k]
    for written in reports.iterdir():
        text = written.read_text(errors="replace")
        assert not any(secret in text for secret in secrets), written.name


def test_a_check_the_world_cannot_serve_is_skipped_naming_the_missing_entry(
    separate_emulator: SeparateEmulator, tmp_path: Path
) -> None:
    """The emulator's world without its TIMEOUT places: that case of the health-check
    refusal skips, naming the entry; the other cases still pass."""
    blocks = separate_emulator.world.read_text().split("\n[[xks_proxies]]\n")
    kept = [b for b in blocks if 'behaviour = "TIMEOUT"' not in b]
    assert len(kept) < len(blocks)
    world = tmp_path / "no-timeout.toml"
    world.write_text("\n[[xks_proxies]]\n".join(kept))
    run_through_world(separate_emulator, world, tmp_path / "r", "fails_the_health_check")
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    checks = [c for r in results["requirements"] for c in r.get("checks", [])]
    timeout_case = [c for c in checks if "TIMEOUT" in c["nodeid"]]
    assert timeout_case and all(c["outcome"] == "SKIPPED" for c in timeout_case)
    assert "the world has no xks_proxies entry with behaviour TIMEOUT" in json.dumps(timeout_case)
    assert any(c["outcome"] == "PASS" and "BAD_TLS" in c["nodeid"] for c in checks)


def kscheck_run(
    *args: str, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=hermetic_environment({**os.environ, **(environment or {})}),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('format = 1\ncolour = "red"\n', "colour: unknown key"),
        (
            'format = 1\n[[cloudhsm_clusters]]\ncluster_id = "c"\ntrust_anchor = "x"\n'
            'kmsuser_password_env = "KSCHECK_TEST_UNSET_PASSWORD"\n',
            "the environment variable KSCHECK_TEST_UNSET_PASSWORD is not set",
        ),
        (
            'format = 1\n[[xks_proxies]]\nuri_endpoint = "https://x"\nuri_path = "/p"\n'
            'behaviour = "SLOW"\n',
            "behaviour: 'SLOW' is not one of",
        ),
        (
            'format = 1\n[[cloudhsm_clusters]]\ncluster_id = "c"\ntrust_anchor_file = "no.pem"\n'
            'kmsuser_password_env = "HOME"\n',
            "trust_anchor_file: cannot read",
        ),
    ],
    ids=["unknown-key", "missing-variable", "bad-behaviour", "missing-trust-anchor-file"],
)
def test_a_bad_world_file_is_exit_2_with_one_line(tmp_path: Path, text: str, expected: str) -> None:
    world = tmp_path / "bad.toml"
    world.write_text(text)
    done = kscheck_run("--target", "http://127.0.0.1:9", "--world", str(world))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(world) in lines[0] and expected in lines[0], done.stderr
    assert lines[0].startswith("kscheck run: --world: ")


def test_the_emulator_target_refuses_a_world_file(tmp_path: Path) -> None:
    world = tmp_path / "w.toml"
    world.write_text("format = 1\n")
    done = kscheck_run("--world", str(world))
    assert done.returncode == 2
    assert "--world: the emulator target has its own world" in done.stderr
    assert "Traceback" not in done.stderr
