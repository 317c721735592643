"""The runnable examples in the docstrings of the certify modules hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "conformance.profiles",
    "conformance.spec.xks_protocol",
    "conformance.spec.xks_requirements",
    "conformance.targets.xks",
    "conformance.report.console",
    "conformance.report.grading",
    "conformance.report.junit",
    "conformance.report.outcomes",
    "conformance.report.redaction",
    "conformance.report.results_json",
    "conformance.report.run",
    "conformance.report.summary",
    "conformance.report.writers",
    "conformance.checks.xks.bodies",
    "conformance.checks.xks.flows",
    "conformance.checks.xks.generators",
    "conformance.checks.xks.official_client_map",
    "conformance.checks.xks.schemas",
    "conformance.checks.xks.sigv4_signer",
    "conformance.checks.xks.tls_probes",
    "conformance.checks.xks.wire",
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
