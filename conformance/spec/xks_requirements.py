"""XKS proxy API requirements (``XKS-<AREA>-NNN``). Filled in by the certification work."""

from __future__ import annotations

from conformance.spec.requirements import Requirement

XKS_REQUIREMENTS: tuple[Requirement, ...] = ()
