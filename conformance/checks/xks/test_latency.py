"""Latency and load: percentiles per operation against KMS's 250 ms budget, keep-alive,
and a bounded burst that must be answered with 200 or 429, never a timeout or a 5xx.

Every loop here is bounded by a request count and a wall-clock budget, and stops by itself.
Measured figures are recorded with ``record_property("observed", ...)`` for the reports.
"""

from __future__ import annotations

import http.client
import math
import queue
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import health_body, metadata_body
from conformance.checks.xks.flows import decrypt, encrypt, encrypt_for_setup, key_suffix
from conformance.checks.xks.wire import (
    Exchange,
    XksWire,
    http11_connection,
    signed_health_request,
)
from conformance.report.evidence import reached
from conformance.report.outcomes import RequirementViolation
from conformance.spec.xks_protocol import KMS_TIMEOUT_SECONDS, RECOMMENDED_LATENCY_SECONDS
from conformance.targets.xks import XksTarget

SAMPLES_PER_OPERATION = 100
MEASURE_BUDGET_SECONDS = 20.0
BURST_REQUESTS = 160
BURST_CONCURRENCY = 8
BURST_BUDGET_SECONDS = 10.0
BURST_TIMEOUT_SECONDS = 2.0
KEEPALIVE_REQUESTS = 5
RTT_PROBES = 5

Record = Callable[[str, object], None]


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `samples` (fraction in 0..1)."""
    ordered = sorted(samples)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _operations(wire: XksWire) -> dict[str, Callable[[], Exchange]]:
    key = wire.target.key_id
    sealed = encrypt_for_setup(wire, key, generators.TC_PLAINTEXT_2)
    return {
        "health": lambda: wire.post("health", health_body()),
        "metadata": lambda: wire.post(key_suffix(key, "metadata"), metadata_body()),
        "encrypt": lambda: encrypt(wire, key, generators.TC_PLAINTEXT_2, generators.TC_AAD_1),
        "decrypt": lambda: decrypt(wire, key, sealed),
    }


def network_round_trip(target: XksTarget) -> float:
    """This machine's network round trip to the proxy: the fastest of a few TCP connects
    (0 when none succeeds). Bounded: RTT_PROBES connects of at most 2 s each."""
    best = math.inf
    for _ in range(RTT_PROBES):
        started = time.perf_counter()
        try:
            socket.create_connection((target.host, target.port), timeout=2.0).close()
        except OSError:
            continue
        best = min(best, time.perf_counter() - started)
    return 0.0 if best == math.inf else best


@pytest.fixture(scope="module")
def network_rtt(xks_target: XksTarget) -> float:
    """The round trip to subtract: KMS calls the proxy from its own region, so a vendor
    certifying from far away must not fail the 250 ms budget on this machine's distance."""
    return network_round_trip(xks_target)


@pytest.fixture(scope="module")
def latencies(wire: XksWire, network_rtt: float) -> dict[str, list[float]]:
    """Sequential round-trip times per operation over one keep-alive connection, minus
    this machine's network round trip; an operation stops early once more than 1% of its
    samples blew the 250 ms budget."""
    measured: dict[str, list[float]] = {}
    started = time.monotonic()
    allowed_slow = SAMPLES_PER_OPERATION // 100
    for name, call in _operations(wire).items():
        call()  # warm the connection: the handshake is not what KMS pays per call
        samples: list[float] = []
        slow = 0
        while len(samples) < SAMPLES_PER_OPERATION:
            if time.monotonic() - started > MEASURE_BUDGET_SECONDS and samples:
                break
            exchange = call()
            elapsed = max(0.0, exchange.response.elapsed_seconds - network_rtt)
            samples.append(elapsed if exchange.response.status is not None else float("inf"))
            slow += elapsed > KMS_TIMEOUT_SECONDS
            if slow > allowed_slow:
                break
        measured[name] = samples
    return measured


def _summary(measured: dict[str, list[float]], rtt: float) -> str:
    parts = [f"network RTT {rtt * 1000:.1f} ms subtracted"]
    for name, samples in measured.items():
        p50, p95, p99 = (percentile(samples, f) * 1000 for f in (0.50, 0.95, 0.99))
        parts.append(f"{name} p50={p50:.1f} p95={p95:.1f} p99={p99:.1f} ms (n={len(samples)})")
    return "; ".join(parts)


