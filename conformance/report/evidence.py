"""Evidence that a check reached a rule: a requirement is PASS only when a check recorded it.

A check (or the helper that judges for it, such as ``judge()`` or an ``Exchange.expect_*``)
calls :func:`reached` at the point where it compared the target's answer with the rule. The
plugin opens one :class:`EvidenceLog` per check call (:func:`recording`); a requirement the
check names but never reached is graded SKIPPED "not reached", never PASS.

A judged answer that settled an open question of the spec is recorded with
:func:`took_branch` (:mod:`conformance.report.open_questions`).

Outside a recording (a self-test calling a helper directly) :func:`reached` does nothing.
Threads of one check (concurrency checks) record into the same log.

>>> with recording() as log:
...     reached("XKS-HEALTH-001")
...     judged_step()
>>> sorted(log.reached), log.steps
(['XKS-HEALTH-001'], 1)
>>> reached("XKS-HEALTH-001")  # no recording open: ignored
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from conformance.report.open_questions import ObservedBranch


@dataclass
class EvidenceLog:
    """What one check reached: requirement IDs, how many judged steps it made, and the
    open-question branches its judged answers took."""

    reached: set[str] = field(default_factory=set)
    steps: int = 0
    branches: list[ObservedBranch] = field(default_factory=list)

    def not_reached_reason(self) -> str:
        """The SKIPPED reason for a named requirement this check did not reach.

        >>> EvidenceLog(steps=3).not_reached_reason()
        'not reached (3 judged steps)'
        """
        return f"not reached ({self.steps} judged step{'' if self.steps == 1 else 's'})"


_lock = threading.Lock()
_active: EvidenceLog | None = None


def reached(*requirement_ids: str) -> None:
    """Record that the running check judged the target's outcome under these rules."""
    with _lock:
        if _active is not None:
            _active.reached.update(requirement_ids)


def judged_step() -> None:
    """Count one judged interaction with the target (a call compared with the model)."""
    with _lock:
        if _active is not None:
            _active.steps += 1


def took_branch(*branches: ObservedBranch) -> None:
    """Record that a judged answer of the running check settled these open questions."""
    with _lock:
        if _active is not None:
            _active.branches.extend(branches)


@contextlib.contextmanager
def recording() -> Iterator[EvidenceLog]:
    """Collect the evidence of the code run inside the block (one check call)."""
    global _active
    log = EvidenceLog()
    with _lock:
        previous, _active = _active, log
    try:
        yield log
    finally:
        with _lock:
            _active = previous
