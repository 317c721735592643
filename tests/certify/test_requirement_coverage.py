"""Every XKS requirement has a check; every official-test-client case has a counterpart;
the registry's IDs, levels and sources are well formed."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import conformance.checks.xks as checks_package
from conformance.checks.xks.official_client_map import (
    OFFICIAL_CLIENT_CASES,
    cases_in_group,
    render_markdown_table,
)
from conformance.spec.xks_requirements import XKS_REQUIREMENTS

AREAS = {"HTTP", "AUTH", "HEALTH", "META", "CRYPT", "TAMPER", "VAL", "USAGE", "TLS", "MTLS",
         "PERF", "ERR"}  # fmt: skip
DOCS = Path(__file__).resolve().parents[2] / "docs" / "certify.md"


def _check_functions() -> dict[str, Callable[..., Any]]:
    found = {}
    for module_info in pkgutil.iter_modules(checks_package.__path__):
        if not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{checks_package.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if name.startswith("test_") and callable(value):
                found[f"{module_info.name}::{name}"] = value
    return found


def _marked_ids(function: Callable[..., Any]) -> set[str]:
    marks = getattr(function, "pytestmark", [])
    return {str(arg) for mark in marks if mark.name == "requirement" for arg in mark.args}


def test_every_check_names_a_requirement() -> None:
    unmarked = [name for name, fn in _check_functions().items() if not _marked_ids(fn)]
    assert unmarked == []


def test_every_xks_requirement_has_at_least_one_check() -> None:
    covered = set().union(*(_marked_ids(fn) for fn in _check_functions().values()))
    missing = sorted(r.id for r in XKS_REQUIREMENTS if r.id not in covered)
    assert missing == []


@pytest.mark.parametrize("requirement", XKS_REQUIREMENTS, ids=lambda r: r.id)
def test_requirement_ids_sources_and_summaries_are_well_formed(requirement: Any) -> None:
    assert re.fullmatch(r"XKS-[A-Z]+-\d{3}", requirement.id)
    assert requirement.area in AREAS
    assert re.match(r"\[(SPEC|TC)\] ", requirement.source)
    assert requirement.summary.endswith(".") and len(requirement.summary) <= 100


def test_every_official_client_case_maps_to_an_existing_check_with_its_ids() -> None:
    functions = _check_functions()
    for case in OFFICIAL_CLIENT_CASES:
        for check in case.checks:
            assert check in functions, f"{case.script} / {case.label}: no check {check}"
            assert set(case.ids) <= _marked_ids(functions[check]), (case.label, check)


def test_the_official_case_counts_match_the_client() -> None:
    def runs(group: str) -> int:
        return sum(case.runs for case in cases_in_group(group))

    assert (runs("default"), runs("-a"), runs("mtls")) == (35, 14, 2)


def test_the_docs_show_the_official_client_table() -> None:
    assert render_markdown_table() in DOCS.read_text()
