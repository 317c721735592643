"""What makes an input invalid: `Violation`, `InvalidValue`, and the `MISSING` marker.

Every invalid value or configuration the strategies produce is one mutation of a valid one
and carries a `Violation` naming the field, the rule it breaks, the requirement ID of that
rule and the error codes an oracle should accept. Reprs are valid Python, so a printed
Hypothesis counterexample replays after ``from strategies import *``.

>>> v = Violation("XksProxyUriPath", "pattern", "CKS-SHAPE-001", frozenset({"ValidationException"}))
>>> v.expected_errors, v.may_succeed
(frozenset({'ValidationException'}), False)
>>> MISSING
MISSING
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

PARAM_VALIDATION_ERROR: Final = "ParamValidationError"
"""Pseudo error code: botocore refused the request on the client side (no HTTP call)."""

VALIDATION_EXCEPTION: Final = "ValidationException"
"""The undeclared server-side error for max length, pattern and enum violations."""

INVALID_STATE: Final = "CustomKeyStoreInvalidStateException"
"""The error for an operation that the store's connection state does not allow."""


class ReplayableRepr:
    """Mixin: Hypothesis prints the object's own (valid Python) repr, not how it was built."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


class _Missing:
    """The marker for a member left out of a request (see `MISSING`)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Stands for "this member is absent": `with_member(request, path, MISSING)` removes it."""


@dataclass(frozen=True)
class Violation(ReplayableRepr):
    """One broken rule: which field, which rule, under which requirement, and what to expect.

    `expected_errors` holds every error code an oracle should accept (a set where the
    spec leaves the outcome open, e.g. OQ-12); it never contains None. `may_succeed` is
    True where the docs leave success open too (e.g. OQ-13: a member that does not apply
    may be ignored); `open_questions` names the OQ-n of the spec digest; `also` lists
    further requirements the example exercises (e.g. the layer-level CKS-ERR-005 behind
    every above-max value).

    >>> Violation("Limit", "below_min", "CKS-SHAPE-002", frozenset({"ParamValidationError"})).rule
    'below_min'
    """

    field: str
    rule: str
    requirement_id: str
    expected_errors: frozenset[str]
    may_succeed: bool = False
    open_questions: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        """The primary requirement, then the others the example also exercises (`also`)."""
        return (self.requirement_id, *self.also)

    def allows(self, error: str | None) -> bool:
        """Whether an outcome (an error code, or None for success) is acceptable.

        >>> Violation("X", "r", "CKS-ERR-001", frozenset({"E"})).allows(None)
        False
        """
        return self.may_succeed if error is None else error in self.expected_errors

    def __post_init__(self) -> None:
        if not self.expected_errors:
            raise ValueError(f"violation of {self.field}/{self.rule} needs expected errors")


@dataclass(frozen=True)
class InvalidValue(ReplayableRepr):
    """A value for one member that breaks exactly the rule in `violation`.

    `value` is `MISSING` when the violation is a required member left out.

    >>> InvalidValue(0, Violation("Limit", "below_min", "CKS-SHAPE-002",
    ...     frozenset({"ParamValidationError"}))).value
    0
    """

    value: Any
    violation: Violation


@dataclass(frozen=True)
class InvalidRequest(ReplayableRepr):
    """A request (boto3 keyword arguments) that is one mutation away from a valid one.

    >>> InvalidRequest("DescribeCustomKeyStores", {"Limit": 0},
    ...     Violation("Limit", "below_min", "CKS-SHAPE-002",
    ...     frozenset({"ParamValidationError"}))).operation
    'DescribeCustomKeyStores'
    """

    operation: str
    request: dict[str, Any]
    violation: Violation


def with_member(request: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `request` with the dotted member `path` set to `value` (removed if MISSING).

    >>> with_member({"A": {"B": 1, "C": 2}}, "A.B", MISSING)
    {'A': {'C': 2}}
    """
    head, _, rest = path.partition(".")
    copy = dict(request)
    if rest:
        inner = copy.get(head)
        copy[head] = with_member(dict(inner) if isinstance(inner, dict) else {}, rest, value)
    elif value is MISSING:
        copy.pop(head, None)
    else:
        copy[head] = value
    return copy


def member_of(request: dict[str, Any], path: str) -> Any:
    """The value at dotted `path` in `request`, or `MISSING`.

    >>> member_of({"A": {"B": 1}}, "A.B"), member_of({}, "A.B")
    (1, MISSING)
    """
    current: Any = request
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return MISSING
        current = current[part]
    return current


def first_example(strategy: Any, condition: Any = None) -> Any:
    """The first value `strategy` generates that meets `condition`: derandomized, no shrinking.

    Meant for a REPL and for docs; tests should use ``@given``.

    >>> from hypothesis import strategies as st
    >>> first_example(st.integers(0, 10), lambda n: n > 5) > 5
    True
    """
    from hypothesis import Phase, find, settings

    quick = settings(phases=[Phase.generate], derandomize=True, database=None, max_examples=2000)
    return find(strategy, condition or (lambda _: True), settings=quick)
