"""How long a target takes to settle, and a helper that waits for it (digest §9).

On AWS, Connect and Disconnect only *start* a transition (CONNECTING, DISCONNECTING) and a
change may take a while to be visible. :class:`Timing` holds the poll interval, the
per-store-type deadlines and the read-after-write window; :func:`wait_until_settled` polls
Describe by ID until the store leaves its transient state.

>>> Timing.aws().connect_deadline("AWS_CLOUDHSM"), Timing.emulator().visibility_seconds
(1800.0, 0.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.targets.observation import Observation

TRANSIENT_STATES = frozenset({"CONNECTING", "DISCONNECTING"})
NOT_FOUND = "CustomKeyStoreNotFoundException"

Call = Callable[[str, Mapping[str, Any]], Observation]
"""Sends one operation and observes it (a target's ``call``)."""


@dataclass(frozen=True)
class Timing:
    """Seconds: Describe poll interval, CONNECTING deadlines per store type, DISCONNECTING
    deadline, and how long a change may take to become visible (read-after-write)."""

    poll_seconds: float
    connect_deadline_xks: float
    connect_deadline_hsm: float
    disconnect_deadline: float
    visibility_seconds: float

    @classmethod
    def aws(cls) -> Timing:
        """Digest §9: poll every 10-15 s; XKS connects within 10 min, CloudHSM within 30;
        DISCONNECTING ends within 10 min; changes visible within 60 s."""
        return cls(12.0, 600.0, 1800.0, 600.0, 60.0)

    @classmethod
    def emulator(cls) -> Timing:
        """The embedded emulator settles at once: short polls, short deadlines, no lag."""
        return cls(0.05, 10.0, 10.0, 10.0, 0.0)

    def connect_deadline(self, store_type: str | None) -> float:
        """The CONNECTING deadline for a store type (CloudHSM's is the longer one)."""
        if store_type == "AWS_CLOUDHSM":
            return self.connect_deadline_hsm
        return self.connect_deadline_xks

    def deadline_for(self, state: str, store_type: str | None) -> float:
        """How long `state` may last before the store is declared stuck."""
        if state == "CONNECTING":
            return self.connect_deadline(store_type)
        return self.disconnect_deadline


class SettleError(RuntimeError):
    """Describe by ID answered something other than the store or NotFound."""


def described_store(call: Call, store_id: str) -> Mapping[str, Any] | None:
    """The store's Describe entry, or None when Describe answers NotFound."""
    seen = call("DescribeCustomKeyStores", {"CustomKeyStoreId": store_id})
    if seen.error_code == NOT_FOUND:
        return None
    if not seen.succeeded:
        raise SettleError(f"Describe {store_id}: {seen.describe()}")
    entries = (seen.response or {}).get("CustomKeyStores") or []
    return next((e for e in entries if e.get("CustomKeyStoreId") == store_id), None)


def wait_until_settled(
    call: Call,
    store_id: str,
    timing: Timing,
    store_type: str | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Poll Describe by ID until the store is in no transient state; returns that state,
    None once the store is gone, or the transient state itself when its deadline passed.

    `store_type` (default: read from the entry) picks the CONNECTING deadline.
    """
    started = clock()
    limit = 0.0
    while True:
        entry = described_store(call, store_id)
        if entry is None:
            return None
        state = str(entry.get("ConnectionState", ""))
        if state not in TRANSIENT_STATES:
            return state
        kind = store_type or entry.get("CustomKeyStoreType")
        limit = max(limit, timing.deadline_for(state, kind))
        if clock() - started >= limit:
            return state
        sleep(timing.poll_seconds)


def wait_for_state(
    call: Call,
    store_id: str,
    wanted: frozenset[str | None],
    limit: float,
    poll_seconds: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Poll Describe by ID until the store's state is one of `wanted` (None: gone), for at
    most `limit` seconds; returns the last state seen. Unlike :func:`wait_until_settled`,
    a settled state that is not wanted is not an answer: a lagging Describe may still show
    the store as it was before a Connect or Disconnect, or not list a new one yet."""
    started = clock()
    while True:
        entry = described_store(call, store_id)
        state = None if entry is None else str(entry.get("ConnectionState", ""))
        if state in wanted or clock() - started >= limit:
            return state
        sleep(poll_seconds)
