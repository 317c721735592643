"""Valid and invalid values for one member of a custom key store operation.

Everything comes from botocore's shapes through `conformance.spec.botocore_model`: lengths,
patterns (matched with ``re.fullmatch(p, s, re.ASCII)``), enums, types and required flags.
Valid values favour the boundaries (min and max length); invalid values are labelled with
the rule they break and the errors to expect.

>>> from strategies import first_example
>>> endpoint = valid_values("CreateCustomKeyStore", "XksProxyUriEndpoint")
>>> first_example(endpoint, lambda v: len(v) == 128)[:8]
'https://'
>>> limit = invalid_values("DescribeCustomKeyStores", "Limit")
>>> bad = first_example(limit, lambda i: i.value == 0)
>>> bad.violation.rule, sorted(bad.violation.expected_errors)
('below_min', ['ParamValidationError'])
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from conformance.spec.botocore_model import MemberConstraint, input_constraints, member_constraint
from strategies.patterns import LengthAwarePattern, draw_chooser, length_aware
from strategies.probes import literal_probes, pattern_mutations
from strategies.requirement_ids import also_exercised, requirement_for_rule
from strategies.rules import (
    OPEN_RULES,
    PARTIAL_MATCH,
    UTF16_LENGTH,
    breaks,
    enum_outsiders,
    expected_errors_for,
    wrong_type_values,
)
from strategies.secrets import redacted_secret
from strategies.violations import MISSING, InvalidValue, ReplayableRepr, Violation

SEEDS = st.integers(min_value=0, max_value=2**16)
FREE_TEXT_CHARACTERS = st.characters(
    max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc", "Co", "Cn")
)
"""Characters of members without a pattern: BMP, printable (OQ-22 keeps others out of valid)."""

_TILE_ABOVE = 24

DOC_EXAMPLES_BREAKING_THEIR_PATTERN: Final = frozenset(
    {"cluster-1a23b4cdefg", "ABCDE12345670EXAMPLE"}
)
"""Doc examples that fail their own pattern (digest §10); never produced as valid values."""


def _pattern(c: MemberConstraint) -> LengthAwarePattern:
    assert c.pattern is not None
    return length_aware(c.pattern, (c.max_length or 64) + 2)


def producible_lengths(c: MemberConstraint, low: int, high: int) -> list[int]:
    """Lengths in ``low..high`` that a value of this member (pattern included) can have."""
    if c.pattern is None:
        return list(range(max(low, 0), high + 1))
    return list(_pattern(c).lengths(low, high))


def valid_lengths(c: MemberConstraint) -> list[int]:
    """Every length a valid value of this string member can have."""
    return producible_lengths(c, c.min_length or 0, c.max_length or 256)


def _lengths_favouring_ends(lengths: Sequence[int]) -> st.SearchStrategy[int]:
    if not lengths:
        return st.nothing()
    ends = sorted({lengths[0], lengths[-1]})
    return st.one_of(st.sampled_from(ends), st.sampled_from(list(lengths)))


_CHUNKS = st.text(FREE_TEXT_CHARACTERS, min_size=1, max_size=_TILE_ABOVE)


@st.composite
def _strings(draw: st.DrawFn, c: MemberConstraint, lengths: st.SearchStrategy[int]) -> str:
    length = draw(lengths)
    if c.sensitive:
        return redacted_secret(c.path, length, draw(SEEDS))
    if c.pattern is None:
        chunk: str = draw(_CHUNKS)
        return (chunk * (length // len(chunk) + 1))[:length]
    return str(_pattern(c).make(length, draw_chooser(draw)))


def strings_of_length(c: MemberConstraint, lengths: Sequence[int]) -> st.SearchStrategy[str]:
    """Strings of this member with one of `lengths` (favouring the ends), matching its pattern.

    Sensitive members come out as `Secret`s. Lengths the pattern cannot produce are skipped.
    """
    producible = [n for n in lengths if c.pattern is None or _pattern(c).can_make(n)]
    return _strings(c, _lengths_favouring_ends(producible)) if producible else st.nothing()


_REGEX_ALPHABET = st.characters(min_codepoint=0x20, max_codepoint=0xFF)
"""`st.from_regex` draws from Latin-1 only: ``\\d`` then yields ASCII digits alone."""


def _ascii_digits(value: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in value)


def _from_regex(c: MemberConstraint) -> st.SearchStrategy[str]:
    """`st.from_regex` output, non-ASCII digits mapped to ASCII, filtered on length and pattern."""
    assert c.pattern is not None
    low, high = c.min_length or 0, c.max_length or 256
    pattern = _pattern(c)
    return (
        st.from_regex(c.pattern, fullmatch=True, alphabet=_REGEX_ALPHABET)
        .map(_ascii_digits)
        .filter(lambda s: low <= len(s) <= high and pattern.matches(s))
    )


@functools.cache
def valid_values(operation: str, path: str) -> st.SearchStrategy[Any]:
    """Values botocore's shape accepts for `path`, favouring min and max lengths.

    >>> from strategies import first_example
    >>> member = "XksProxyVpcEndpointServiceOwner"
    >>> owner = first_example(valid_values("UpdateCustomKeyStore", member))
    >>> len(owner), owner.isdigit()
    (12, True)
    """
    c = member_constraint(operation, path)
    if c.type_name == "structure":
        return _valid_structures(operation, path)
    if c.enum:
        return st.sampled_from(c.enum)
    if c.type_name == "integer":
        low, high = c.min_length or 0, c.max_length or 2**31 - 1
        return st.one_of(st.sampled_from([low, high]), st.integers(low, high))
    if c.type_name != "string":
        raise ValueError(f"{operation}.{path}: no strategy for botocore type {c.type_name}")
    by_length = strings_of_length(c, valid_lengths(c))
    if c.pattern is not None and not c.sensitive:
        by_length = st.one_of(by_length, by_length, _from_regex(c))
    return by_length.filter(lambda v: v not in DOC_EXAMPLES_BREAKING_THEIR_PATTERN)


def _valid_structures(operation: str, path: str) -> st.SearchStrategy[dict[str, Any]]:
    prefix = f"{path}."
    children = {
        p[len(prefix) :]: valid_values(operation, p)
        for p, c in input_constraints(operation).items()
        if p.startswith(prefix) and "." not in p[len(prefix) :] and c.required
    }
    optional = {
        p[len(prefix) :]: valid_values(operation, p)
        for p, c in input_constraints(operation).items()
        if p.startswith(prefix) and "." not in p[len(prefix) :] and not c.required
    }
    return st.fixed_dictionaries(children, optional=optional)


def labelled(operation: str, path: str, value: Any, rule: str | None = None) -> InvalidValue | None:
    """Label `value` with the rule it breaks (the first a validator would see), or None if valid.

    `rule` forces the label (for ``required``, where the value is `MISSING`).
    """
    c = member_constraint(operation, path)
    broken = rule or breaks(c, value)
    if broken is None:
        return None
    open_question = OPEN_RULES.get(broken)
    violation = Violation(
        field=path,
        rule=broken,
        requirement_id=requirement_for_rule(operation, path, broken),
        expected_errors=expected_errors_for(operation, path, broken),
        may_succeed=open_question is not None,
        open_questions=(open_question,) if open_question else (),
        also=also_exercised(operation, path, broken),
    )
    return InvalidValue(value, violation)


def _labelled_as(operation: str, path: str, rule: str) -> Any:
    def label(value: Any) -> InvalidValue | None:
        found = labelled(operation, path, value)
        return found if found is not None and found.violation.rule == rule else None

    return label


def _keep(strategy: st.SearchStrategy[Any], operation: str, path: str, rule: str) -> Any:
    return strategy.map(_labelled_as(operation, path, rule)).filter(lambda v: v is not None)


@functools.cache
def invalid_values(operation: str, path: str) -> st.SearchStrategy[InvalidValue]:
    """Values for `path` that break exactly one botocore rule, each with its `Violation`.

    Rules: ``required`` (value is `MISSING`), ``type``, ``below_min``, ``above_max``,
    ``pattern``, ``enum``.
    """
    strategies = [s for s in invalid_values_by_rule(operation, path).values()]
    return st.one_of(strategies) if strategies else st.nothing()


@functools.cache
def invalid_values_by_rule(operation: str, path: str) -> dict[str, st.SearchStrategy[InvalidValue]]:
    """`invalid_values` split by the rule they break (only the rules this member has)."""
    c = member_constraint(operation, path)
    found: dict[str, st.SearchStrategy[InvalidValue]] = {}
    if c.required:
        missing = labelled(operation, path, MISSING, rule="required")
        assert missing is not None
        found["required"] = st.just(missing)
    found["type"] = _keep(st.sampled_from(wrong_type_values(c)), operation, path, "type")
    if c.type_name == "integer":
        found.update(_integer_bounds(c, operation, path))
    elif c.type_name == "string" and not c.enum:
        found.update(_string_bounds(c, operation, path))
    if c.pattern is not None:
        if not _always_found(c):
            found["pattern"] = _keep(_pattern_breakers(c), operation, path, "pattern")
        if _can_partially_match(c):
            breakers = _pattern_breakers(c)
            found[PARTIAL_MATCH] = _keep(breakers, operation, path, PARTIAL_MATCH)
    elif c.type_name == "string" and c.max_length and not c.sensitive and not c.enum:
        astral = "\U0001f511" * (c.max_length // 2 + 1)
        found[UTF16_LENGTH] = _keep(st.just(astral), operation, path, UTF16_LENGTH)
    if c.enum:
        found["enum"] = _keep(st.sampled_from(enum_outsiders(c)), operation, path, "enum")
    return found


def _integer_bounds(c: MemberConstraint, operation: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if c.min_length is not None:
        below = st.one_of(st.just(c.min_length - 1), st.integers(max_value=c.min_length - 1))
        found["below_min"] = _keep(below, operation, path, "below_min")
    if c.max_length is not None:
        above = st.one_of(st.just(c.max_length + 1), st.integers(min_value=c.max_length + 1))
        found["above_max"] = _keep(above, operation, path, "above_max")
    return found


def _string_bounds(c: MemberConstraint, operation: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if c.min_length:
        below = producible_lengths(c, 0, c.min_length - 1)
        shortest = [0, c.min_length - 1] if c.pattern is None else below[-2:]
        found["below_min"] = _keep(
            st.one_of(strings_of_length(c, shortest), _near_length(c, c.min_length - 1)),
            operation,
            path,
            "below_min",
        )
    if c.max_length is not None:
        top = c.max_length + 1
        found["above_max"] = _keep(
            st.one_of(strings_of_length(c, [top]), _near_length(c, top)),
            operation,
            path,
            "above_max",
        )
    return found


@st.composite
def _near_length(draw: st.DrawFn, c: MemberConstraint, length: int) -> Any:
    """A string of exactly `length` built from a valid one (tiled or cut), pattern or not."""
    if c.sensitive:
        return redacted_secret(c.path, length, draw(SEEDS))
    lengths = valid_lengths(c)
    base: str = draw(strings_of_length(c, [lengths[0], lengths[-1]]))
    return (base * (length // max(len(base), 1) + 1))[:length] if length else ""


def _always_found(c: MemberConstraint) -> bool:
    """Whether an unanchored pattern matches the empty string, so a search always succeeds
    (every miss is then a partial match, e.g. MarkerType's ``[...]*``)."""
    assert c.pattern is not None
    return not c.pattern.startswith("^") and re.search(c.pattern, "", re.ASCII) is not None


def _can_partially_match(c: MemberConstraint) -> bool:
    """Whether a value can hold a match of an unanchored pattern plus one extra character."""
    assert c.pattern is not None
    shortest = producible_lengths(c, 0, c.max_length or 256)
    return (
        not c.pattern.startswith("^")
        and bool(shortest)
        and (shortest[0] + 1 <= (c.max_length or 256))
    )


def _pattern_breakers(c: MemberConstraint) -> st.SearchStrategy[Any]:
    """Strings that keep the member's length rules but fail its pattern."""
    low, high = c.min_length or 0, c.max_length or 256
    edges = _near_length(c, low) | _near_length(c, high)
    mutations = pattern_mutations(c, lambda lo, hi: _in_range(c, lo, hi))
    probes = literal_probes(c)
    parts = [mutations, edges]
    if probes:
        parts.append(st.sampled_from(probes))
    return st.one_of(parts)


@functools.cache
def _in_range(c: MemberConstraint, low: int, high: int) -> st.SearchStrategy[str]:
    return strings_of_length(c, producible_lengths(c, low, high))


@dataclass(frozen=True)
class BoundaryValue(ReplayableRepr):
    """A value whose length (or, for integers, value) is `size`, one of min-1/min/max/max+1.

    `violation` is None when the value is valid (min and max of a pattern that can produce
    them); otherwise the rule the size (or the pattern at that size) breaks.
    """

    size: int
    value: Any
    violation: Violation | None


def boundary_sizes(operation: str, path: str) -> tuple[int, ...]:
    """min-1, min, max and max+1 of a length- or range-constrained member (sizes >= 0)."""
    c = member_constraint(operation, path)
    if c.min_length is None or c.max_length is None:
        raise ValueError(f"{operation}.{path} has no min/max in botocore")
    edges = {c.min_length - 1, c.min_length, c.max_length, c.max_length + 1}
    return tuple(sorted(n for n in edges if n >= 0 or c.type_name == "integer"))


@functools.cache
def boundary_values(operation: str, path: str) -> st.SearchStrategy[BoundaryValue]:
    """Both sides of the member's min and max boundaries, each labelled.

    >>> from strategies import first_example
    >>> b = first_example(boundary_values("CreateCustomKeyStore", "XksProxyUriEndpoint"),
    ...                   lambda b: b.size == 9)
    >>> b.violation.rule
    'below_min'
    """
    c = member_constraint(operation, path)

    def label(size: int) -> Any:
        def make(value: Any) -> BoundaryValue:
            bad = labelled(operation, path, value)
            return BoundaryValue(size, value, bad.violation if bad else None)

        return make

    per_size = []
    for size in boundary_sizes(operation, path):
        values: st.SearchStrategy[Any]
        if c.type_name == "integer":
            values = st.just(size)
        elif c.pattern is None or _pattern(c).can_make(size):
            values = strings_of_length(c, [size])  # only the size can be wrong
        else:
            values = _near_length(c, size)  # the pattern cannot be met at this size
        per_size.append(values.map(label(size)))
    return st.one_of(per_size)
