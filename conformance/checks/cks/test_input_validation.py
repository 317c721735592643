"""Shape validation: every member of CreateCustomKeyStore, every botocore rule it has.

Each case is a valid configuration with one member broken (strategies' one-mutation
invalid configurations). Client-side rules (missing, wrong type, too short) are sent with
botocore's validation switched off, so the target's own server-side layer is what is
judged (CKS-ERR-008); server-only rules (too long, pattern, enum) are sent as they are.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.cks.judge import judge_invalid
from conformance.model import ReferenceModel
from conformance.spec.botocore_model import input_constraints
from conformance.targets.factory import PreparedTarget
from strategies.invalid_configs import InvalidStoreSetup, shape_violations
from strategies.members import invalid_values_by_rule
from strategies.requirement_ids import CLIENT_RULE_REQUIREMENTS, requirement_for_rule

CREATE = "CreateCustomKeyStore"
CLIENT_SIDE_RULES = frozenset(CLIENT_RULE_REQUIREMENTS)
SERVER_SIDE_REFUSAL = "CKS-ERR-008"
#: Examples per (member, rule) case: each case is narrow, so a few reach every rule's edges.
EXAMPLES_PER_CASE = 12


def _cases() -> list[Any]:
    cases = []
    for path, constraint in sorted(input_constraints(CREATE).items()):
        for rule in sorted(invalid_values_by_rule(CREATE, path)):
            if rule == "type" and constraint.type_name == "structure":
                continue  # botocore cannot serialise a non-object there: nothing to send
            if rule == "required" and "." not in path:
                continue  # CustomKeyStoreName: the only top-level required member
            rid = requirement_for_rule(CREATE, path, rule)
            ids = (rid, SERVER_SIDE_REFUSAL) if rule in CLIENT_SIDE_RULES else (rid,)
            cases.append(pytest.param(path, rule, marks=pytest.mark.requirement(*ids)))
    return cases


def _reset(prepared: PreparedTarget) -> None:
    reset = getattr(prepared.target, "reset", None)
    if reset is not None:
        reset()


@pytest.mark.parametrize(("path", "rule"), _cases())
@settings(
    max_examples=EXAMPLES_PER_CASE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_create_request_breaking_one_member_rule_is_refused(
    supported: PreparedTarget, path: str, rule: str, data: st.DataObject
) -> None:
    prepared = supported
    invalid: InvalidStoreSetup = data.draw(
        shape_violations(path).filter(lambda s: s.violation.rule == rule), label="invalid"
    )
    _reset(prepared)
    judge_invalid(
        ReferenceModel(prepared.world, client_validation=False),
        prepared.target,
        CREATE,
        invalid.config,
        requirement_id=invalid.violation.requirement_id,
        broken=f"{invalid.violation.field}: {rule}",
        unvalidated=rule in CLIENT_SIDE_RULES,
    )
