"""What a target is known to do wrong or not at all, each with its reason.

An emulator's CI runs ``kscheck run --expectations reports/expectations/<target>.toml``: the
run stays green while the target behaves exactly as its file says, and fails as soon as it
departs in either direction (a new failure, a newly missing operation, or a listed gap that
is gone, so the file is kept honest). The file is TOML::

    [deviations]          # requirements the target fails
    "CKS-OWNER-007" = "VpcEndpointServiceOwner not implemented yet (issue 12)"

    [unsupported]         # operations the target does not implement
    "CreateCustomKeyStore" = "not emulated"

>>> parse_expectations('[deviations]\\n"CKS-PAGE-001" = "ignores Limit"\\n').deviations
{'CKS-PAGE-001': 'ignores Limit'}
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conformance.report.outcomes import Outcome, RequirementOutcome
from conformance.report.run import RunRecord
from conformance.spec.botocore_model import kms_operations
from conformance.spec.requirements import registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ExpectationsError(ValueError):
    """The expectations file is unreadable or names something that is not a requirement."""


@dataclass(frozen=True)
class Expectations:
    """Known deviations (requirement -> reason) and missing operations (name -> reason)."""

    deviations: Mapping[str, str] = field(default_factory=dict)
    unsupported: Mapping[str, str] = field(default_factory=dict)


def _reasons(
    table: object, source: str, name: str, known: Collection[str], what: str
) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ExpectationsError(f"{source}: [{name}] must be a table of {what} = reason")
    found: dict[str, str] = {}
    for key, reason in table.items():
        if key not in known:
            raise ExpectationsError(f"{source}: {key!r} is not a {what}")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"{source}: {key} needs a reason (a string)")
        found[key] = reason
    return found


def parse_expectations(text: str, *, source: str = "expectations") -> Expectations:
    """The ``[deviations]`` and ``[unsupported]`` tables; ExpectationsError if invalid."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"{source}: not valid TOML: {error}") from None
    unknown = sorted(set(document) - {"deviations", "unsupported"})
    if unknown:
        raise ExpectationsError(f"{source}: unknown table(s) {unknown}")
    deviations = _reasons(
        document.get("deviations", {}), source, "deviations", registry(), "requirement ID"
    )
    unsupported = _reasons(
        document.get("unsupported", {}), source, "unsupported", kms_operations(), "KMS operation"
    )
    return Expectations(deviations, unsupported)


def load_expectations(path: Path) -> Expectations:
    """Read and parse an expectations file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExpectationsError(f"--expectations {path}: {error.strerror}") from None
    return parse_expectations(text, source=str(path))


def unsupported_operation(item: RequirementOutcome) -> str:
    """The operation an UNSUPPORTED requirement's check lacked (its input reads
    ``<operation>: <the target's words>``)."""
    decisive = item.decisive
    return decisive.input.split(":", 1)[0].split("(", 1)[0].strip() if decisive else ""


@dataclass(frozen=True)
class ExpectationReview:
    """How a run compares with the target's expectations."""

    expected_failures: tuple[str, ...]  # listed and failed: tolerated
    unexpected_failures: tuple[str, ...]  # failed (MUST) or errored, not listed
    now_passing: tuple[str, ...]  # listed but passed: remove them from the file
    unexpected_unsupported: tuple[str, ...] = ()  # missing operations the file does not list
    now_supported: tuple[str, ...] = ()  # listed as missing, yet answered

    @property
    def departures(self) -> list[str]:
        """Every way the run departs from the file, one phrase each (empty: as expected)."""
        return [
            *(f"{rid} failed" for rid in self.unexpected_failures),
            *(f"{rid} passed (listed as a deviation)" for rid in self.now_passing),
            *(f"{op} unsupported" for op in self.unexpected_unsupported),
            *(f"{op} answered (listed as unsupported)" for op in self.now_supported),
        ]


def review(record: RunRecord, expected: Expectations) -> ExpectationReview:
    """Sort the run's failures and gaps into expected and unexpected."""
    deviations = expected.deviations
    bad = (Outcome.FAIL, Outcome.ERROR)
    failed = [r.requirement_id for r in record.requirements if r.outcome in bad]
    passed = {r.requirement_id for r in record.requirements if r.outcome is Outcome.PASS}
    missing = {
        unsupported_operation(r) for r in record.requirements if r.outcome is Outcome.UNSUPPORTED
    }
    judged = {
        operation
        for r in record.requirements
        for c in r.checks
        if c.outcome not in (Outcome.UNSUPPORTED, Outcome.SKIPPED)
        for operation in expected.unsupported
        if c.input.startswith(f"{operation}(")
    }
    return ExpectationReview(
        expected_failures=tuple(rid for rid in failed if rid in deviations),
        unexpected_failures=tuple(rid for rid in failed if rid not in deviations),
        now_passing=tuple(sorted(rid for rid in deviations if rid in passed)),
        unexpected_unsupported=tuple(sorted(missing - set(expected.unsupported) - {""})),
        now_supported=tuple(sorted(judged - missing)),
    )
