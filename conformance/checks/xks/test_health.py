"""GetHealthStatus: exact schema, every kmsOperation, no secondary authorization, liveness."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.xks.bodies import health_body
from conformance.checks.xks.schemas import health_problem
from conformance.checks.xks.wire import XksWire
from conformance.profiles import repetitions
from conformance.report.evidence import reached
from conformance.spec.xks_protocol import HEALTH_KMS_OPERATIONS
from conformance.targets.xks import XksTarget


@pytest.mark.requirement("XKS-HEALTH-001")
def test_health_answers_with_the_exact_schema(wire: XksWire) -> None:
    exchange = wire.post("health", health_body())
    body = exchange.expect_ok("XKS-HEALTH-001")
    problem = health_problem(body)
    if problem is not None:
        exchange.fail("XKS-HEALTH-001", f"a valid health body ({problem})")
    reached("XKS-HEALTH-001")


@pytest.mark.requirement("XKS-HEALTH-002")
@pytest.mark.parametrize("kms_operation", HEALTH_KMS_OPERATIONS)
def test_health_accepts_every_kms_operation_kms_sends(wire: XksWire, kms_operation: str) -> None:
    wire.post("health", health_body(kms_operation)).expect_ok("XKS-HEALTH-002")


@pytest.mark.requirement("XKS-HEALTH-003")
def test_health_is_never_refused_by_secondary_authorization(wire: XksWire) -> None:
    for kms_operation in HEALTH_KMS_OPERATIONS:
        exchange = wire.post("health", health_body(kms_operation))
        if exchange.response.status == 403 or exchange.response.error_name == (
            "AccessDeniedException"
        ):
            exchange.fail("XKS-HEALTH-003", "no 403 AccessDeniedException on health")
    reached("XKS-HEALTH-003")


@pytest.mark.requirement("XKS-HEALTH-004")
@pytest.mark.parametrize(
    "body",
    [{}, {"requestMetadata": {}}, {"requestMetadata": {"kmsOperation": "KmsHealthCheck"}}],
    ids=["empty-body", "empty-metadata", "no-request-id"],
)
def test_health_without_request_metadata_is_refused(wire: XksWire, body: dict[str, Any]) -> None:
    wire.post("health", body).expect_error("XKS-HEALTH-004", "ValidationException")


def _reported_fleet(body: Any) -> list[tuple[str, str]]:
    entries = body.get("ekmFleetDetails") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        return []
    return sorted(
        (str(e.get("id")), str(e.get("healthStatus"))) for e in entries if isinstance(e, dict)
    )


#: A cached health result may be this old [SPEC §GetHealthStatus]; one more second is let
#: pass before a result that still shows the old fleet counts as stale.
HEALTH_CACHE_ALLOWANCE_SECONDS = 60.0 + 1.0


@pytest.mark.requirement("XKS-HEALTH-005")
def test_health_reflects_a_change_of_the_ekm_fleet(wire: XksWire, xks_target: XksTarget) -> None:
    control = xks_target.ekm_control
    if control is None:
        pytest.skip("the target offers no way to change its EKM fleet state")
    baseline = [dict(entry) for entry in control.baseline]
    changed = [dict(baseline[0], healthStatus="DEGRADED"), *baseline[1:]]
    expected = sorted((e["id"], e["healthStatus"]) for e in changed)
    control.apply(changed)
    try:
        exchange = wire.post("health", health_body(), note="after one EKM became DEGRADED")
        if _reported_fleet(exchange.response.json) != expected:
            # The spec allows a cached result up to 60 s old: let that pass on the proxy's
            # clock (the control moves it; nobody waits a minute) and look again.
            if control.elapse is None:
                pytest.skip(
                    "health did not reflect the change at once; a cache of up to 60 s is "
                    "allowed and the target offers no way to let that time pass"
                )
            control.elapse(HEALTH_CACHE_ALLOWANCE_SECONDS)
            exchange = wire.post(
                "health", health_body(), note="after one EKM became DEGRADED, 61 s later"
            )
    finally:
        control.apply(baseline)
        if control.elapse is not None:
            control.elapse(HEALTH_CACHE_ALLOWANCE_SECONDS)  # later checks see the baseline
    if _reported_fleet(exchange.response.json) != expected:
        exchange.fail("XKS-HEALTH-005", f"ekmFleetDetails reporting {expected}")
    reached("XKS-HEALTH-005")


@pytest.mark.requirement("XKS-HEALTH-001")
def test_every_repeated_health_answer_has_the_exact_schema(wire: XksWire) -> None:
    """Health is polled repeatedly (the profile's repetition count); every answer, not the
    first, is checked against the whole schema."""
    for call in range(repetitions()):
        exchange = wire.post("health", health_body())
        problem = health_problem(exchange.expect_ok("XKS-HEALTH-001"))
        if problem is not None:
            exchange.fail("XKS-HEALTH-001", f"a valid health body on call {call} ({problem})")