@pytest.mark.requirement("XKS-PERF-001")
def test_p99_latency_of_every_operation_is_under_250_ms(
    latencies: dict[str, list[float]], network_rtt: float, record_property: Record
) -> None:
    record_property("observed", _summary(latencies, network_rtt))
    over = {
        n: percentile(s, 0.99)
        for n, s in latencies.items()
        if percentile(s, 0.99) > KMS_TIMEOUT_SECONDS
    }
    if over:
        raise RequirementViolation(
            "XKS-PERF-001",
            "p99 < 250 ms for every operation",
            _summary(latencies, network_rtt),
            f"sequential keep-alive calls, up to {SAMPLES_PER_OPERATION} per operation",
        )
    reached("XKS-PERF-001")


@pytest.mark.requirement("XKS-PERF-002")
def test_median_latency_of_every_operation_is_within_35_ms(
    latencies: dict[str, list[float]], network_rtt: float, record_property: Record
) -> None:
    record_property("observed", _summary(latencies, network_rtt))
    if any(percentile(s, 0.5) > RECOMMENDED_LATENCY_SECONDS for s in latencies.values()):
        raise RequirementViolation(
            "XKS-PERF-002",
            "p50 <= 35 ms for every operation",
            _summary(latencies, network_rtt),
            "sequential keep-alive calls",
        )
    reached("XKS-PERF-002")


@pytest.mark.requirement("XKS-PERF-003")
def test_connections_are_kept_alive(
    wire: XksWire, xks_target: XksTarget, record_property: Record
) -> None:
    """Sequential calls on one http.client connection: count how often it had to reopen."""
    path, payload, headers = signed_health_request(wire)
    conn = http11_connection(xks_target)
    opened, statuses = 0, list[int | str]()
    try:
        for _ in range(KEEPALIVE_REQUESTS):
            if conn.sock is None:
                opened += 1
            conn.request("POST", path, body=payload, headers=headers)
            reply = conn.getresponse()
            reply.read()
            statuses.append(reply.status)
    except (OSError, http.client.HTTPException) as exc:
        statuses.append(type(exc).__name__)
    finally:
        conn.close()
    observed = f"{opened} connection(s) for {KEEPALIVE_REQUESTS} requests, statuses {statuses}"
    record_property("observed", observed)
    if opened != 1 or statuses != [200] * KEEPALIVE_REQUESTS:
        raise RequirementViolation(
            "XKS-PERF-003",
            f"1 connection serving {KEEPALIVE_REQUESTS} sequential 200s",
            observed,
            f"{KEEPALIVE_REQUESTS} sequential health calls on one HTTP/1.1 connection",
        )
    reached("XKS-PERF-003")


def _warm_connections(target: XksTarget) -> list[XksWire]:
    """Open the burst's connections one at a time, as a client's pool would, beforehand."""
    wires = []
    for _ in range(BURST_CONCURRENCY):
        wire = XksWire(target, timeout=BURST_TIMEOUT_SECONDS)
        wire.post("health", health_body())
        wires.append(wire)
    return wires


@pytest.mark.requirement("XKS-PERF-004")
def test_a_bounded_burst_gets_200_or_429_and_never_times_out(
    xks_target: XksTarget, record_property: Record
) -> None:
    wires = _warm_connections(xks_target)
    idle: queue.SimpleQueue[XksWire] = queue.SimpleQueue()
    for wire in wires:
        idle.put(wire)
    lock = threading.Lock()
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + BURST_BUDGET_SECONDS

    def one(index: int) -> None:
        if time.monotonic() > deadline:
            return
        wire = idle.get()
        try:
            if index % 2:
                exchange = wire.post("health", health_body())
            else:
                exchange = encrypt(wire, xks_target.key_id, generators.TC_PLAINTEXT_2)
        finally:
            idle.put(wire)
        status = exchange.response.status
        throttled = status == 429 and exchange.response.error_name == "ThrottlingException"
        key = str(status) if status == 200 or throttled else exchange.response.describe()[:80]
        with lock:
            outcomes[key] = outcomes.get(key, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(BURST_CONCURRENCY) as pool:
        list(pool.map(one, range(BURST_REQUESTS)))
    took = time.monotonic() - started
    for wire in wires:
        wire.close()
    answered = sum(outcomes.values())
    observed = f"{answered} requests in {took:.2f} s: " + ", ".join(
        f"{k} x{v}" for k, v in sorted(outcomes.items())
    )
    record_property("observed", observed)
    if any(k not in ("200", "429") for k in outcomes):
        raise RequirementViolation(
            "XKS-PERF-004",
            f"HTTP 200 or 429 ThrottlingException within {BURST_TIMEOUT_SECONDS:.0f} s",
            observed,
            f"burst of {BURST_REQUESTS} health/encrypt calls, {BURST_CONCURRENCY} at a time",
        )
    if answered:
        reached("XKS-PERF-004")
