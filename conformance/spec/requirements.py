"""The requirement registry: one entry per rule, with a stable ID, level, source and paraphrase.

Control-plane rules live in :mod:`conformance.spec.cks_requirements` (``CKS-<AREA>-NNN``),
XKS proxy rules in :mod:`conformance.spec.xks_requirements` (``XKS-<AREA>-NNN``).

>>> from conformance.spec.requirements import Level, Requirement
>>> r = Requirement("CKS-DEMO-001", Level.MUST, "botocore: AccountIdType", "An owner is 12 digits.")
>>> r.id, r.level.value
('CKS-DEMO-001', 'MUST')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

REQUIREMENT_ID = re.compile(r"(CKS|XKS)-[A-Z0-9]+-\d{3}", re.ASCII)


class Level(str, Enum):
    """How strongly the spec asks for a rule (RFC 2119 words)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class UnknownRequirementError(KeyError):
    """A requirement ID that the registry does not hold."""


@dataclass(frozen=True)
class Requirement:
    """One rule of the spec.

    `members` names the botocore members the rule is about, as ``Operation.Member`` or
    ``Operation.Member.Nested`` for inputs and ``Operation:output.Member`` for outputs;
    the drift guard checks these against botocore. `open_questions` lists OQ-n numbers
    of the spec digest where the rule's outcome is a set rather than one answer.
    """

    id: str
    level: Level
    source: str
    summary: str
    members: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if REQUIREMENT_ID.fullmatch(self.id) is None:
            raise ValueError(f"requirement id {self.id!r} is not CKS-<AREA>-NNN or XKS-<AREA>-NNN")
        if not self.summary or not self.source:
            raise ValueError(f"requirement {self.id} needs a source and a summary")

    @property
    def area(self) -> str:
        """The AREA part of the ID (e.g. ``AUTH`` for ``XKS-AUTH-003``)."""
        return self.id.split("-")[1]


def index_requirements(requirements: Iterable[Requirement]) -> Mapping[str, Requirement]:
    """Index requirements by ID, refusing duplicates."""
    indexed: dict[str, Requirement] = {}
    for requirement in requirements:
        if requirement.id in indexed:
            raise ValueError(f"requirement id {requirement.id} is registered twice")
        indexed[requirement.id] = requirement
    return indexed


@functools.lru_cache(maxsize=1)
def registry() -> Mapping[str, Requirement]:
    """Every registered requirement, control plane and XKS proxy, by ID."""
    from conformance.spec.cks_requirements import CKS_REQUIREMENTS
    from conformance.spec.xks_requirements import XKS_REQUIREMENTS

    return index_requirements((*CKS_REQUIREMENTS, *XKS_REQUIREMENTS))


def requirement(requirement_id: str) -> Requirement:
    """The requirement with this ID; UnknownRequirementError if there is none."""
    try:
        return registry()[requirement_id]
    except KeyError:
        raise UnknownRequirementError(requirement_id) from None
