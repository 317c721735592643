"""Acceptance: thousands of generated cases agree with the reference model.

Every valid configuration (alone, or among coexisting stores) is accepted; every invalid
configuration, conflicting store set, Update, Describe and CreateKey case is refused with an
error its `Violation` names, and the model's prediction agrees. The `ci` profile's example
count is multiplied here; ``KSCHECK_HYPOTHESIS_PROFILE=thorough`` multiplies its own.
"""

from __future__ import annotations

import collections
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from strategy_oracle import SCENARIOS, any_scenario

ACCEPTANCE_EXAMPLES = max(1500, settings().max_examples * 5)
"""1500 with the ``ci`` profile (60 examples elsewhere), 10000 with ``thorough``."""

TALLY: collections.Counter[str] = collections.Counter()


@settings(
    max_examples=ACCEPTANCE_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(any_scenario())
def test_generated_cases_are_judged_by_the_model_as_their_labels_say(
    judged: tuple[Any, Any],
) -> None:
    run, case = judged
    kind, requirement_ids = run(case)
    TALLY[kind] += 1
    event(kind)  # shown by --hypothesis-show-statistics
    for requirement_id in requirement_ids:
        event(requirement_id)


def test_the_mixed_run_reached_every_kind_of_case() -> None:
    """The figures of the run above (printed with -s); every scenario kind was drawn."""
    if not TALLY:
        test_generated_cases_are_judged_by_the_model_as_their_labels_say()
    print(f"\ncases judged against the model: {sum(TALLY.values())} {dict(TALLY)}")
    kinds = {"valid_config", "invalid_config", "conflict", "coexisting", "update", "describe"}
    assert kinds | {"create_key"} <= set(TALLY)
    assert len(SCENARIOS) == 7
