"""Shared self-test configuration: the Hypothesis profiles of :mod:`conformance.profiles`,
and a hermetic environment (see :mod:`hermetic`) for this process and its children."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hermetic import NOWHERE, is_leaky

from conformance.profiles import load_profile

load_profile(os.environ.get("KSCHECK_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _hermetic_environment() -> Iterator[None]:
    """No AWS credentials, opt-in, endpoint override or external proxy for any self-test
    (and so for any process a self-test starts without an explicit environment)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if is_leaky(n)]:
            patch.delenv(name)
        for name, value in NOWHERE.items():
            patch.setenv(name, value)
        yield
