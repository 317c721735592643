"""Requirements no check can reach, each with its reason: the honest exceptions to coverage.

Every control-plane requirement must be named by a check under ``conformance/checks/cks``
and reached by it when ``kscheck run`` drives the embedded emulator; the self-tests
(``tests/spec/test_spec_coverage.py``, ``tests/emulator/test_emulator_faults.py``) hold the
suite to that, except for the entries below.

* :data:`MODEL_ONLY`: rules no sequence of API calls can bring about or observe. The model
  still encodes them (and its self-tests exercise them), but no check names them.
* :data:`NOT_REACHED_ON_EMULATOR`: rules a check names and can reach on a target whose
  world allows it, but not on the emulator's scenario.

>>> sorted(MODEL_ONLY)[0]
'CKS-CONNECT-006'
>>> set(MODEL_ONLY) & set(NOT_REACHED_ON_EMULATOR)
set()
"""

from __future__ import annotations

from collections.abc import Mapping

_BACKEND_CHANGES_LATER = (
    "needs a backend that changes after the store exists (Create and Update refuse such a "
    "backend up front, so no API call leads there); the suite cannot break a target's "
    "backend, and the emulator's scenario is shared by every check"
)

MODEL_ONLY: Mapping[str, str] = {
    "CKS-CONNECT-006": (
        "Connect refused for an inactive or unusable cluster: " + _BACKEND_CHANGES_LATER
    ),
    "CKS-STATE-007": (
        "a CONNECTED store stays CONNECTED when its backend breaks: " + _BACKEND_CHANGES_LATER
    ),
    "CKS-KEY-005": (
        "CreateKey refused for a cluster below two HSMs in two AZs: " + _BACKEND_CHANGES_LATER
    ),
    "CKS-SECRET-003": (
        "about the suite's own output, not the target: secrets are redacted in every repr, "
        "report and console line kscheck prints; tests/emulator/test_emulator_faults.py plants "
        "secrets in real runs and scans every report for them"
    ),
}
"""Requirement ID -> why no check against a target can reach it."""

NOT_REACHED_ON_EMULATOR: Mapping[str, str] = {}
"""Requirement ID -> why the check naming it cannot reach it on the emulator's scenario."""
