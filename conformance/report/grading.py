"""Turn what one pytest check raised, and what it reached, into graded outcomes.

Used by the plugin's ``pytest_runtest_makereport`` hook. A :class:`RequirementViolation` is
graded by its requirement's level; :class:`UnsupportedByTarget` is UNSUPPORTED; a pytest skip
is SKIPPED with its reason; anything else is ERROR (the check could not decide). A named
requirement is PASS only when the check's :class:`EvidenceLog` says it was reached; one that
was named but not reached is SKIPPED "not reached".

>>> from conformance.report.grading import grade_check
>>> from conformance.report.outcomes import RequirementViolation
>>> levels = {"XKS-X-001": "SHOULD", "XKS-X-002": "MUST"}.__getitem__
>>> v = RequirementViolation("XKS-X-001", "HTTP 405", "HTTP 200", "GET /")
>>> [o.outcome.value for o in grade_check("t", ("XKS-X-001",), v, levels)]
['NON_STRICT']
>>> log = EvidenceLog(reached={"XKS-X-001"}, steps=2)
>>> [(o.requirement_id, o.outcome.value) for o in
...  grade_check("t", ("XKS-X-001", "XKS-X-002"), None, levels, evidence=log)]
[('XKS-X-001', 'PASS'), ('XKS-X-002', 'SKIPPED')]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from conformance.report.evidence import EvidenceLog
from conformance.report.outcomes import (
    CheckOutcome,
    Outcome,
    RequirementViolation,
    UnsupportedByTarget,
    WithheldOnTarget,
    grade_for_level,
)

_MAX_REASON = 300


def _first_of(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """`exc` itself, or the first exception of `kind` inside an exception group."""
    if isinstance(exc, kind):
        return exc
    inner: Sequence[BaseException] = getattr(exc, "exceptions", ())
    for sub in inner:
        found = _first_of(sub, kind)
        if found is not None:
            return found
    return None


def short_reason(exc: BaseException) -> str:
    """The exception's type and first line, bounded."""
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    return f"{type(exc).__name__}: {first}"[:_MAX_REASON]


def grade_check(
    nodeid: str,
    requirement_ids: Sequence[str],
    raised: BaseException | None,
    level_of: Callable[[str], str],
    *,
    evidence: EvidenceLog | None = None,
    skipped_reason: str | None = None,
    duration_seconds: float = 0.0,
    observed: str = "",
) -> list[CheckOutcome]:
    """Graded outcomes of one check for each requirement it names (see module docs), each
    carrying the number of requests the check sent (its judged steps).
    `observed` is what a passing check measured (e.g. latency figures), kept as `actual`."""
    log = evidence or EvidenceLog()

    def reached_or_not(rid: str, otherwise: CheckOutcome) -> CheckOutcome:
        if rid in log.reached:
            return CheckOutcome(
                nodeid, rid, Outcome.PASS, actual=observed, duration_seconds=duration_seconds
            )
        return otherwise

    def not_reached(rid: str) -> CheckOutcome:
        return CheckOutcome(
            nodeid, rid, Outcome.SKIPPED, reason=log.not_reached_reason(), evidence=False
        )

    def each(outcome: Outcome, reason: str = "") -> list[CheckOutcome]:
        return [
            CheckOutcome(
                nodeid,
                rid,
                outcome,
                actual=observed,
                reason=reason,
                duration_seconds=duration_seconds,
            )
            for rid in requirement_ids
        ]

    def decide() -> list[CheckOutcome]:
        if skipped_reason is not None:
            return each(Outcome.SKIPPED, skipped_reason)
        if raised is None:
            return [reached_or_not(rid, not_reached(rid)) for rid in requirement_ids]
        violation = _first_of(raised, RequirementViolation)
        if isinstance(violation, RequirementViolation):
            named = violation.requirement_id
            graded = CheckOutcome(
                nodeid,
                named,
                grade_for_level(level_of(named)),
                expected=violation.expected,
                actual=violation.actual,
                input=violation.input,
                duration_seconds=duration_seconds,
            )
            others = [  # the check stopped on `named`; what it reached before still counts
                reached_or_not(
                    rid,
                    CheckOutcome(
                        nodeid, rid, Outcome.SKIPPED, reason=f"not reached: {named}", evidence=False
                    ),
                )
                for rid in requirement_ids
                if rid != named
            ]
            return [graded, *others]
        withheld = _first_of(raised, WithheldOnTarget)
        if isinstance(withheld, WithheldOnTarget):
            return [
                reached_or_not(
                    rid,
                    CheckOutcome(
                        nodeid,
                        rid,
                        Outcome.SKIPPED,
                        reason=f"not reached: {withheld.reason}",
                        evidence=False,
                        duration_seconds=duration_seconds,
                    ),
                )
                for rid in requirement_ids
            ]
        unsupported = _first_of(raised, UnsupportedByTarget)
        if isinstance(unsupported, UnsupportedByTarget):
            if unsupported.whole_check:
                return [
                    reached_or_not(
                        rid,
                        CheckOutcome(
                            nodeid,
                            rid,
                            Outcome.UNSUPPORTED,
                            input=unsupported.input,
                            reason="the target does not implement the operation",
                            duration_seconds=duration_seconds,
                        ),
                    )
                    for rid in requirement_ids
                ]
            return [
                CheckOutcome(
                    nodeid,
                    rid,
                    Outcome.UNSUPPORTED if rid == unsupported.requirement_id else Outcome.SKIPPED,
                    input=unsupported.input,
                    reason="target answered 501 UnsupportedOperationException",
                    evidence=rid == unsupported.requirement_id,
                    duration_seconds=duration_seconds,
                )
                for rid in requirement_ids
            ]
        return each(Outcome.ERROR, short_reason(raised))

    return [dataclasses.replace(outcome, requests=log.steps) for outcome in decide()]
