"""Known deviations of a target: requirements it is expected to fail, with the reason.

An emulator's CI can run ``kscheck run --expectations reports/expectations/<target>.toml``
and stay green while its known gaps are tracked; a listed requirement that starts to pass
is reported, so the file is kept honest. The file is TOML::

    [deviations]
    "CKS-OWNER-007" = "VpcEndpointServiceOwner not implemented yet (issue 12)"

>>> parse_expectations('[deviations]\\n"CKS-PAGE-001" = "ignores Limit"\\n')
{'CKS-PAGE-001': 'ignores Limit'}
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conformance.report.outcomes import Outcome
from conformance.report.run import RunRecord
from conformance.spec.requirements import registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ExpectationsError(ValueError):
    """The expectations file is unreadable or names something that is not a requirement."""


def parse_expectations(text: str, *, source: str = "expectations") -> dict[str, str]:
    """The ``[deviations]`` table: requirement ID -> reason; ExpectationsError if invalid."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"{source}: not valid TOML: {error}") from None
    table = document.get("deviations", {})
    if not isinstance(table, dict):
        raise ExpectationsError(f"{source}: [deviations] must be a table of ID = reason")
    known = registry()
    deviations: dict[str, str] = {}
    for requirement_id, reason in table.items():
        if requirement_id not in known:
            raise ExpectationsError(f"{source}: {requirement_id!r} is not a requirement ID")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{source}: {requirement_id} needs a reason (a string)")
        deviations[requirement_id] = reason
    return deviations


def load_expectations(path: Path) -> dict[str, str]:
    """Read and parse an expectations file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExpectationsError(f"--expectations {path}: {error.strerror}") from None
    return parse_expectations(text, source=str(path))


@dataclass(frozen=True)
class ExpectationReview:
    """How a run compares with the known deviations."""

    expected_failures: tuple[str, ...]  # listed and failed: tolerated
    unexpected_failures: tuple[str, ...]  # failed (MUST) or errored, not listed
    now_passing: tuple[str, ...]  # listed but passed: remove them from the file


def review(record: RunRecord, deviations: Mapping[str, str]) -> ExpectationReview:
    """Sort the run's failures into expected and unexpected; find fixed deviations."""
    bad = (Outcome.FAIL, Outcome.ERROR)
    failed = [r.requirement_id for r in record.requirements if r.outcome in bad]
    passed = {r.requirement_id for r in record.requirements if r.outcome is Outcome.PASS}
    return ExpectationReview(
        expected_failures=tuple(rid for rid in failed if rid in deviations),
        unexpected_failures=tuple(rid for rid in failed if rid not in deviations),
        now_passing=tuple(sorted(rid for rid in deviations if rid in passed)),
    )
