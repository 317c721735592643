"""Hypothesis profiles shared by the self-tests and by ``kscheck run`` / ``kscheck certify``.

``ci`` bounds the self-tests; ``quick``, ``default`` and ``thorough`` trade time for depth;
``certify`` is derandomized so that every vendor's proxy gets the very same inputs; ``aws``
keeps real-AWS runs small. No profile prints reproduction blobs (they would carry generated
plaintext) and none keeps an example database, so a run depends only on its seed.

>>> from conformance.profiles import PROFILES, register_profiles
>>> register_profiles()
>>> sorted(PROFILES)
['aws', 'certify', 'ci', 'default', 'quick', 'thorough']
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

_QUIET_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]

#: profile name -> keyword arguments for :class:`hypothesis.settings`.
PROFILES: dict[str, dict[str, Any]] = {
    "ci": {"max_examples": 60, "derandomize": True, "suppress_health_check": _QUIET_HEALTH},
    "quick": {"max_examples": 20, "suppress_health_check": _QUIET_HEALTH},
    "default": {"max_examples": 100, "suppress_health_check": _QUIET_HEALTH},
    "thorough": {"max_examples": 2000, "suppress_health_check": _QUIET_HEALTH},
    "certify": {"max_examples": 30, "derandomize": True, "suppress_health_check": _QUIET_HEALTH},
    "aws": {"max_examples": 10, "suppress_health_check": list(HealthCheck)},
}

#: profile name -> calls each repetition check makes (happy paths repeated, every answer
#: checked): 60 calls miss a defect that shows once in 10 calls with probability 0.9**60,
#: under 0.2 %; ``thorough`` goes to 300 (under 1e-13).
REPETITIONS: dict[str, int] = {
    "ci": 30,
    "quick": 20,
    "default": 60,
    "thorough": 300,
    "certify": 60,
    "aws": 5,
}

#: Settings every profile shares: no deadline (network calls), no database, no blobs.
_COMMON: dict[str, Any] = {"deadline": None, "database": None, "print_blob": False}


def register_profiles() -> None:
    """Register every profile of :data:`PROFILES` with Hypothesis (idempotent)."""
    for name, options in PROFILES.items():
        settings.register_profile(name, **{**_COMMON, **options})


def repetitions(profile: str | None = None) -> int:
    """The calls a repetition check makes under `profile` (default: the loaded one): its
    REPETITIONS entry; a command's variant of a profile, ``certify-derandomized-shrink``,
    counts as ``certify``.

    >>> repetitions("thorough"), repetitions("certify-derandomized-raw")
    (300, 60)
    """
    current = profile or str(getattr(settings, "_current_profile", None) or "default")
    return REPETITIONS.get(current.split("-", 1)[0], REPETITIONS["default"])


def load_profile(name: str) -> None:
    """Register the profiles and load `name`; ValueError names the valid profiles.

    >>> load_profile("ci")
    """
    if name not in PROFILES:
        raise ValueError(f"unknown Hypothesis profile {name!r}; valid: {', '.join(PROFILES)}")
    register_profiles()
    settings.load_profile(name)
