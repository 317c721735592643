"""Secrets and plaintext never reach a report or the console.

A fake proxy is started with planted, unique credential markers and faults that make many
checks fail (so Expected/Actual/Input lines are written), then certified as an *external*
target through the official client's environment variables. Every written file and the
console output are searched for the markers, raw and base64-encoded.
"""

from __future__ import annotations

import base64
import secrets
import subprocess
import sys
from pathlib import Path

from hermetic import hermetic_environment

from conformance.checks.xks.generators import FIXED_PLAINTEXTS, PLAINTEXT_MARKER
from conformance.xks.config import (
    DEFAULT_URI_PREFIX,
    SECOND_URI_PREFIX,
    Credential,
    FakeProxyConfig,
    Tenant,
)
from conformance.xks.server import start_fake_proxy

LEAKY_FAULTS = ("wrong_plaintext", "bad_error_message", "signature_not_checked", "urlsafe_base64")


def _marker_credential(tag: str) -> Credential:
    akid = ("KSCHECKAKID" + tag + "A" * 30)[:24]
    secret = f"kscheckSecretMarker{tag}{secrets.token_hex(12)}"
    return Credential(akid, secret)


def _forbidden(*credentials: Credential) -> dict[str, str]:
    needles = {}
    for credential in credentials:
        needles[f"secret {credential.access_key_id}"] = credential.secret_access_key
        needles[f"akid {credential.access_key_id}"] = credential.access_key_id
    for plaintext in FIXED_PLAINTEXTS:
        needles[f"b64 {plaintext!r}"] = base64.b64encode(plaintext).decode()
    needles["plaintext marker"] = PLAINTEXT_MARKER.decode()
    needles["TC plaintext 2"] = "Hello World!"
    return needles


def test_no_secret_or_plaintext_appears_in_reports_or_console(tmp_path: Path) -> None:
    first, second = _marker_credential("ONE"), _marker_credential("TWO")
    config = FakeProxyConfig(
        tenants=(Tenant(DEFAULT_URI_PREFIX, (first, second)), Tenant(SECOND_URI_PREFIX)),
        faults=frozenset(LEAKY_FAULTS),
    )
    report_dir = tmp_path / "reports"
    with start_fake_proxy(config) as proxy:
        env = hermetic_environment()
        env.update(
            XKS_PROXY_HOST=proxy.host,
            URI_PREFIX=proxy.uri_prefix,
            SIGV4_ACCESS_KEY_ID=first.access_key_id,
            SIGV4_SECRET_ACCESS_KEY=first.secret_access_key,
            SECOND_SIGV4_SECRET_ACCESS_KEY=second.secret_access_key,
        )
        command = [
            sys.executable, "-m", "conformance.cli", "certify",
            "--ca-bundle", str(proxy.ca_bundle_path),
            "--second-access-key-id", second.access_key_id,
            "--disabled-key-id", "disabled_key",
            "--ping-url", str(proxy.ping_url),
            "--report-dir", str(report_dir), "--no-shrink",
        ]  # fmt: skip
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    written = {p.name: p.read_text() for p in report_dir.iterdir()}
    assert set(written) == {"results.json", "junit.xml", "summary.md", "report.html"}
    texts = {"stdout": result.stdout, "stderr": result.stderr, **written}
    leaks = [
        (what, where)
        for what, needle in _forbidden(first, second).items()
        for where, text in texts.items()
        if needle in text
    ]
    assert leaks == []
    assert "XKS-CRYPT-006" in written["results.json"]  # the wrong plaintext was caught
