"""The runnable examples in the model's and the registry's docstrings stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import conformance.model

MODULES = sorted(
    [f"conformance.model.{m.name}" for m in pkgutil.iter_modules(conformance.model.__path__)]
    + ["conformance.model", "conformance.spec.botocore_model", "conformance.spec.cks_requirements"]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
