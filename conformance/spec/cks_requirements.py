"""Control-plane requirements (``CKS-<AREA>-NNN``), aggregated from their area modules.

>>> len({r.id for r in CKS_REQUIREMENTS}) == len(CKS_REQUIREMENTS)
True
"""

from __future__ import annotations

from conformance.spec.cks_requirements_lifecycle import LIFECYCLE_REQUIREMENTS
from conformance.spec.cks_requirements_shapes import ERR_REQUIREMENTS, SHAPE_REQUIREMENTS
from conformance.spec.cks_requirements_stores import STORE_REQUIREMENTS
from conformance.spec.cks_requirements_update import UPDATE_REQUIREMENTS
from conformance.spec.requirements import Requirement

CKS_REQUIREMENTS: tuple[Requirement, ...] = (
    *SHAPE_REQUIREMENTS,
    *ERR_REQUIREMENTS,
    *STORE_REQUIREMENTS,
    *UPDATE_REQUIREMENTS,
    *LIFECYCLE_REQUIREMENTS,
)
