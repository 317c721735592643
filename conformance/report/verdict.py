"""The one verdict of a run, for every command: its word, its line, and its exit status.

Every report (console, results.json, junit.xml, summary.md) shows the verdict this module
decides, so no report can disagree with the exit code. ``run`` says CONFORMANT, ``certify``
CERTIFIED; both say NOTHING VERIFIED when no requirement was reached, INTERRUPTED (exit
130/143) when a signal ended the run, and TARGET LOST when the target stopped answering.

>>> from conformance.report.run import build_run_record
>>> empty = build_run_record([], [], target={}, inputs={}, reproduce="kscheck run")
>>> decide(empty, command="run").word
'NOTHING VERIFIED'
>>> decide(empty, command="certify", interrupted="SIGTERM").exit_code
143
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.report.expectations import Expectations, review
from conformance.report.run import RunRecord

_SUCCESS_WORD = {"run": "CONFORMANT", "certify": "CERTIFIED"}
_INTERRUPTED_EXIT = {"SIGINT": 130, "SIGTERM": 143}


@dataclass(frozen=True)
class Verdict:
    """The decided outcome of a run: a word (``CONFORMANT`` ...), a line, an exit status."""

    word: str
    line: str
    exit_code: int

    @property
    def passed(self) -> bool:
        """Whether the run ended green (exit status 0)."""
        return self.exit_code == 0


def _failures(record: RunRecord) -> tuple[list[str], list[str]]:
    failed = [r.requirement_id for r in record.requirements if r.outcome.value == "FAIL"]
    errored = [r.requirement_id for r in record.requirements if r.outcome.value == "ERROR"]
    return failed, errored


def decide(
    record: RunRecord,
    *,
    command: str,
    strict: bool = False,
    expectations: Expectations | None = None,
    interrupted: str | None = None,
    target_lost: str | None = None,
) -> Verdict:
    """The verdict of `record` for `command` (``run`` or ``certify``); see the module doc.

    `expectations` are the target's known failures and missing operations (``run
    --expectations``): the run is green while it matches them exactly; `strict` makes a
    broken SHOULD fail the run (``certify --strict``).
    """
    counts = record.counts()
    success = _SUCCESS_WORD[command]
    if interrupted is not None:
        return Verdict(
            "INTERRUPTED",
            f"INTERRUPTED by {interrupted}: {counts['PASS']} requirement(s) passed before it; "
            "the rest were not reached. Not a verdict on the target.",
            _INTERRUPTED_EXIT.get(interrupted, 130),
        )
    if target_lost is not None:
        return Verdict(
            "TARGET LOST",
            f"TARGET LOST: {target_lost}; the run stopped early ({counts['PASS']} passed before)",
            1,
        )
    failed, errored = _failures(record)
    negative = f"NOT {success}"
    if expectations is not None:
        departures = review(record, expectations).departures
        if departures:
            return Verdict(
                negative,
                f"{negative}: the target departs from its expectations file: "
                + "; ".join(departures),
                1,
            )
        if not counts["PASS"]:
            return Verdict(
                "AS EXPECTED",
                f"AS EXPECTED: no requirement passed; {len(failed)} known deviation(s) and "
                f"{counts['UNSUPPORTED']} unsupported, exactly as the expectations file says",
                0,
            )
    elif failed or errored:
        return Verdict(
            negative,
            f"{negative}: {len(failed)} MUST requirement(s) failed, {len(errored)} errored",
            1,
        )
    if strict and counts["NON_STRICT"]:
        return Verdict(
            negative,
            f"{negative}: --strict and {counts['NON_STRICT']} SHOULD requirement(s) broken",
            1,
        )
    if not counts["PASS"] + counts["NON_STRICT"] + counts["INFO"]:  # nothing was judged
        return Verdict(
            "NOTHING VERIFIED",
            f"NOTHING VERIFIED: {counts['UNSUPPORTED']} requirement(s) unsupported by the "
            f"target, {counts['SKIPPED']} not reached",
            1,
        )
    tail = (
        f"({counts['NON_STRICT']} SHOULD warning(s), {counts['INFO']} informational, "
        f"{counts['UNSUPPORTED']} unsupported, {counts['SKIPPED']} not reached)"
    )
    if failed or errored:
        return Verdict(
            f"{success} EXCEPT KNOWN DEVIATIONS",
            f"{success} EXCEPT KNOWN DEVIATIONS: {counts['PASS']} requirement(s) passed, "
            f"{len(failed) + len(errored)} failed as expected {tail}",
            0,
        )
    return Verdict(
        success, f"{success}: {counts['PASS']} requirement(s) passed, no MUST failed {tail}", 0
    )
