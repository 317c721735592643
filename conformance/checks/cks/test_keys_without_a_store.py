"""Rules judged where there is no store: CreateKey's custom key store rules, a forged marker.

A custom key store origin needs a store ID, a store ID needs such an origin and an existing
store, and an external key ID belongs to the EXTERNAL_KEY_STORE origin only (digest §7). A
target that implements CreateKey but not the store operations (moto, LocalStack) is judged
here all the same. Only requests the model expects to be refused are sent, so a run against
AWS never creates a key; when a target wrongly creates one, DescribeKey shows what it claims.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conformance.checks.cks.account import seeded_model
from conformance.checks.cks.judge import describe_input, judge, judge_observation
from conformance.model import redact
from conformance.report.outcomes import RequirementViolation
from conformance.targets.factory import PreparedTarget

pytestmark = pytest.mark.operations("CreateKey")

#: A well-formed ID no account has: the store it names does not exist.
NO_SUCH_STORE = "cks-0000000000000000f"
NO_SUCH_XKS_KEY = "kscheck-no-such-external-key"

EXAMPLES: dict[str, dict[str, Any]] = {
    "external-origin-without-a-store": {
        "Origin": "EXTERNAL_KEY_STORE",
        "XksKeyId": NO_SUCH_XKS_KEY,
    },
    "cloudhsm-origin-without-a-store": {"Origin": "AWS_CLOUDHSM"},
    "external-key-id-with-the-kms-origin": {"Origin": "AWS_KMS", "XksKeyId": NO_SUCH_XKS_KEY},
    "unknown-store-id": {
        "CustomKeyStoreId": NO_SUCH_STORE,
        "Origin": "EXTERNAL_KEY_STORE",
        "XksKeyId": NO_SUCH_XKS_KEY,
    },
    "store-id-with-the-kms-origin": {"CustomKeyStoreId": NO_SUCH_STORE, "Origin": "AWS_KMS"},
}


def create_key_judged(prepared: PreparedTarget, request: dict[str, Any]) -> None:
    """Send CreateKey and judge it; a key created against the rules is described, so the
    finding shows what the target claims it is."""
    model = seeded_model(prepared)
    expectation = model.predict("CreateKey", request)
    observation = prepared.target.call("CreateKey", request)
    if observation.succeeded and not expectation.success:
        meta = dict((observation.response or {}).get("KeyMetadata") or {})
        described = prepared.target.call("DescribeKey", {"KeyId": meta.get("KeyId", "")})
        claimed = dict((described.response or {}).get("KeyMetadata") or {}) or meta
        shown = {k: claimed.get(k) for k in ("KeyId", "Origin", "CustomKeyStoreId", "KeyState")}
        raise RequirementViolation(
            expectation.blame(None),
            expected=expectation.describe(),
            actual=f"success: a key was created and is described as {redact(shown)!r}",
            input=describe_input("CreateKey", request),
        )
    judge_observation(model, "CreateKey", request, expectation, observation)


@pytest.mark.requirement("CKS-KEY-002", "CKS-KEY-003", "CKS-KEY-010", "CKS-WIRE-001")
@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_create_key_without_a_store_behind_it_is_refused(
    supported: PreparedTarget, case: str
) -> None:
    create_key_judged(supported, dict(EXAMPLES[case]))


store_less_requests = st.fixed_dictionaries(
    {},
    optional={
        "Origin": st.sampled_from(["AWS_KMS", "EXTERNAL", "EXTERNAL_KEY_STORE", "AWS_CLOUDHSM"]),
        "CustomKeyStoreId": st.sampled_from([NO_SUCH_STORE, "cks-1234567890abcdef0"]),
        "XksKeyId": st.sampled_from([NO_SUCH_XKS_KEY, "a" * 64]),
        "Description": st.just("kscheck: never created"),
    },
)


@pytest.mark.requirement("CKS-KEY-002", "CKS-KEY-003", "CKS-KEY-010", "CKS-WIRE-001")
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=store_less_requests)
def test_any_create_key_naming_a_missing_store_is_refused(
    supported: PreparedTarget, request: dict[str, Any]
) -> None:
    expectation = seeded_model(supported).predict("CreateKey", request)
    assume(not expectation.success)  # a valid store-less key is no rule of ours (and costs)
    create_key_judged(supported, request)


@pytest.mark.requirement("CKS-PAGE-003")
@pytest.mark.operations("DescribeCustomKeyStores")
def test_a_marker_the_account_was_never_given_is_refused(fresh: PreparedTarget) -> None:
    """Needs no store at all, so it is judged on any target (digest §6)."""
    model = seeded_model(fresh)
    judge(model, fresh.target, "DescribeCustomKeyStores", {"Marker": "kscheck-forged-marker"})
