"""Shared self-test configuration: the Hypothesis profiles of :mod:`conformance.profiles`."""

from __future__ import annotations

import os

import pytest

from conformance.profiles import load_profile

load_profile(os.environ.get("KSCHECK_HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    # Self-tests may name the rule they exercise; the kscheck plugin (grading) is not loaded
    # here, so the marker is documentation only and earns no coverage.
    config.addinivalue_line("markers", "requirement(*ids): the rule a self-test exercises")
