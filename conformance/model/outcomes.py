"""What an operation may do: the prediction type of the reference model.

A prediction is a *set* of acceptable outcomes: success (optionally with a response check)
and/or a set of error codes, each tied to the requirement IDs and open questions that make
it acceptable.

>>> e = Expectation(success=False, errors=frozenset({"CustomKeyStoreNotFoundException"}))
>>> e.allows("CustomKeyStoreNotFoundException"), e.allows(None)
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

PARAM_VALIDATION_ERROR = "ParamValidationError"
"""Pseudo error code: botocore refused the request on the client side, before any HTTP call."""

VALIDATION_EXCEPTION = "ValidationException"
"""The server-side shape error KMS returns (undeclared in the botocore model)."""

PRECEDENCE_RULE = "CKS-ERR-009"
"""Several rules definitely broken at once: the error of any of them will do (OQ-21)."""

SECRET_MEMBERS = frozenset({"KeyStorePassword", "RawSecretAccessKey"})
"""Member names whose values are secrets and never appear in a repr or a response."""


def redact(value: object) -> object:
    """A copy of `value` with every secret member replaced by ``'<redacted>'``.

    >>> redact({"KeyStorePassword": "hunter22", "CustomKeyStoreName": "a"})
    {'KeyStorePassword': '<redacted>', 'CustomKeyStoreName': 'a'}
    """
    if isinstance(value, Mapping):
        return {k: ("<redacted>" if k in SECRET_MEMBERS else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    return value


@dataclass(frozen=True)
class Mismatch:
    """One way a target's answer breaks a rule: the rule, where, what was due, what came.

    Produced where the rule is judged, so nothing downstream parses text to find the rule.

    >>> str(Mismatch("CKS-DESCRIBE-005", "CustomKeyStores[cks-1].CreationDate",
    ...              "a timestamp", "None"))
    'CustomKeyStores[cks-1].CreationDate: expected a timestamp, got None'
    """

    requirement_id: str
    where: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.where}: expected {self.expected}, got {self.actual}"


class ResponseCheck(Protocol):
    """Checks a successful response: its mismatches (empty: accepted), and which rules the
    check of this particular response exercised (the evidence a PASS needs)."""

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]: ...

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Outcome:
    """What a target actually did: an error code, or success with its response.

    >>> Outcome.failure("LimitExceededException").succeeded
    False
    >>> Outcome.success({"CustomKeyStoreId": "cks-00000000000000001"}).error is None
    True
    """

    error: str | None = None
    response: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def success(cls, response: Mapping[str, Any] | None = None) -> Outcome:
        """A successful outcome with `response` (the parsed boto3 response dict)."""
        return cls(None, dict(response or {}))

    @classmethod
    def failure(cls, code: str) -> Outcome:
        """A failed outcome with error `code` (``e.response['Error']['Code']``)."""
        return cls(code, {})

    @property
    def succeeded(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None

    def __repr__(self) -> str:
        if self.error is not None:
            return f"Outcome.failure({self.error!r})"
        return f"Outcome.success({redact(dict(self.response))!r})"


@dataclass(frozen=True)
class RuleVerdict:
    """One rule's judgement of a request: which errors it allows, and whether success remains.

    `success_allowed` is False when the rule is definitely broken; True with errors when the
    docs leave the outcome open (then `open_questions` names the OQ).

    >>> v = RuleVerdict("CKS-QUOTA-001", frozenset({"LimitExceededException"}), False)
    >>> v.errors
    frozenset({'LimitExceededException'})
    """

    requirement_id: str
    errors: frozenset[str]
    success_allowed: bool = False
    open_questions: tuple[str, ...] = ()
    field: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Expectation:
    """The set of acceptable outcomes of one operation call.

    `success` says whether success is acceptable; `errors` the acceptable error codes;
    `response` (optional) checks a successful response; `verdicts` explain each error.

    >>> bad_state = "CustomKeyStoreInvalidStateException"
    >>> e = Expectation(True, frozenset({bad_state}), open_questions=("OQ-19",))
    >>> e.allows(None), e.allows(bad_state), e.allows("Other")
    (True, True, False)
    """

    success: bool
    errors: frozenset[str] = frozenset()
    requirement_ids: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    response: ResponseCheck | None = field(default=None, compare=False)
    verdicts: tuple[RuleVerdict, ...] = field(default=(), compare=False)
    success_rules: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.success and not self.errors:
            raise ValueError("an expectation must allow success or at least one error")

    def allows(self, error: str | None) -> bool:
        """Whether the outcome with this error code (None: success) is acceptable."""
        return self.success if error is None else error in self.errors

    def mismatches(self, outcome: Outcome) -> tuple[Mismatch, ...]:
        """Why `outcome` is not acceptable (empty when it is), each naming its rule.

        >>> e = Expectation(False, frozenset({"LimitExceededException"}),
        ...     verdicts=(RuleVerdict("CKS-QUOTA-001", frozenset({"LimitExceededException"})),))
        >>> [m.requirement_id for m in e.mismatches(Outcome.success())]
        ['CKS-QUOTA-001']
        """
        if not self.allows(outcome.error):
            got = outcome.error or "success"
            return (Mismatch(self.blame(outcome.error), "outcome", self.describe(), got),)
        if outcome.error is None and self.response is not None:
            return self.response.mismatches(outcome.response)
        return ()

    def blame(self, error: str | None) -> str:
        """The rule an unacceptable outcome (`error`, None for success) breaks: the rule that
        definitely objected when success came; the rule behind the expected errors when
        another error came. When success was due and an error came: an open rule whose
        acceptable errors these were not, else the first success rule (planners list the
        most specific first, e.g. a permission such as CKS-UNIQ-003); empty when there is
        none, and the caller names the operation's own success rule (the model does not
        know the operation's name).

        >>> Expectation(True).blame("LimitExceededException")
        ''
        >>> Expectation(True, success_rules=("CKS-UNIQ-003", "CKS-CREATE-007")).blame("E")
        'CKS-UNIQ-003'
        """
        if self.success:
            if error is None:
                return ""
            open_rules = [v.requirement_id for v in self.verdicts if v.success_allowed]
            return (open_rules or [*self.success_rules, ""])[0]
        if error is None:
            broken = [v for v in self.verdicts if not v.success_allowed]
            if broken:
                return broken[0].requirement_id
        elif self.verdicts:
            return self.verdicts[0].requirement_id
        return self.requirement_ids[0] if self.requirement_ids else ""

    def judged_rules(self, outcome: Outcome) -> tuple[str, ...]:
        """The rules whose judgement an *accepted* `outcome` is evidence for.

        An error reaches each rule that allows that error, and the precedence rule
        (CKS-ERR-009) when rules were definitely broken on several fields at once; success
        reaches the operation's success rules, every open rule that allowed success, and
        whatever the response check exercised on this response.

        >>> v = RuleVerdict("CKS-QUOTA-001", frozenset({"LimitExceededException"}))
        >>> Expectation(False, v.errors, verdicts=(v,)).judged_rules(
        ...     Outcome.failure("LimitExceededException"))
        ('CKS-QUOTA-001',)
        """
        if outcome.error is not None:
            found = [v.requirement_id for v in self.verdicts if outcome.error in v.errors]
            broken_fields = {v.field for v in self.verdicts if not v.success_allowed}
            if found and len(broken_fields) > 1:  # several members broken (OQ-21)
                found.append(PRECEDENCE_RULE)
        else:
            found = [*self.success_rules]
            found += [v.requirement_id for v in self.verdicts if v.success_allowed]
            if self.response is not None:
                found += self.response.rules_judged(outcome.response)
        return tuple(dict.fromkeys(found))

    def accepts(self, outcome: Outcome) -> bool:
        """Whether `outcome` (code and, on success, response) is acceptable."""
        return not self.mismatches(outcome)

    def describe(self) -> str:
        """A short human-readable form, e.g. ``success or CustomKeyStoreInvalidStateException``."""
        parts = (["success"] if self.success else []) + sorted(self.errors)
        return " or ".join(parts)

    @property
    def deterministic(self) -> bool:
        """Whether exactly one outcome code is acceptable."""
        return len(self.errors) + int(self.success) == 1

    def canonical_error(self) -> str | None:
        """The outcome a standalone model picks: success if allowed, else one fixed error.

        Errors of rules that are definitely broken come before errors of rules that only
        might object (e.g. a backend check the docs leave optional, OQ-7): a KMS reports
        what it is sure of.
        """
        if self.success:
            return None
        definite = (
            frozenset().union(*(v.errors for v in self.verdicts if not v.success_allowed))
            & self.errors
        )
        chosen = definite or self.errors
        if VALIDATION_EXCEPTION in chosen:
            return VALIDATION_EXCEPTION
        return min(chosen)


def combine(
    verdicts: Iterable[RuleVerdict],
    *,
    requirement_ids: Iterable[str] = (),
    response: ResponseCheck | None = None,
) -> Expectation:
    """Join rule verdicts: success survives only if no rule is definitely broken (OQ-21).

    The acceptable errors are the union of the errors of every rule that objects.

    >>> a = RuleVerdict("CKS-UNIQ-001", frozenset({"CustomKeyStoreNameInUseException"}))
    >>> b = RuleVerdict("CKS-QUOTA-001", frozenset({"LimitExceededException"}))
    >>> sorted(combine([a, b]).errors)
    ['CustomKeyStoreNameInUseException', 'LimitExceededException']
    """
    found = tuple(verdicts)
    requirement_ids = tuple(requirement_ids)
    errors: frozenset[str] = frozenset().union(*(v.errors for v in found))
    success = all(v.success_allowed for v in found)
    ids = tuple(dict.fromkeys([*requirement_ids, *(v.requirement_id for v in found)]))
    oqs = [oq for v in found for oq in v.open_questions]
    if sum(1 for v in found if not v.success_allowed) > 1:
        oqs.append("OQ-21")
    return Expectation(
        success=success,
        errors=errors,
        requirement_ids=ids,
        open_questions=tuple(sorted(set(oqs), key=_oq_number)),
        response=response if success else None,
        verdicts=found,
        success_rules=tuple(requirement_ids),
    )


def _oq_number(oq: str) -> int:
    return int(oq.split("-")[1])
