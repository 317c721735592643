"""The mutation check (``benchmarks/mutation_check.py``) stays complete and in step with the
model: every model module that makes verdicts has a mutant, every area of issue 8 is
covered, and every mutant still names exactly one verdict call in the current source.

Running the mutants takes minutes, so it is ``nox -s mutation``, not this test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation_check.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutation_check", module)
    spec.loader.exec_module(module)
    return module


check = _load()


def test_every_model_module_that_makes_verdicts_has_a_mutant() -> None:
    modules = check.verdict_modules()
    assert {"create", "update", "describe", "lifecycle", "keys", "validation"} <= modules
    assert modules - {m.module for m in check.MUTANTS} == set()


def test_every_area_of_the_issue_has_a_mutant() -> None:
    assert set(check.AREAS) <= {m.area for m in check.MUTANTS}


@pytest.mark.parametrize("mutant", check.MUTANTS, ids=lambda m: f"{m.module}-{m.requirement}")
def test_each_mutant_still_finds_its_verdict_and_neutralises_it(mutant: object) -> None:
    source = (check.ROOT / mutant.path).read_text()  # type: ignore[attr-defined]
    mutated = check.mutated_source(source, mutant)
    assert mutated != source
    compile(mutated, str(mutant.path), "exec")  # type: ignore[attr-defined]


def test_a_needle_that_matches_nothing_is_reported_not_skipped() -> None:
    ghost = check.Mutant("lifecycle", "lifecycle", "CKS-NONE-000", 'invalid_state("CKS-NONE-000"')
    source = (check.ROOT / ghost.path).read_text()
    with pytest.raises(check.MutantNotFoundError):
        check.mutated_source(source, ghost)
