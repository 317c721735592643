"""Coverage: the strategies reach every validation and uniqueness rule, and every boundary.

Tallies are explicit and deterministic: each source strategy is drawn a fixed number of
times with a derandomized engine, and the requirement IDs its labels name are collected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategy_oracle import describe_scenarios, key_scenarios, update_scenarios

from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS, input_constraints
from conformance.spec.botocore_model import member_constraint as constraint
from conformance.spec.requirements import registry
from strategies import (
    coexisting_store_sets,
    foreign_endpoint_conflicts,
    invalid_values_by_rule,
    not_applicable_violations,
    over_quota_sets,
    pair_conflicts,
    valid_values,
    xks_public_store_configs,
    xks_vpc_store_configs,
)
from strategies.describe import describe_requests
from strategies.invalid_configs import KINDS, invalid_config_kinds
from strategies.uniqueness import CASES

LABELLED_SOURCES = [
    *invalid_config_kinds(),
    *(pair_conflicts(rule) for rule in sorted(CASES)),
    foreign_endpoint_conflicts(),
    over_quota_sets(),
    *(not_applicable_violations(kind) for kind in sorted(KINDS)),
]
"""Every strategy whose cases carry a `violation`, drawn separately so none is starved."""

DRAWS = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _collect(strategy: st.SearchStrategy[Any], labels: Any, examples: int = 40) -> set[Any]:
    """Every label `labels(case)` gives over `examples` derandomized draws of `strategy`."""
    found: set[Any] = set()

    @settings(DRAWS, max_examples=examples)
    @given(strategy)
    def draw(case: Any) -> None:
        found.update(labels(case))

    draw()
    return found


def _ids_of(violation: Any) -> Iterable[str]:
    return violation.requirement_ids if violation is not None else ()


def _member_rule_ids() -> set[str]:
    found: set[str] = set()
    for operation in (*CUSTOM_KEY_STORE_OPERATIONS, "CreateKey"):
        for path in input_constraints(operation):
            if operation == "CreateKey" and path != "XksKeyId":
                continue
            for strategy in invalid_values_by_rule(operation, path).values():
                found |= _collect(strategy, lambda bad: _ids_of(bad.violation), examples=5)
    return found


def test_every_validation_and_uniqueness_requirement_is_generated() -> None:
    wanted = {
        r.id
        for r in registry().values()
        if r.id.startswith("CKS-") and r.tags & {"validation", "uniqueness"}
    }
    found = _member_rule_ids()
    for strategy in LABELLED_SOURCES:
        found |= _collect(strategy, lambda case: _ids_of(case.violation), examples=15)
    found |= _collect(coexisting_store_sets(), lambda case: case.exercises)
    xks = st.one_of(xks_public_store_configs(), xks_vpc_store_configs())
    targeted = [
        update_scenarios(xks, "DISCONNECTED", "switch_incomplete"),
        update_scenarios(xks_public_store_configs(), "DISCONNECTED", "not_applicable"),
        update_scenarios(state="DISCONNECTED", group="not_applicable"),
        key_scenarios(xks, "xks_key_id_in_use"),
    ]
    for scenarios in (update_scenarios(), describe_scenarios(), key_scenarios(), *targeted):
        found |= _collect(scenarios, lambda pair: _ids_of(pair[1].violation), examples=60)
    # one Describe group in ten: drawn on purpose, so the tally does not hang on the seed
    forged = describe_requests().filter(lambda case: case.group == "forged_marker")
    found |= _collect(forged, lambda case: _ids_of(case.violation), examples=5)
    missing = sorted(wanted - found)
    print(f"\nvalidation/uniqueness requirements generated: {len(wanted & found)}/{len(wanted)}")
    assert not missing, f"no generated example exercises {missing}"


LENGTH_MEMBERS = [
    (op, path)
    for op in CUSTOM_KEY_STORE_OPERATIONS
    for path, c in input_constraints(op).items()
    if c.type_name in ("string", "integer") and not c.enum and c.max_length is not None
]


def _size(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    return len(value) if isinstance(value, str) else None


@pytest.mark.parametrize(
    ("operation", "path"), LENGTH_MEMBERS, ids=[".".join(m) for m in LENGTH_MEMBERS]
)
def test_both_sides_of_every_min_and_max_boundary_are_generated(operation: str, path: str) -> None:
    c = constraint(operation, path)
    assert c.min_length is not None and c.max_length is not None
    sizes = _collect(valid_values(operation, path), lambda v: [_size(v)], 60)
    for strategy in invalid_values_by_rule(operation, path).values():
        sizes |= _collect(strategy, lambda bad: [_size(bad.value)], 30)
    edges = {c.min_length - 1, c.min_length, c.max_length, c.max_length + 1}
    assert edges <= set(sizes), f"{operation}.{path}: missing sizes {sorted(edges - set(sizes))}"
