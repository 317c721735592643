"""Graded outcomes of checks and requirements, and the exceptions checks raise to report them.

A check that sees a rule broken raises :class:`RequirementViolation` naming the rule; the
plugin grades it by the rule's level (MUST -> FAIL, SHOULD -> NON_STRICT, MAY -> INFO). A
check that meets a 501 where the spec allows one raises :class:`UnsupportedByTarget`; a check
lacking an input (no mTLS certificate, no disabled key) calls ``pytest.skip(reason)``.

>>> from conformance.report.outcomes import Outcome, grade_for_level, worst
>>> grade_for_level("SHOULD")
<Outcome.NON_STRICT: 'NON_STRICT'>
>>> worst([Outcome.PASS, Outcome.INFO, Outcome.SKIPPED]).value
'INFO'
"""

from __future__ import annotations

import unittest
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Outcome(str, Enum):
    """The grade of one check or one requirement (Autobahn-style)."""

    PASS = "PASS"
    FAIL = "FAIL"
    NON_STRICT = "NON_STRICT"
    INFO = "INFO"
    UNSUPPORTED = "UNSUPPORTED"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"


#: Worst first: the order in which outcomes of several checks of one requirement combine.
SEVERITY: tuple[Outcome, ...] = (
    Outcome.ERROR,
    Outcome.FAIL,
    Outcome.NON_STRICT,
    Outcome.INFO,
    Outcome.UNSUPPORTED,
    Outcome.PASS,
    Outcome.SKIPPED,
)

_GRADE_FOR_LEVEL = {"MUST": Outcome.FAIL, "SHOULD": Outcome.NON_STRICT, "MAY": Outcome.INFO}


def grade_for_level(level: str) -> Outcome:
    """The outcome of a broken rule of this level (``MUST``/``SHOULD``/``MAY``)."""
    return _GRADE_FOR_LEVEL[str(level)]


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The most severe outcome of `outcomes` (SKIPPED if there are none)."""
    chosen = set(outcomes)
    for outcome in SEVERITY:
        if outcome in chosen:
            return outcome
    return Outcome.SKIPPED


class RequirementViolation(AssertionError):
    """A target broke requirement `requirement_id`: what was expected, what came, for what.

    All three texts must already be redacted (no secrets, no plaintext): they go to reports.

    >>> v = RequirementViolation("XKS-HTTP-002", "HTTP 405", "HTTP 200", "GET /kms/xks/v1/health")
    >>> str(v)
    '[XKS-HTTP-002] expected HTTP 405, got HTTP 200 for GET /kms/xks/v1/health'
    """

    def __init__(self, requirement_id: str, expected: str, actual: str, input: str) -> None:
        self.requirement_id = requirement_id
        self.expected = expected
        self.actual = actual
        self.input = input
        super().__init__(f"[{requirement_id}] expected {expected}, got {actual} for {input}")


class UnsupportedByTarget(unittest.SkipTest):
    """The target does not implement what the check needs (a 501 where the spec allows it,
    or a KMS operation it lacks). A kind of skip, so Hypothesis stops at once instead of
    shrinking it like a failure; the kscheck plugin grades it UNSUPPORTED.

    >>> UnsupportedByTarget("XKS-VAL-012", "POST .../encrypt (plaintext 8192 B)").requirement_id
    'XKS-VAL-012'
    """

    def __init__(self, requirement_id: str, input: str, *, whole_check: bool = False) -> None:
        self.requirement_id = requirement_id
        self.input = input
        self.whole_check = whole_check  # every requirement of the check is unsupported
        super().__init__(f"[{requirement_id}] not implemented by the target: {input}")


class WithheldOnTarget(UnsupportedByTarget):
    """The check stops before a request this target must not receive (on AWS, a CreateKey
    that would pin a store of the run for the keys' 7-30 day waiting period). What the
    check reached before counts; the rest is SKIPPED with `reason`.

    >>> WithheldOnTarget("keys are created only in the fixture store").reason
    'keys are created only in the fixture store'
    """

    def __init__(self, reason: str) -> None:
        super().__init__("", reason, whole_check=True)
        self.reason = reason


@dataclass(frozen=True)
class CheckOutcome:
    """The graded result of one check (one pytest test item) for one requirement.

    `evidence` is False when the check stopped on another requirement before reaching this
    one; such results do not count towards the requirement's grade.
    """

    nodeid: str
    requirement_id: str
    outcome: Outcome
    expected: str = ""
    actual: str = ""
    input: str = ""
    reason: str = ""
    evidence: bool = True
    duration_seconds: float = 0.0
    #: requests the check sent (its judged steps), the same on each of its requirements
    requests: int = 0


@dataclass
class RequirementOutcome:
    """All checks of one requirement and their combined grade."""

    requirement_id: str
    level: str
    summary: str
    source: str
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """The worst outcome among the checks that gave evidence (SKIPPED when none ran)."""
        counted = [c.outcome for c in self.checks if c.evidence]
        if not counted:
            return Outcome.SKIPPED
        graded = [o for o in counted if o is not Outcome.SKIPPED]
        return worst(graded) if graded else Outcome.SKIPPED

    @property
    def decisive(self) -> CheckOutcome | None:
        """The check that decided the grade (the first one with the grade); for a SKIPPED
        requirement whose checks all stopped short, the first of them (its reason says why)."""
        grade = self.outcome
        chosen = next((c for c in self.checks if c.evidence and c.outcome is grade), None)
        if chosen is None and grade is Outcome.SKIPPED and self.checks:
            return self.checks[0]
        return chosen
