"""Cross-field rules of CreateCustomKeyStore: members the store type needs, members that do
not apply to it, an omitted type, undocumented endpoint and path forms, several violations
at once. Each case is one mutation of a valid configuration (strategies), judged by the model
in the target's world; a mismatch names the rule the mutation broke.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.cks.account import seeded_model
from conformance.checks.cks.judge import judge_invalid
from conformance.targets.factory import PreparedTarget
from strategies.invalid_configs import (
    InvalidStoreSetup,
    ip_endpoint_violations,
    missing_member_violations,
    not_applicable_violations,
    omitted_type_violations,
    path_version_violations,
    several_violations,
)

pytestmark = [
    pytest.mark.operations(),  # support is learnt per example, call by call
    pytest.mark.requirement("CKS-WIRE-001", "CKS-SECRET-001", "CKS-SECRET-002"),
]

CREATE = "CreateCustomKeyStore"
EXAMPLES_PER_CASE = 15

CASES: dict[str, tuple[Callable[[], st.SearchStrategy[InvalidStoreSetup]], tuple[str, ...]]] = {
    "missing-member": (
        missing_member_violations,
        ("CKS-CREATE-003", "CKS-CREATE-004", "CKS-CREATE-005"),
    ),
    "not-applicable": (
        not_applicable_violations,
        ("CKS-CREATE-006", "CKS-OWNER-003", "CKS-OWNER-004"),
    ),
    "omitted-type": (omitted_type_violations, ("CKS-CREATE-002", "CKS-CREATE-003")),
    "ip-endpoint": (ip_endpoint_violations, ("CKS-XKS-001",)),
    "path-version": (path_version_violations, ("CKS-XKS-002",)),
    "several": (several_violations, ("CKS-ERR-009",)),
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(name, marks=pytest.mark.requirement(*ids)) for name, (_, ids) in CASES.items()],
)
@settings(
    max_examples=EXAMPLES_PER_CASE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_create_request_breaking_a_cross_field_rule_is_judged_by_the_model(
    supported: PreparedTarget, case: str, data: st.DataObject
) -> None:
    invalid: InvalidStoreSetup = data.draw(CASES[case][0](), label="invalid")
    reset = getattr(supported.target, "reset", None)
    if reset is not None:
        reset()
    judge_invalid(
        seeded_model(supported, client_validation=invalid.client_validation),
        supported.target,
        CREATE,
        invalid.config,
        requirement_id=invalid.violation.requirement_id,
        broken=f"{invalid.violation.field}: {invalid.violation.rule}",
        unvalidated=not invalid.client_validation,
    )
