"""`kscheck emulator` serves a real KMS endpoint, prints its scenario, and stops cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import boto3

from conformance.targets.boto import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY


def test_emulator_command_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "emulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("# kscheck emulator at http://127.0.0.1:")
        scenario = json.loads(process.stdout.readline())
        kms = boto3.client(
            "kms",
            endpoint_url=scenario["endpoint_url"],
            region_name=scenario["region"],
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        )
        cluster = scenario["cloudhsm_clusters"][0]
        created = kms.create_custom_key_store(
            CustomKeyStoreName="from-the-command",
            CloudHsmClusterId=cluster["id"],
            TrustAnchorCertificate=cluster["trust_anchor"],
            KeyStorePassword="kmsuser-pass",
        )
        listed = kms.describe_custom_key_stores()["CustomKeyStores"]
        assert [s["CustomKeyStoreId"] for s in listed] == [created["CustomKeyStoreId"]]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert out.strip().endswith("# stopped")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_unknown_emulator_fault_is_a_usage_error_naming_the_valid_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "emulator", "--fault", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "nope" in done.stderr and "delete_ignores_state" in done.stderr
    assert "Traceback" not in done.stderr
