"""Send one operation to the target, judge it against the model, and move the model on.

A mismatch raises :class:`RequirementViolation` naming the rule the target broke, as the
model's structured :class:`~conformance.model.Mismatch` names it:
- success where the model expected an error: the rule that objected (its verdict);
- an error the model did not allow: the rule behind the expected error, or the operation's
  own success rule when success was expected;
- a successful response that does not match: the rule of the first mismatching member.

An accepted outcome is evidence: every rule it was judged under is recorded as reached
(:func:`conformance.report.evidence.reached`), which is what a PASS needs; an accepted
outcome that settled an open question of the spec is recorded too (:func:`record_branches`).

>>> SUCCESS_RULE["DeleteCustomKeyStore"]
'CKS-STATE-003'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from hypothesis import assume

from conformance.checks.cks.patience import as_outcome, observe_patiently, wait_until_settled
from conformance.model import Expectation, Mismatch, Outcome, ReferenceModel, redact
from conformance.model.branches import branches_taken
from conformance.report.evidence import judged_step, reached, took_branch
from conformance.report.open_questions import ObservedBranch
from conformance.report.outcomes import (
    RequirementViolation,
    UnsupportedByTarget,
    WithheldOnTarget,
)
from conformance.targets.aws.fence import KeyWouldPinStoreError
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


def describe_input(operation: str, request: Mapping[str, Any]) -> str:
    """A redacted, replayable one-line form of the request for reports."""
    return f"{operation}({redact(dict(request))!r})"


def record_branches(
    operation: str, request: Mapping[str, Any], expectation: Expectation, outcome: Outcome
) -> None:
    """Record in the check's evidence each open question the accepted `outcome` settled.

    >>> from conformance.report.evidence import recording
    >>> from conformance.model import RuleVerdict
    >>> v = RuleVerdict("CKS-CONNECT-002", frozenset({"E"}), True, ("OQ-19",))
    >>> with recording() as log:
    ...     record_branches("ConnectCustomKeyStore", {"CustomKeyStoreId": "cks-1"},
    ...                     Expectation(True, v.errors, verdicts=(v,)), Outcome.failure("E"))
    >>> [(b.open_question, b.outcome, b.input) for b in log.branches]
    [('OQ-19', 'E', "ConnectCustomKeyStore({'CustomKeyStoreId': 'cks-1'})")]
    """
    taken = branches_taken(expectation, outcome)
    if not taken:
        return
    example = describe_input(operation, request)
    took_branch(
        *(
            ObservedBranch(
                branch.open_question,
                operation,
                branch.outcome,
                branch.alternatives,
                branch.requirement_ids,
                example,
            )
            for branch in taken
        )
    )


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
    send = target.call_unvalidated if unvalidated else target.call  # type: ignore[attr-defined]
    try:
        observation = observe_patiently(target, operation, request, expectation, send)
    except KeyWouldPinStoreError as refused:
        raise WithheldOnTarget(str(refused)) from None
    return judge_observation(model, operation, request, expectation, observation)


def settle(model: ReferenceModel, target: JudgedTarget, store_id: str) -> None:
    """Wait (polling Describe by ID, each answer judged) until `store_id` is no longer
    CONNECTING or DISCONNECTING; see :func:`~conformance.checks.cks.patience.wait_until_settled`.
    """

    def describe(store: str) -> None:
        judge(model, target, "DescribeCustomKeyStores", {"CustomKeyStoreId": store})

    wait_until_settled(model, target, store_id, describe)


#: Errors that are KMS's own fault (HTTP 5xx); every other refusal is the client's (4xx).
SERVER_SIDE_ERRORS = frozenset({"KMSInternalException", "DependencyTimeoutException"})
#: Where each secret member's value must never come back, not even inside an error message.
SECRET_RULES = {"KeyStorePassword": "CKS-SECRET-001", "RawSecretAccessKey": "CKS-SECRET-002"}


def _secrets_in(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in request.items():
        if key in SECRET_RULES and isinstance(value, str) and len(value) >= 4:
            found.append((key, value))
        elif isinstance(value, Mapping):
            found += _secrets_in(value)
    return found


def judge_wire(operation: str, request: Mapping[str, Any], observation: Observation) -> None:
    """The wire-level rules of an error answer: its HTTP status class (CKS-WIRE-001), and no
    secret of the request echoed in its message (CKS-SECRET-001/002).

    >>> judge_wire("CreateKey", {}, Observation("CreateKey", error_code="NotFoundException",
    ...                                         http_status=400))
    """
    if observation.error_code is None or observation.http_status is None:
        return
    server_side = observation.error_code in SERVER_SIDE_ERRORS
    status = observation.http_status
    if (500 <= status < 600) if server_side else (400 <= status < 500):
        reached("CKS-WIRE-001")
    else:
        raise RequirementViolation(
            "CKS-WIRE-001",
            expected=f"{'a 5xx' if server_side else 'a 4xx'} status for {observation.error_code}",
            actual=f"HTTP {status} {observation.error_code}",
            input=describe_input(operation, request),
        )
    message = observation.error_message or ""
    for member, value in _secrets_in(request):
        if value in message:
            raise RequirementViolation(
                SECRET_RULES[member],
                expected=f"an error message without the value of {member}",
                actual=f"HTTP {status} {observation.error_code} whose message quotes {member} "
                "(value redacted)",
                input=describe_input(operation, request),
            )
        reached(SECRET_RULES[member])


def judge_observation(
    model: ReferenceModel,
    operation: str,
    request: Mapping[str, Any],
    expectation: Expectation,
    observation: Observation,
) -> Outcome:
    """Judge what the target already answered (see :func:`judge`)."""
    if observation.unsupported:
        raise UnsupportedByTarget(
            SUCCESS_RULE.get(operation, "CKS-DESCRIBE-001"),
            f"{operation}: {observation.unsupported_reason}",
            whole_check=True,
        )
    outcome = as_outcome(observation)
    problems = expectation.mismatches(outcome)
    judged_step()
    judge_wire(operation, request, observation)
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
    record_branches(operation, request, expectation, outcome)
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
            requirement_id, f"{operation}: {observation.unsupported_reason}", whole_check=True
        )
    outcome = as_outcome(observation)
    judged_step()
    judge_wire(operation, request, observation)
    if not expectation.accepts(outcome):
        raise RequirementViolation(
            requirement_id,
            expected=f"{expectation.describe()} ({broken})",
            actual=observation.describe(),
            input=describe_input(operation, request),
        )
    record_branches(operation, request, expectation, outcome)
    if {requirement_id, *judged_as} & set(expectation.judged_rules(outcome)):
        reached(requirement_id, *also)
