"""One certification run as data: its inputs and the graded outcome of every requirement.

Writers (:mod:`~conformance.report.results_json`, :mod:`~conformance.report.junit`,
:mod:`~conformance.report.summary`) and the console all render a :class:`RunRecord`.

>>> from conformance.report.outcomes import CheckOutcome, Outcome
>>> from conformance.spec.requirements import Level, Requirement
>>> req = Requirement("XKS-DEMO-001", Level.MUST, "[SPEC] demo", "A demo rule.")
>>> run = build_run_record([req], [CheckOutcome("t::x", "XKS-DEMO-001", Outcome.FAIL)],
...     target={}, inputs={}, reproduce="kscheck certify")
>>> run.counts()["FAIL"], run.must_failed
(1, True)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance import __version__
from conformance.report.open_questions import ObservedBranch
from conformance.report.outcomes import CheckOutcome, Outcome, RequirementOutcome
from conformance.spec.requirements import Requirement


@dataclass
class RunRecord:
    """Everything a report shows; `reproduce` is the command line minus ``-k``/``--seed``."""

    suite_version: str
    started: str
    target: Mapping[str, Any]
    inputs: Mapping[str, Any]
    requirements: list[RequirementOutcome]
    reproduce: str
    duration_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    command: str = "certify"
    verdict_word: str = ""
    verdict_line: str = ""
    exit_code: int | None = None
    interrupted: str | None = None
    #: open-question branches the target's judged answers took (``kscheck run``)
    open_questions: list[ObservedBranch] = field(default_factory=list)

    @property
    def title(self) -> str:
        """``kscheck <command>: <verdict word>`` (the verdict once decided)."""
        return f"kscheck {self.command}: {self.verdict_word or 'UNDECIDED'}"

    @property
    def target_label(self) -> str:
        """A one-line name of the target (its ``label``, else its name or URL)."""
        target = self.target
        label = target.get("label") or target.get("name") or target.get("base_url") or "?"
        return str(label)

    def counts(self) -> dict[str, int]:
        """Requirement outcomes counted by grade (every grade present, zeros included)."""
        counts = {outcome.value: 0 for outcome in Outcome}
        for item in self.requirements:
            counts[item.outcome.value] += 1
        return counts

    @property
    def must_failed(self) -> bool:
        """True when a MUST requirement failed or a check errored (not certifiable)."""
        return any(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in self.requirements)

    def reproduce_for(self, requirement_id: str) -> str:
        """The command that re-runs only the checks of `requirement_id` with the same seed."""
        return f"{self.reproduce} -k {requirement_id} --seed {self.inputs.get('seed', 0)}"

    def problems(self) -> list[RequirementOutcome]:
        """Requirements graded worse than PASS (FAIL, ERROR, NON_STRICT, INFO, UNSUPPORTED)."""
        shown = (Outcome.ERROR, Outcome.FAIL, Outcome.NON_STRICT, Outcome.INFO, Outcome.UNSUPPORTED)
        order = {o: i for i, o in enumerate(shown)}
        chosen = [r for r in self.requirements if r.outcome in order]
        return sorted(chosen, key=lambda r: (order[r.outcome], r.requirement_id))


def build_run_record(
    requirements: Iterable[Requirement],
    checks: Iterable[CheckOutcome],
    *,
    target: Mapping[str, Any],
    inputs: Mapping[str, Any],
    reproduce: str,
    duration_seconds: float = 0.0,
    started: datetime.datetime | None = None,
    command: str = "certify",
) -> RunRecord:
    """Group check outcomes under their requirements (registry order kept)."""
    by_id: dict[str, RequirementOutcome] = {
        r.id: RequirementOutcome(r.id, r.level.value, r.summary, r.source) for r in requirements
    }
    for check in checks:
        if check.requirement_id in by_id:
            by_id[check.requirement_id].checks.append(check)
    moment = started or datetime.datetime.now(datetime.timezone.utc)
    return RunRecord(
        suite_version=__version__,
        started=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        target=dict(target),
        inputs=dict(inputs),
        requirements=list(by_id.values()),
        reproduce=reproduce,
        duration_seconds=duration_seconds,
        command=command,
    )
