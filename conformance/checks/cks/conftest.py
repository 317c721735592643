"""Fixtures of the control-plane checks.

``kscheck run`` puts a prepared target in the pytest stash; run directly with pytest the
checks start the embedded emulator (``KSCHECK_CKS_TARGET`` names another target).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance.checks.cks.account import refresh_known_stores, seeded_model
from conformance.checks.cks.inputs import BackendInputs
from conformance.model import ReferenceModel
from conformance.pytest_plugin import PREPARED_TARGET_KEY
from conformance.report.outcomes import UnsupportedByTarget
from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS
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


#: What a check needs when it declares nothing: the six custom key store operations.
STORE_OPERATIONS = CUSTOM_KEY_STORE_OPERATIONS


def needed_operations(node: pytest.Item) -> tuple[str, ...]:
    """The operations a check declares with ``@pytest.mark.operations(...)`` (innermost mark
    first), else :data:`STORE_OPERATIONS`."""
    marker = node.get_closest_marker("operations")
    return tuple(str(a) for a in marker.args) if marker is not None else STORE_OPERATIONS


@pytest.fixture
def supported(prepared: PreparedTarget, request: pytest.FixtureRequest) -> PreparedTarget:
    """The target, or UNSUPPORTED for this check when an operation it needs is known to be
    missing (learnt from earlier answers; nothing is probed up front, so a target's other
    operations are still judged)."""
    ledger = getattr(prepared.target, "support", None)
    if ledger is not None:
        missing = ledger.first_missing(needed_operations(request.node))
        if missing is not None:
            operation, reason = missing
            raise UnsupportedByTarget(
                "CKS-DESCRIBE-001", f"{operation}: {reason}", whole_check=True
            )
    return prepared


@pytest.fixture
def fresh(supported: PreparedTarget) -> PreparedTarget:
    """The target emptied (where it can be) before the check."""
    reset = getattr(supported.target, "reset", None)
    if reset is not None:
        reset()
    refresh_known_stores(supported)
    return supported


@pytest.fixture
def model(fresh: PreparedTarget) -> ReferenceModel:
    """A reference model of an empty account in the target's world."""
    return seeded_model(fresh)


@pytest.fixture
def inputs(fresh: PreparedTarget) -> BackendInputs:
    """Requests that use the target's backends; skips when the target has none."""
    if fresh.backends is None:
        pytest.skip("needs backends (healthy proxies, VPC services, clusters): give a world file")
    return BackendInputs(fresh.backends)


@pytest.fixture
def inputs_if_any(fresh: PreparedTarget) -> BackendInputs | None:
    """The backends' requests when the target has backends, else None (the check then
    builds requests that need none)."""
    return BackendInputs(fresh.backends) if fresh.backends is not None else None
