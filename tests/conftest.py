"""Shared self-test configuration: the Hypothesis profiles of :mod:`conformance.profiles`."""

from __future__ import annotations

import os

from conformance.profiles import load_profile

load_profile(os.environ.get("KSCHECK_HYPOTHESIS_PROFILE", "ci"))
