"""Which open question of the spec (OQ-n, digest §10) an accepted outcome settled, and how.

Where the docs leave an outcome open, the model allows several outcomes and names the open
question, on the rule's verdict or on the expectation as a whole. An accepted answer takes a
*branch* of such a question when the open question is attached to a verdict that allowed
that very outcome (success: an open verdict allowing success; an error: a verdict whose
errors include it), or to the expectation itself when no verdict carries it (e.g. OQ-21, the
precedence of several broken rules). A question that left only one outcome acceptable
there (e.g. OQ-20's pending keys when an active key blocks Delete anyway) settled nothing
and is not a branch.

>>> from conformance.model.outcomes import Expectation, Outcome, RuleVerdict
>>> v = RuleVerdict("CKS-CONNECT-002", frozenset({"CustomKeyStoreInvalidStateException"}),
...                 True, ("OQ-19",))
>>> e = Expectation(True, v.errors, open_questions=("OQ-19",), verdicts=(v,))
>>> [(b.open_question, b.outcome, b.alternatives) for b in branches_taken(e, Outcome.success())]
[('OQ-19', 'success', ('success', 'CustomKeyStoreInvalidStateException'))]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.model.outcomes import Expectation, Outcome, RuleVerdict

SUCCESS = "success"
"""How a successful outcome is named among error codes."""


@dataclass(frozen=True)
class Branch:
    """One open question an accepted outcome settled: the outcome the target chose, every
    outcome the question left acceptable there, and the rules that left it open."""

    open_question: str
    outcome: str
    alternatives: tuple[str, ...]
    requirement_ids: tuple[str, ...]


def outcome_name(outcome: Outcome) -> str:
    """``"success"`` or the error code.

    >>> outcome_name(Outcome.failure("LimitExceededException")), outcome_name(Outcome.success())
    ('LimitExceededException', 'success')
    """
    return outcome.error if outcome.error is not None else SUCCESS


def _names(success: bool, errors: Iterable[str]) -> tuple[str, ...]:
    return ((SUCCESS,) if success else ()) + tuple(sorted(errors))


def _allowed_by(verdict: RuleVerdict, error: str | None) -> bool:
    return verdict.success_allowed if error is None else error in verdict.errors


def branches_taken(expectation: Expectation, outcome: Outcome) -> tuple[Branch, ...]:
    """The open-question branches `outcome` took (none when the expectation rejects it).

    >>> from conformance.model.outcomes import combine
    >>> a = RuleVerdict("CKS-A-001", frozenset({"E1"}), False, field="x")
    >>> b = RuleVerdict("CKS-B-001", frozenset({"E2"}), False, field="y")
    >>> taken = branches_taken(combine([a, b]), Outcome.failure("E2"))
    >>> [(x.open_question, x.outcome, x.alternatives) for x in taken]
    [('OQ-21', 'E2', ('E1', 'E2'))]
    """
    error = outcome.error
    if not expectation.allows(error):
        return ()
    acceptable = set(_names(expectation.success, expectation.errors))
    rules: dict[str, list[str]] = {}
    choices: dict[str, set[str]] = {}
    carried = {oq for verdict in expectation.verdicts for oq in verdict.open_questions}
    for verdict in expectation.verdicts:
        if not _allowed_by(verdict, error):
            continue
        for oq in verdict.open_questions:
            rules.setdefault(oq, []).append(verdict.requirement_id)
            own = _names(verdict.success_allowed, verdict.errors)
            choices.setdefault(oq, set()).update(set(own) & acceptable)
    for oq in expectation.open_questions:
        if oq not in carried:
            judged = expectation.judged_rules(outcome) or expectation.requirement_ids
            rules.setdefault(oq, []).extend(judged)
            choices.setdefault(oq, set()).update(acceptable)
    return tuple(
        Branch(
            oq,
            outcome_name(outcome),
            tuple(sorted(choices[oq], key=lambda name: (name != SUCCESS, name))),
            tuple(dict.fromkeys(rules[oq])),
        )
        for oq in sorted(rules, key=question_order)
        if len(choices[oq]) > 1
    )


def question_order(oq: str) -> tuple[int, str]:
    """Sort key of open question IDs: by number, so OQ-9 comes before OQ-10.

    >>> sorted(["OQ-10", "OQ-9"], key=question_order)
    ['OQ-9', 'OQ-10']
    """
    digits = "".join(ch for ch in oq if ch.isdigit())
    return (int(digits) if digits else 0, oq)
