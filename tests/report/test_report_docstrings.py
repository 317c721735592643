"""The runnable examples in the docstrings of the matrix, report command and LocalStack
modules hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "conformance.report.matrix",
    "conformance.report.matrix_html",
    "conformance.report.matrix_markdown",
    "conformance.commands.report",
    "conformance.commands.report_publish",
    "conformance.targets.localstack",
    "conformance.targets.factory",
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
