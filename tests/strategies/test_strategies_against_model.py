"""Acceptance: thousands of generated cases agree with the reference model.

Every valid configuration (alone, or among coexisting stores) is accepted; every invalid
configuration, conflicting store set, Update, Describe and CreateKey case is refused with an
error its `Violation` names, and the model's prediction agrees. The `ci` profile's example
count is multiplied here; ``KSCHECK_HYPOTHESIS_PROFILE=thorough`` multiplies its own.

Each test counts what it judged within itself, so the tests pass or fail alone and in any
order (no module-level tally shared between them).
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategy_oracle import SCENARIOS, any_scenario

ACCEPTANCE_EXAMPLES = max(1500, settings().max_examples * 5)
"""1500 with the ``ci`` profile (60 examples elsewhere), 10000 with ``thorough``."""

PER_KIND_EXAMPLES = 25
"""Examples per kind in the per-kind test: enough to meet both branches of a store set."""

KINDS_BY_SCENARIO = (
    {"valid_config"},
    {"invalid_config"},
    {"conflict"},
    {"coexisting"},
    {"update"},
    {"describe"},
    {"create_key"},
)
"""What each entry of `SCENARIOS` reports, in the same order."""

SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much]


def test_generated_cases_are_judged_by_the_model_as_their_labels_say() -> None:
    """The mixed run; its figures are printed with -s and each kind appears as an event."""
    tally: collections.Counter[str] = collections.Counter()

    @settings(max_examples=ACCEPTANCE_EXAMPLES, suppress_health_check=SUPPRESSED)
    @given(any_scenario())
    def judge(judged: tuple[Any, Any]) -> None:
        run, case = judged
        kind, requirement_ids = run(case)
        tally[kind] += 1
        event(kind)  # shown by --hypothesis-show-statistics
        for requirement_id in requirement_ids:
            event(requirement_id)

    judge()
    print(f"\ncases judged against the model: {sum(tally.values())} {dict(tally)}")
    assert set(tally) <= set().union(*KINDS_BY_SCENARIO)


@pytest.mark.parametrize(
    ("index", "kinds"),
    list(enumerate(KINDS_BY_SCENARIO)),
    ids=lambda v: str(sorted(v) if isinstance(v, set) else v),
)
def test_every_kind_of_case_is_drawn_and_judged(index: int, kinds: set[str]) -> None:
    """Each scenario on its own: its cases are judged, and they are of the kind it names."""
    strategy, run = SCENARIOS[index]
    seen: collections.Counter[str] = collections.Counter()

    @settings(max_examples=PER_KIND_EXAMPLES, database=None, suppress_health_check=SUPPRESSED)
    @given(st.data())
    def judge(data: st.DataObject) -> None:
        kind, _ = run(data.draw(strategy))
        seen[kind] += 1

    judge()
    assert set(seen) == kinds, dict(seen)


def test_the_scenario_list_and_its_kinds_line_up() -> None:
    assert len(SCENARIOS) == len(KINDS_BY_SCENARIO) == 7
