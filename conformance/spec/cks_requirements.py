"""Control-plane requirements (``CKS-<AREA>-NNN``). Filled in by the executable-spec work."""

from __future__ import annotations

from conformance.spec.requirements import Requirement

CKS_REQUIREMENTS: tuple[Requirement, ...] = ()
