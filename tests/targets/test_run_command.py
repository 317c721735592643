"""`kscheck run` end to end on targets other than the emulator, and its usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hermetic import NOWHERE, hermetic_environment


def kscheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=hermetic_environment(),
    )


def test_a_target_without_custom_key_stores_is_judged_on_what_it_implements(
    tmp_path: Path,
) -> None:
    """moto lacks the store operations (UNSUPPORTED, with its own words) but implements
    CreateKey, which is judged: it creates keys with no store behind them."""
    done = kscheck("run", "--target", "moto", "--profile", "ci", "--report-dir", str(tmp_path))
    assert done.returncode == 1, done.stdout[-2000:]
    assert "NOT CONFORMANT" in done.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    by_outcome: dict[str, set[str]] = {}
    for r in results["requirements"]:
        by_outcome.setdefault(r["outcome"], set()).add(r["id"])
    assert {"CKS-KEY-002", "CKS-KEY-010"} <= by_outcome["FAIL"]
    assert by_outcome["PASS"]  # client-side rules are judged without the target
    assert len(by_outcome["UNSUPPORTED"]) > 50
    assert "CreateCustomKeyStore: NotImplementedError" in done.stdout


def test_an_unknown_target_is_a_usage_error_naming_the_choices() -> None:
    done = kscheck("run", "--target", "localstack-please")
    assert done.returncode == 2
    assert "localstack-please" in done.stderr and "moto-server" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_emulator_fault_is_a_usage_error() -> None:
    done = kscheck("run", "--emulator-fault", "nope")
    assert done.returncode == 2
    assert "nope" in done.stderr and "limit_ignored" in done.stderr


def test_the_aws_target_refuses_without_opt_in() -> None:
    done = kscheck("run", "--target", "aws")
    assert done.returncode == 2
    assert "KSCHECK_AWS_OPT_IN" in done.stderr


def test_the_suite_cannot_reach_aws_even_when_the_developer_opted_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A developer with the nightly run's variables exported: the self-test's subprocess
    still sees no opt-in. (Were it to leak, the fence would ask STS, which is pointed at a
    closed loopback port here, so nothing leaves the machine either way.)"""
    monkeypatch.setenv("KSCHECK_AWS_OPT_IN", "1")
    monkeypatch.setenv("KSCHECK_AWS_ACCOUNT_ALLOWLIST", "111122223333")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x" * 40)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    done = kscheck("run", "--target", "aws")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "the aws target is opt-in" in done.stderr


def test_the_hermetic_environment_drops_every_way_out() -> None:
    leaky = {
        "KSCHECK_AWS_OPT_IN": "1",
        "KSCHECK_AWS_ACCOUNT_ALLOWLIST": "111122223333",
        "KSCHECK_CKS_TARGET": "aws",
        "AWS_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "t",
        "AWS_ENDPOINT_URL": "https://kms.example.com",
        "XKS_PROXY_HOST": "proxy.example.com",
        "AWS_CONFIG_FILE": "/home/dev/.aws/config",
    }
    env = hermetic_environment({**leaky, "PATH": "/bin"})
    assert env["PATH"] == "/bin"
    assert not set(env) & (set(leaky) - set(NOWHERE))
    assert {k: env[k] for k in NOWHERE} == NOWHERE
