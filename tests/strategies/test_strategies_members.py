"""Member strategies: valid values fit their botocore shape, invalid ones break what they say."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.model import validation
from conformance.spec.botocore_model import (
    CUSTOM_KEY_STORE_OPERATIONS,
    input_constraints,
    member_constraint,
)
from strategies.members import (
    DOC_EXAMPLES_BREAKING_THEIR_PATTERN,
    BoundaryValue,
    boundary_sizes,
    boundary_values,
    invalid_values,
    invalid_values_by_rule,
    valid_values,
)
from strategies.patterns import LengthAwarePattern, draw_chooser
from strategies.rules import CLIENT_RULES, breaks
from strategies.violations import MISSING, InvalidValue

MEMBERS = [(op, path) for op in CUSTOM_KEY_STORE_OPERATIONS for path in input_constraints(op)]
IDS = [f"{op}.{path}" for op, path in MEMBERS]
FEW = settings(max_examples=25)


def _fits_shape(operation: str, path: str, value: Any) -> bool:
    c = member_constraint(operation, path)
    if c.type_name == "structure":
        return isinstance(value, dict) and all(
            _fits_shape(operation, f"{path}.{k}", v) for k, v in value.items()
        )
    return breaks(c, value) is None


@pytest.mark.parametrize(("operation", "path"), MEMBERS, ids=IDS)
def test_valid_values_fit_the_botocore_shape(operation: str, path: str) -> None:
    @FEW
    @given(valid_values(operation, path))
    def check(value: Any) -> None:
        assert _fits_shape(operation, path, value)
        c = member_constraint(operation, path)
        if c.type_name == "string":
            assert value not in DOC_EXAMPLES_BREAKING_THEIR_PATTERN
        if c.pattern is not None:
            assert re.fullmatch(c.pattern, value, re.ASCII)

    check()


@pytest.mark.parametrize(("operation", "path"), MEMBERS, ids=IDS)
def test_invalid_values_break_the_rule_their_violation_names(operation: str, path: str) -> None:
    @FEW
    @given(invalid_values(operation, path))
    def check(bad: InvalidValue) -> None:
        c = member_constraint(operation, path)
        assert breaks(c, bad.value) == bad.violation.rule
        assert bad.violation.field == path
        client_side = bad.violation.rule in CLIENT_RULES
        assert bad.violation.expected_errors == (
            {"ParamValidationError"} if client_side else {"ValidationException"}
        )

    check()


@pytest.mark.parametrize(("operation", "path"), MEMBERS, ids=IDS)
def test_the_model_refuses_each_invalid_value_alone(operation: str, path: str) -> None:
    """Put the value in an otherwise empty request: the model's validation layers object."""

    @FEW
    @given(invalid_values(operation, path))
    def check(bad: InvalidValue) -> None:
        request = _request_with(path, bad.value)
        if bad.violation.rule in CLIENT_RULES:
            verdicts = validation.client_verdicts(operation, request)
        else:
            verdicts = validation.server_verdicts(operation, request)
        assert any(
            v.requirement_id == bad.violation.requirement_id and v.field in (path, "")
            for v in verdicts
        ), (bad, verdicts)

    check()


def _request_with(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    if not rest:
        return {} if value is MISSING else {head: value}
    return {head: _request_with(rest, value)}


def test_every_length_constrained_member_has_below_and_above_classes() -> None:
    for operation, path in MEMBERS:
        c = member_constraint(operation, path)
        rules = invalid_values_by_rule(operation, path)
        if c.min_length and c.type_name in ("string", "integer"):
            assert "below_min" in rules, (operation, path)
        if c.max_length is not None:
            assert "above_max" in rules, (operation, path)
        if c.pattern is not None:
            assert "pattern" in rules or not c.pattern.startswith("^"), (operation, path)


@given(st.data())
def test_length_aware_patterns_build_every_length_they_claim(data: st.DataObject) -> None:
    c = member_constraint("CreateCustomKeyStore", "XksProxyUriPath")
    assert c.pattern is not None and c.max_length is not None
    pattern = LengthAwarePattern(c.pattern, c.max_length + 1)
    length = data.draw(st.sampled_from(pattern.lengths(0, c.max_length + 1)))
    value = pattern.make(length, draw_chooser(data.draw))
    assert len(value) == length
    assert re.fullmatch(c.pattern, value, re.ASCII)


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("XksProxyUriEndpoint", "https://a", "below_min"),
        ("XksProxyUriEndpoint", "https://example.com:443", "pattern"),
        ("XksProxyUriEndpoint", "https://example.com/kms", "pattern"),
        ("XksProxyUriEndpoint", "https://example.com\n", "pattern"),
        ("XksProxyUriPath", "//kms/xks/v1", "pattern"),
        ("XksProxyUriPath", "/kms/xks/v100", "pattern"),
        ("XksProxyUriPath", "/kms/xks/v1/", "pattern"),
        ("XksProxyUriPath", "/kms/xks/v\u0661\u0662", "pattern"),
        ("XksProxyUriPath", "///kms/xks/v1", None),
        ("CloudHsmClusterId", "cluster-1a23b4cdefg", "pattern"),
        ("XksProxyVpcEndpointServiceOwner", "\u0661" * 12, "pattern"),
    ],
)
def test_known_traps_are_classified_as_the_digest_says(
    path: str, value: str, rule: str | None
) -> None:
    assert breaks(member_constraint("CreateCustomKeyStore", path), value) == rule


BOUNDED = [
    (op, path)
    for op, path in MEMBERS
    if member_constraint(op, path).type_name in ("string", "integer")
    and member_constraint(op, path).max_length is not None
    and not member_constraint(op, path).enum
]


@pytest.mark.parametrize(("operation", "path"), BOUNDED, ids=[".".join(m) for m in BOUNDED])
def test_boundary_values_give_both_sides_of_min_and_max_labelled(operation: str, path: str) -> None:
    c = member_constraint(operation, path)
    assert c.min_length is not None and c.max_length is not None
    low, high = c.min_length, c.max_length
    seen: set[int] = set()

    @settings(max_examples=40, derandomize=True, database=None)
    @given(boundary_values(operation, path))
    def check(b: BoundaryValue) -> None:
        seen.add(b.size)
        rule = b.violation.rule if b.violation else None
        if b.size < low:
            assert rule == "below_min"
        elif b.size > high:
            assert rule == "above_max"
        else:
            assert rule in (None, "pattern"), b
            assert rule is None or not LengthAwarePattern(c.pattern or "", b.size).can_make(b.size)

    check()
    assert seen == set(boundary_sizes(operation, path))
