"""Reprs are valid Python that rebuilds the value, and secrets never print."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.vendor.pretty import pretty

import strategies
from strategies import (
    Secret,
    coexisting_store_sets,
    conflicting_store_sets,
    describe_requests,
    invalid_store_configs,
    invalid_values,
    redacted_secret,
    store_setups,
    valid_store_configs,
)

NAMESPACE: dict[str, Any] = {name: getattr(strategies, name) for name in strategies.__all__}
SECRET_PATHS = [
    "KeyStorePassword",
    "XksProxyAuthenticationCredential.AccessKeyId",
    "XksProxyAuthenticationCredential.RawSecretAccessKey",
]
FEW = settings(max_examples=30)


def _secrets_in(value: Any) -> list[Secret]:
    if isinstance(value, Secret):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _secrets_in(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [s for f in value.__dataclass_fields__ for s in _secrets_in(getattr(value, f))]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _secrets_in(v)]
    return []


def _assert_replays_without_secrets(value: Any) -> None:
    text = repr(value)
    assert eval(text, dict(NAMESPACE)) == value
    for secret in _secrets_in(value):
        if len(secret) >= 7:
            assert str(secret) not in text
            assert str(secret) not in pretty(value)


@FEW
@given(
    st.one_of(
        store_setups(),
        invalid_store_configs(),
        conflicting_store_sets(),
        coexisting_store_sets(size=2),
        describe_requests(("cks-1",), ("a",), ("m1",)),
    )
)
def test_generated_cases_repr_as_python_that_rebuilds_them(case: Any) -> None:
    _assert_replays_without_secrets(case)


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_a_redacted_secret_regenerates_the_same_value(path: str) -> None:
    secret = redacted_secret(path, 40, seed=7, tail="\n")
    assert eval(repr(secret), dict(NAMESPACE)) == secret
    assert str(secret) not in repr(secret) and str(secret) not in pretty(secret)
    assert len(secret) == 41 and secret.endswith("\n")


def test_invalid_secret_values_stay_redacted() -> None:
    @FEW
    @given(
        invalid_values(
            "CreateCustomKeyStore", "XksProxyAuthenticationCredential.RawSecretAccessKey"
        )
    )
    def check(bad: Any) -> None:
        if isinstance(bad.value, str) and len(bad.value) >= 7:
            assert isinstance(bad.value, Secret)
            assert bad.value not in repr(bad)

    check()


def test_a_failing_example_prints_secrets_redacted_and_replayable() -> None:
    @settings(max_examples=20, database=None, phases=[Phase.generate])
    @given(valid_store_configs())
    def fails_on_a_credential(config: dict[str, Any]) -> None:
        assert "XksProxyAuthenticationCredential" not in config

    with pytest.raises(AssertionError) as failure:
        fails_on_a_credential()
    printed = "\n".join(getattr(failure.value, "__notes__", []))
    assert "redacted_secret('XksProxyAuthenticationCredential.RawSecretAccessKey'" in printed
    call = re.search(r"config=(\{.*\}),?\n", printed, re.DOTALL)
    assert call is not None, printed
    config = eval(call.group(1), dict(NAMESPACE))
    secret = config["XksProxyAuthenticationCredential"]["RawSecretAccessKey"]
    assert str(secret) not in printed


def test_update_cases_hide_a_stored_plain_secret() -> None:
    from conformance.model import StoreRecord
    from strategies import first_example
    from strategies.updates import update_requests

    plain = "p" * 43  # as a store created with a live proxy's credential holds it
    store = StoreRecord(
        "cks-1",
        "a",
        "EXTERNAL_KEY_STORE",
        connectivity="PUBLIC_ENDPOINT",
        uri_endpoint="https://xks.example.com",
        uri_path="/kms/xks/v1",
        access_key_id="A" * 20,
        raw_secret_access_key=plain,
    )
    case = first_example(update_requests(store, "DISCONNECTED"), lambda c: c.group == "name")
    assert case.after["XksProxyAuthenticationCredential"]["RawSecretAccessKey"] == plain
    assert plain not in repr(case)
    assert plain not in pretty(case)
