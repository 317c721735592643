"""Open questions observed: how the target settled each ambiguity of the spec it was asked.

When a judged answer takes a branch of an open question (OQ-n of the spec digest's §10), the
judge records an :class:`ObservedBranch` in the check's evidence; the run gathers them and
:func:`summarize` counts, per open question, how often the target chose each outcome the
question leaves acceptable (zero for the ones it never chose), with one example input per
outcome it did choose. ``results.json`` renders this as its ``open_questions`` section and
``summary.md`` as a table (reports/README.md documents the schema).

>>> seen = [ObservedBranch("OQ-19", "ConnectCustomKeyStore", "success",
...                        ("success", "CustomKeyStoreInvalidStateException"),
...                        ("CKS-CONNECT-002",), "ConnectCustomKeyStore({...})", "t::c")] * 2
>>> summary = summarize(seen, title=lambda oq: "Connect while connected?")
>>> summary["OQ-19"].outcomes
{'success': 2, 'CustomKeyStoreInvalidStateException': 0}
>>> summary["OQ-19"].examples[0].nodeid
't::c'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from conformance.model.branches import question_order

#: The module that holds the open questions' titles (``OPEN_QUESTIONS: Mapping[str, str]``).
TITLES_MODULE = "conformance.spec.open_questions"


@dataclass(frozen=True)
class ObservedBranch:
    """One judged answer that settled an open question: which question, the operation, the
    outcome chosen (``"success"`` or the error code), every outcome the question left
    acceptable there, the rules that left it open, the redacted input, and the check."""

    open_question: str
    operation: str
    outcome: str
    alternatives: tuple[str, ...]
    requirement_ids: tuple[str, ...]
    input: str
    nodeid: str = ""


@dataclass
class OpenQuestionSummary:
    """What a run saw of one open question: counts per outcome and one example of each
    outcome the target chose."""

    open_question: str
    title: str
    outcomes: dict[str, int] = field(default_factory=dict)
    requirement_ids: list[str] = field(default_factory=list)
    examples: list[ObservedBranch] = field(default_factory=list)


def open_question_title(oq: str) -> str:
    """The open question's title from :data:`TITLES_MODULE`, or the bare ID when that module
    (or its entry) is absent.

    >>> open_question_title("OQ-999")
    'OQ-999'
    """
    try:
        module = importlib.import_module(TITLES_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name not in (TITLES_MODULE, TITLES_MODULE.rsplit(".", 1)[0]):
            raise  # the titles module exists but is broken: say so
        return oq
    titles: Mapping[str, str] = getattr(module, "OPEN_QUESTIONS", {})
    return str(titles.get(oq, oq))


def summarize(
    branches: Iterable[ObservedBranch],
    *,
    title: Callable[[str], str] = open_question_title,
) -> dict[str, OpenQuestionSummary]:
    """Per open question (by number): outcome counts, success first, then the errors by name
    (outcomes only ever allowed, never chosen, count 0); the rules; the first example of each
    outcome chosen."""
    found: dict[str, OpenQuestionSummary] = {}
    for branch in branches:
        oq = branch.open_question
        if oq not in found:
            found[oq] = OpenQuestionSummary(oq, title(oq))
        entry = found[oq]
        for name in (*branch.alternatives, branch.outcome):
            entry.outcomes.setdefault(name, 0)
        entry.outcomes[branch.outcome] += 1
        for rid in branch.requirement_ids:
            if rid not in entry.requirement_ids:
                entry.requirement_ids.append(rid)
        if all(example.outcome != branch.outcome for example in entry.examples):
            entry.examples.append(branch)
    for entry in found.values():
        entry.outcomes = dict(sorted(entry.outcomes.items(), key=_outcome_order))
        entry.examples.sort(key=lambda example: _outcome_order((example.outcome, 0)))
    return {oq: found[oq] for oq in sorted(found, key=question_order)}


def _outcome_order(item: tuple[str, int]) -> tuple[bool, str]:
    return (item[0] != "success", item[0])
