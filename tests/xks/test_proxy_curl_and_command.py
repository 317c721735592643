"""curl's own SigV4 against the fake proxy, `kscheck proxy`, and secrecy of reprs and logs."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.xks.client import XksClient, health_metadata
from conformance.xks.config import FakeProxyConfig
from conformance.xks.faults import FAULTS
from conformance.xks.server import RunningProxy

CURL = shutil.which("curl")


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_aws_sigv4_gets_200(proxy: RunningProxy) -> None:
    akid, secret = proxy.credentials[0]
    body = json.dumps({"requestMetadata": health_metadata()})
    result = subprocess.run(
        [
            str(CURL),
            "--silent",
            "--show-error",
            "--aws-sigv4",
            f"aws:amz:{proxy.region}:kms-xks-proxy",
            "--user",
            f"{akid}:{secret}",
            "--cacert",
            str(proxy.ca_bundle_path),
            "-H",
            "Content-Type: application/json",
            "-d",
            body,
            "--write-out",
            "\n%{http_code}",
            proxy.url("health"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    *payload, status = result.stdout.splitlines()
    assert status == "200", result.stderr
    assert "ekmFleetDetails" in json.loads("\n".join(payload))


def kscheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", "proxy", *args]


def test_kscheck_proxy_prints_json_and_test_client_variables_then_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    process = subprocess.Popen(
        kscheck("--fault", "slow", "--prefix", "tenant/a", "--cert-dir", str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(15)]
        described = json.loads(next(line for line in lines if line.startswith("{")))
        exports = dict(
            line.removeprefix("export ").strip().split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        with XksClient(
            described["url"],
            described["uri_prefix"],
            described["credentials"][0]["access_key_id"],
            described["credentials"][0]["secret_access_key"],
            described["region"],
            Path(described["ca_bundle"]),
        ) as xks:
            assert xks.health().status == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert described["faults"] == ["slow"]
    assert Path(described["ca_bundle"]).parent == tmp_path
    assert exports["URI_PREFIX"] == "tenant/a"
    assert exports["XKS_PROXY_HOST"] == described["xks_proxy_host"]
    assert {
        "SIGV4_ACCESS_KEY_ID",
        "SIGV4_SECRET_ACCESS_KEY",
        "KEY_ID",
        "ENCRYPT_ONLY_KEY_ID",
        "DECRYPT_ONLY_KEY_ID",
        "IMPOTENT_KEY_ID",
        "REGION",
    } <= exports.keys()
    assert "Traceback" not in stderr


def test_kscheck_proxy_refuses_unknown_faults_listing_the_valid_ones() -> None:
    result = subprocess.run(
        kscheck("--fault", "no_such_fault"), capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert "no_such_fault" in result.stderr and "iv_reused" in result.stderr
    assert "Traceback" not in result.stderr


def test_kscheck_proxy_lists_every_fault() -> None:
    result = subprocess.run(
        kscheck("--list-faults"), capture_output=True, text=True, timeout=30, check=True
    )
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(FAULTS)


def test_reprs_never_show_secrets(proxy: RunningProxy, client: XksClient) -> None:
    secret = proxy.credentials[0].secret_access_key
    config = FakeProxyConfig()
    for shown in (
        repr(proxy),
        repr(client),
        repr(proxy.credentials),
        repr(config),
        str(proxy.credentials[0]),
        repr(client.health()),
    ):
        assert secret not in shown
        assert config.tenants[0].credentials[0].secret_access_key not in repr(config)


def test_proxy_logs_hold_no_secret_plaintext_or_signature(
    proxy: RunningProxy, client: XksClient, caplog: pytest.LogCaptureFixture
) -> None:
    marker = b"TOP-SECRET-PLAINTEXT-MARKER"
    with caplog.at_level(logging.DEBUG):
        sealed = client.encrypt("foo", marker)
        client.decrypt_plaintext("foo", sealed.json)
        client.raw("POST", "health", b"{not json")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "encrypt -> 200" in logged  # the proxy does log its requests
    for hidden in (
        marker.decode(),
        proxy.credentials[0].secret_access_key,
        "Signature=",
        sealed.json["ciphertext"],
    ):
        assert hidden not in logged


def test_the_proxy_docs_describe_every_fault() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "proxy.md").read_text()
    missing = [name for name in FAULTS if f"| `{name}` |" not in docs]
    assert not missing
