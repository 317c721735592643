"""Every runnable example in the docstrings of the two installed packages holds.

The modules are found by walking ``conformance`` and ``strategies`` (nothing is listed by
hand, so a new module's examples run from the day it is added). The pytest modules and
conftests under ``conformance.checks`` are not imported here: they are collected by pytest
inside ``kscheck run``/``certify`` sessions, and importing them a second time under another
name would be a side effect; a source scan makes sure they carry no example to lose.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import conformance
import strategies
from conformance.profiles import load_profile

PACKAGES = (conformance, strategies)


def _all_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package.__name__)
        prefix = f"{package.__name__}."
        names += [m.name for m in pkgutil.walk_packages(package.__path__, prefix)]
    return sorted(names)


def _is_check_module(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    in_checks = name.startswith("conformance.checks.")
    return in_checks and (leaf.startswith("test_") or leaf == "conftest")


def _source(name: str) -> str:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text()


MODULES = [name for name in _all_modules() if not _is_check_module(name)]
CHECK_MODULES = [name for name in _all_modules() if _is_check_module(name)]


@pytest.fixture(autouse=True)
def _keep_the_hypothesis_profile() -> Iterator[None]:
    """An example may load a Hypothesis profile (conformance.profiles does): put the
    session's own back afterwards, so no later test runs under another profile."""
    yield
    load_profile(os.environ.get("KSCHECK_HYPOTHESIS_PROFILE", "ci"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (see output)"
    if ">>>" in _source(name):
        assert result.attempted > 0, f"{name} shows examples that doctest does not find"


def test_the_walk_finds_both_packages_and_the_checks_carry_no_examples() -> None:
    assert "conformance.model.facade" in MODULES and "strategies.configs" in MODULES
    assert "conformance.checks.cks.judge" in MODULES
    assert [name for name in CHECK_MODULES if ">>>" in _source(name)] == []
