"""Fixtures of the control-plane checks.

``kscheck run`` puts a prepared target in the pytest stash; run directly with pytest the
checks start the embedded emulator (``KSCHECK_CKS_TARGET`` names another target).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance.checks.cks.inputs import ScenarioInputs
from conformance.model import ReferenceModel
from conformance.pytest_plugin import PREPARED_TARGET_KEY
from conformance.report.outcomes import UnsupportedByTarget
from conformance.targets.factory import PreparedTarget, prepare_target


@pytest.fixture(scope="session")
def prepared(request: pytest.FixtureRequest) -> Iterator[PreparedTarget]:
    """The target under test and the world the checker assumes for it."""
    given = request.config.stash.get(PREPARED_TARGET_KEY, None)
    if given is not None:
        yield given
        return
    with prepare_target(os.environ.get("KSCHECK_CKS_TARGET", "emulator")) as made:
        yield made


_SUPPORT_PROBE = "DescribeCustomKeyStores"


@pytest.fixture(scope="session")
def unsupported_reason(prepared: PreparedTarget) -> str | None:
    """Why the target does not implement custom key stores (None: it does).

    One Describe tells: moto raises NotImplementedError, moto server answers 500 with HTML,
    others 501 or InvalidAction. Asked once, so an unsupporting target costs one request.
    """
    observation = prepared.call(_SUPPORT_PROBE, {})
    return observation.unsupported_reason


@pytest.fixture
def supported(prepared: PreparedTarget, unsupported_reason: str | None) -> PreparedTarget:
    """The target, or UNSUPPORTED for every check when it has no custom key stores."""
    if unsupported_reason is not None:
        raise UnsupportedByTarget(
            "CKS-DESCRIBE-001", f"{_SUPPORT_PROBE}: {unsupported_reason}", whole_check=True
        )
    return prepared


@pytest.fixture
def fresh(supported: PreparedTarget) -> PreparedTarget:
    """The target emptied (where it can be) before the check."""
    reset = getattr(supported.target, "reset", None)
    if reset is not None:
        reset()
    return supported


@pytest.fixture
def model(fresh: PreparedTarget) -> ReferenceModel:
    """A reference model of an empty account in the target's world."""
    return ReferenceModel(fresh.world)


@pytest.fixture
def inputs(fresh: PreparedTarget) -> ScenarioInputs:
    """Requests that use the scenario's backends; skips when the target has none."""
    if fresh.scenario is None:
        pytest.skip("needs the scenario's backends (healthy proxies, VPC services, clusters)")
    return ScenarioInputs(fresh.scenario)
