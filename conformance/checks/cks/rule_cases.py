"""The (operation, member, rule) cases of the shape-validation checks, with their markers.

Every botocore rule of every input member, each case marked with the requirement the rule
belongs to (plus CKS-ERR-008 for client-side rules, which the checks send with botocore's
validation off so that KMS itself must refuse them).

>>> cases = member_rule_cases(["DescribeCustomKeyStores"])
>>> cases[0].values[:2]
('DescribeCustomKeyStores', 'CustomKeyStoreId')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from conformance.spec.botocore_model import input_constraints
from strategies.members import invalid_values_by_rule
from strategies.requirement_ids import CLIENT_RULE_REQUIREMENTS, requirement_for_rule

#: Client-side rules: sent with validation off, refused by the server layer (CKS-ERR-008).
CLIENT_SIDE_RULES = frozenset(CLIENT_RULE_REQUIREMENTS)
SERVER_SIDE_REFUSAL = "CKS-ERR-008"


def member_rule_cases(
    operations: Iterable[str], *, skip_top_level_required: bool = False
) -> list[Any]:
    """``pytest.param(operation, path, rule)`` for every member rule that can be sent."""
    cases = []
    for operation in operations:
        for path, constraint in sorted(input_constraints(operation).items()):
            for rule in sorted(invalid_values_by_rule(operation, path)):
                if rule == "type" and constraint.type_name == "structure":
                    continue  # botocore cannot serialise a non-object there: nothing to send
                if rule == "required" and skip_top_level_required and "." not in path:
                    continue
                rid = requirement_for_rule(operation, path, rule)
                ids = (rid, SERVER_SIDE_REFUSAL) if rule in CLIENT_SIDE_RULES else (rid,)
                cases.append(
                    pytest.param(operation, path, rule, marks=pytest.mark.requirement(*ids))
                )
    return cases
