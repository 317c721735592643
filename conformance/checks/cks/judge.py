"""Send one operation to the target, judge it against the model, and move the model on.

A mismatch raises :class:`RequirementViolation` naming the rule the target broke, as the
model's structured :class:`~conformance.model.Mismatch` names it:
- success where the model expected an error: the rule that objected (its verdict);
- an error the model did not allow: the rule behind the expected error, or the operation's
  own success rule when success was expected;
- a successful response that does not match: the rule of the first mismatching member.

An accepted outcome is evidence: every rule it was judged under is recorded as reached
(:func:`conformance.report.evidence.reached`), which is what a PASS needs.

>>> SUCCESS_RULE["DeleteCustomKeyStore"]
'CKS-STATE-003'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from hypothesis import assume

from conformance.model import Mismatch, Outcome, ReferenceModel, redact
from conformance.report.evidence import judged_step, reached
from conformance.report.outcomes import RequirementViolation, UnsupportedByTarget
from conformance.targets.boto import UnsendableRequestError
from conformance.targets.observation import Observation

#: The rule an operation's plain success stands for, blamed when success was expected.
SUCCESS_RULE: Mapping[str, str] = {
    "CreateCustomKeyStore": "CKS-CREATE-007",
    "DescribeCustomKeyStores": "CKS-DESCRIBE-001",
    "UpdateCustomKeyStore": "CKS-UPDATE-010",
    "ConnectCustomKeyStore": "CKS-CONNECT-001",
    "DisconnectCustomKeyStore": "CKS-STATE-001",
    "DeleteCustomKeyStore": "CKS-STATE-003",
    "CreateKey": "CKS-KEY-012",
    "ScheduleKeyDeletion": "CKS-KEY-011",
    "DescribeKey": "CKS-STATE-009",
}


class JudgedTarget(Protocol):
    """What the judge needs of a target."""

    name: str

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation: ...


def blame(operation: str, mismatch: Mismatch) -> str:
    """The requirement a mismatch names, or the operation's success rule when the model left
    it to the caller (success was due).

    >>> blame("CreateKey", Mismatch("", "outcome", "success", "KMSInternalException"))
    'CKS-KEY-012'
    """
    return mismatch.requirement_id or SUCCESS_RULE.get(operation, "CKS-DESCRIBE-001")


def as_outcome(observation: Observation) -> Outcome:
    """The model's view of what the target did."""
    if observation.error_code is not None:
        return Outcome.failure(observation.error_code)
    return Outcome.success(dict(observation.response or {}))


def describe_input(operation: str, request: Mapping[str, Any]) -> str:
    """A redacted, replayable one-line form of the request for reports."""
    return f"{operation}({redact(dict(request))!r})"


def judge(
    model: ReferenceModel,
    target: JudgedTarget,
    operation: str,
    request: Mapping[str, Any],
    *,
    unvalidated: bool = False,
) -> Outcome:
    """Call the target, raise on a mismatch with the model, else apply the outcome."""
    expectation = model.predict(operation, request)
    if unvalidated:
        observation = target.call_unvalidated(operation, request)  # type: ignore[attr-defined]
    else:
        observation = target.call(operation, request)
    if observation.unsupported:
        raise UnsupportedByTarget(
            SUCCESS_RULE.get(operation, "CKS-DESCRIBE-001"),
            describe_input(operation, request),
            whole_check=True,
        )
    outcome = as_outcome(observation)
    problems = expectation.mismatches(outcome)
    judged_step()
    if problems:
        raise RequirementViolation(
            blame(operation, problems[0]),
            expected=expectation.describe()
            + (
                f" (open: {', '.join(expectation.open_questions)})"
                if expectation.open_questions
                else ""
            ),
            actual=f"{observation.describe()}: {'; '.join(map(str, problems))}"[:2000],
            input=describe_input(operation, request),
        )
    reached(*expectation.judged_rules(outcome))
    model.apply(operation, request, outcome)
    return outcome


def sendable(request: Mapping[str, Any]) -> bool:
    """Whether the request can be put on the wire as JSON at all."""
    try:
        json.dumps(request)
    except (TypeError, ValueError):
        return False
    return True


def judge_invalid(
    model: ReferenceModel,
    target: JudgedTarget,
    operation: str,
    request: Mapping[str, Any],
    *,
    requirement_id: str,
    broken: str,
    unvalidated: bool,
    judged_as: Iterable[str] = (),
    also: Iterable[str] = (),
) -> None:
    """Send one request that breaks rule `requirement_id` (`broken` says how) and judge it.

    Requests no client could send (not JSON-serialisable, or refused by botocore's
    serialiser with validation off) are rejected as Hypothesis examples, not judged. A
    mismatch names `requirement_id`, the rule the example was built to break.

    The rule is reached when the accepted outcome is attributable to it: an error (or, for
    an open rule, success) of a verdict named `requirement_id` or one of `judged_as` (other
    IDs under which the model judges the same breach, e.g. a client-side rule's own ID when
    the server layer judges it with validation off, CKS-ERR-008). `also` are further rules
    the example exercises (the strategies' ``Violation.also``), reached with it.
    """
    assume(sendable(request))
    expectation = model.predict(operation, request)
    send = target.call_unvalidated if unvalidated else target.call  # type: ignore[attr-defined]
    try:
        observation = send(operation, request)
    except UnsendableRequestError:
        assume(False)
        raise
    if observation.unsupported:
        raise UnsupportedByTarget(
            requirement_id, describe_input(operation, request), whole_check=True
        )
    outcome = as_outcome(observation)
    judged_step()
    if not expectation.accepts(outcome):
        raise RequirementViolation(
            requirement_id,
            expected=f"{expectation.describe()} ({broken})",
            actual=observation.describe(),
            input=describe_input(operation, request),
        )
    if {requirement_id, *judged_as} & set(expectation.judged_rules(outcome)):
        reached(requirement_id, *also)
