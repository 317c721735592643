"""The (operation, member, rule) cases of the shape-validation checks, with their markers.

Every botocore rule of every input member, each case marked with the requirement the rule
belongs to, the requirements breaking it also exercises (the layer rules CKS-ERR-005/6/7, a
nested member's parent structure, ...), and CKS-ERR-008 for client-side rules, which the
checks send once through botocore's validation and once with it off, so that KMS itself
must refuse them.

>>> cases = member_rule_cases(["DescribeCustomKeyStores"])
>>> cases[0].values[:2]
('DescribeCustomKeyStores', 'CustomKeyStoreId')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from conformance.checks.cks.judge import JudgedTarget, judge_invalid
from conformance.model import ReferenceModel
from conformance.spec.botocore_model import input_constraints
from strategies.members import invalid_values_by_rule
from strategies.requirement_ids import (
    CLIENT_RULE_REQUIREMENTS,
    also_exercised,
    requirement_for_rule,
)
from strategies.violations import Violation

#: Client-side rules: sent with validation off, refused by the server layer (CKS-ERR-008).
CLIENT_SIDE_RULES = frozenset(CLIENT_RULE_REQUIREMENTS)
SERVER_SIDE_REFUSAL = "CKS-ERR-008"


def member_rule_cases(
    operations: Iterable[str],
    *,
    skip_top_level_required: bool = False,
    paths: Iterable[str] | None = None,
) -> list[Any]:
    """``pytest.param(operation, path, rule)`` for every member rule that can be sent
    (only of `paths` when given)."""
    cases = []
    only = None if paths is None else frozenset(paths)
    for operation in operations:
        for path, constraint in sorted(input_constraints(operation).items()):
            if only is not None and path not in only:
                continue
            for rule in sorted(invalid_values_by_rule(operation, path)):
                if rule == "type" and constraint.type_name == "structure":
                    continue  # botocore cannot serialise a non-object there: nothing to send
                if rule == "required" and skip_top_level_required and "." not in path:
                    continue
                rid = requirement_for_rule(operation, path, rule)
                also = also_exercised(operation, path, rule)
                client = (SERVER_SIDE_REFUSAL,) if rule in CLIENT_SIDE_RULES else ()
                ids = tuple(dict.fromkeys((rid, *client, *also)))
                cases.append(
                    pytest.param(operation, path, rule, marks=pytest.mark.requirement(*ids))
                )
    return cases


def judge_member_violation(
    model: ReferenceModel,
    target: JudgedTarget,
    operation: str,
    request: Mapping[str, Any],
    violation: Violation,
) -> None:
    """Judge one request breaking one member rule, through every layer that refuses it.

    A server-side rule (max, pattern, enum) is sent as it is: botocore lets it through and
    KMS must answer ValidationException. A client-side rule (required, type, min) is sent
    twice: through botocore's validation, which must refuse it before sending (its own
    requirement, CKS-ERR-001/3/4), then with validation off, where KMS itself must refuse it
    (CKS-ERR-008). `model` is left with validation off, as the checks build it.
    """
    broken = f"{violation.field}: {violation.rule}"
    model.client_validation = True
    try:
        judge_invalid(
            model,
            target,
            operation,
            request,
            requirement_id=violation.requirement_id,
            broken=broken,
            unvalidated=False,
            also=violation.also,
        )
    finally:
        model.client_validation = False
    if violation.rule in CLIENT_SIDE_RULES:
        judge_invalid(
            model,
            target,
            operation,
            request,
            requirement_id=SERVER_SIDE_REFUSAL,
            broken=f"{broken}, sent with botocore's validation off",
            unvalidated=True,
            judged_as=(violation.requirement_id,),
            also=violation.also,
        )
