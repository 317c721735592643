"""Shared self-test configuration: the Hypothesis profiles of :mod:`conformance.profiles`,
a hermetic environment (see :mod:`hermetic`) for this process and its children, and a
generous proxy budget for every emulator they start."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hermetic import NOWHERE, is_leaky

from conformance.emulator.scenario import TIMEOUT_VARIABLE
from conformance.profiles import load_profile

load_profile(os.environ.get("KSCHECK_HYPOTHESIS_PROFILE", "ci"))

SELF_TEST_PROXY_BUDGET_MS = "1000"
"""The emulator's proxy budget in the self-tests: four times KMS's 250 ms, so a loaded
machine cannot turn a healthy fake proxy into a TIMEOUT; the slow site answers four
budgets late, so it stays a TIMEOUT (see docs/architecture.md)."""


@pytest.fixture(scope="session", autouse=True)
def _hermetic_environment() -> Iterator[None]:
    """No AWS credentials, opt-in, endpoint override or external proxy for any self-test
    (and so for any process a self-test starts), and the self-tests' proxy budget."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if is_leaky(n)]:
            patch.delenv(name)
        for name, value in NOWHERE.items():
            patch.setenv(name, value)
        patch.setenv(TIMEOUT_VARIABLE, SELF_TEST_PROXY_BUDGET_MS)
        yield


def pytest_configure(config: pytest.Config) -> None:
    # Self-tests may name the rule they exercise; the kscheck plugin (grading) is not loaded
    # here, so the marker is documentation only and earns no coverage.
    config.addinivalue_line("markers", "requirement(*ids): the rule a self-test exercises")
    config.addinivalue_line("markers", "xdist_group(name): tests pytest-xdist keeps together")


#: Session fixtures that cost minutes: every test using one runs in the same xdist worker,
#: so the runs are made once (the fixtures are session-scoped per worker process).
SHARED_RUNS = ("certify_runs", "variant_runs")
#: Files whose tests share no module fixture and each take long: spread test by test.
INDEPENDENT_TESTS = frozenset({"tests/targets/test_rehearsal.py"})


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup`` (pytest-xdist), keep each test file in one
    worker (module-scoped fixtures are made once) and every user of a shared certify run in
    the worker that makes it. Without xdist the marks change nothing."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        shared = next((name for name in SHARED_RUNS if name in used), None)
        path = item.nodeid.split("::", 1)[0]
        group = shared or (item.nodeid if path in INDEPENDENT_TESTS else path)
        item.add_marker(pytest.mark.xdist_group(group))
