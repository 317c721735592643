"""How long a target takes: polling interval, settle deadlines, read-after-write window.

>>> INSTANT.visibility_seconds
0.0
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Timing of one target (seconds)."""

    poll_seconds: float = 0.05
    connect_deadline_xks: float = 10.0
    connect_deadline_hsm: float = 10.0
    disconnect_deadline: float = 10.0
    visibility_seconds: float = 0.0


INSTANT = Timing()
