"""Shape validation: every member of CreateCustomKeyStore, every botocore rule it has.

Each case is a valid configuration with one member broken (strategies' one-mutation
invalid configurations). Client-side rules (missing, wrong type, too short) are sent through
botocore's validation, which must refuse them, and again with it switched off, so the
target's own server-side layer is judged too (CKS-ERR-008); server-only rules (too long,
pattern, enum) are sent as they are. An unknown member name is refused by botocore
(CKS-ERR-002).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.cks.account import seeded_model
from conformance.checks.cks.judge import judge_invalid
from conformance.checks.cks.rule_cases import judge_member_violation, member_rule_cases
from conformance.targets.factory import PreparedTarget
from strategies.invalid_configs import (
    InvalidStoreSetup,
    shape_violations,
    unknown_member_violations,
)

pytestmark = [
    pytest.mark.operations(),  # support is learnt per example, call by call
    pytest.mark.requirement("CKS-WIRE-001", "CKS-SECRET-001", "CKS-SECRET-002"),
]

CREATE = "CreateCustomKeyStore"
#: Examples per (member, rule) case: each case is narrow, so a few reach every rule's edges.
EXAMPLES_PER_CASE = 12


def _reset(prepared: PreparedTarget) -> None:
    reset = getattr(prepared.target, "reset", None)
    if reset is not None:
        reset()


@pytest.mark.parametrize(
    ("operation", "path", "rule"),
    member_rule_cases([CREATE], skip_top_level_required=True),  # the name: CKS-CREATE-001
)
@settings(
    max_examples=EXAMPLES_PER_CASE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_create_request_breaking_one_member_rule_is_refused(
    supported: PreparedTarget, operation: str, path: str, rule: str, data: st.DataObject
) -> None:
    prepared = supported
    invalid: InvalidStoreSetup = data.draw(
        shape_violations(path).filter(lambda s: s.violation.rule == rule), label="invalid"
    )
    _reset(prepared)
    judge_member_violation(
        seeded_model(prepared, client_validation=False),
        prepared.target,
        operation,
        invalid.config,
        invalid.violation,
    )


@pytest.mark.requirement("CKS-ERR-002")
@settings(
    max_examples=EXAMPLES_PER_CASE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(invalid=unknown_member_violations())
def test_a_create_request_with_an_unknown_member_is_refused_before_sending(
    supported: PreparedTarget, invalid: InvalidStoreSetup
) -> None:
    judge_invalid(
        seeded_model(supported),
        supported.target,
        CREATE,
        invalid.config,
        requirement_id=invalid.violation.requirement_id,
        broken=f"{invalid.violation.field}: {invalid.violation.rule}",
        unvalidated=False,
    )
