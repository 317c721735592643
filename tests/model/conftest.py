"""Fixtures for the reference-model self-tests."""

from __future__ import annotations

import pytest
from model_builders import world

from conformance.model import ReferenceModel


@pytest.fixture
def model() -> ReferenceModel:
    """A fresh model over the default world of `model_builders`."""
    return ReferenceModel(world())
