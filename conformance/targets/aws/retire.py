"""Retiring a store: Disconnect, wait until DISCONNECTED, Delete; and waiting until deleted
stores are no longer listed, so the next check is not fooled by Describe's lag (digest §9).

Used by the target's cleanup (its own stores) and by ``kscheck sweep`` (leftovers).

>>> HOLDS_KEYS.split(";")[0]
'holds KMS keys'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.targets.aws.listing import list_stores
from conformance.targets.timing import NOT_FOUND, Call, Timing, described_store, wait_for_state

HOLDS_KEYS = "holds KMS keys; deletable once their 7-30 day waiting period ends"
INVALID_STATE = "CustomKeyStoreInvalidStateException"
HAS_KEYS = "CustomKeyStoreHasCMKsException"
NEEDS_DISCONNECT = frozenset({"CONNECTED", "CONNECTING", "FAILED"})


@dataclass(frozen=True)
class Retirement:
    """What became of one store: `gone`, or why it is left (`detail`)."""

    store_id: str
    gone: bool
    detail: str
    holds_keys: bool = False


@dataclass
class Retirer:
    """Retires stores through `call` (a paced, retried sender) with `timing`."""

    call: Call
    timing: Timing
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def retire(self, store_id: str) -> Retirement:
        """Disconnect (if needed), settle, Delete; NotFound counts as gone."""
        entry = self._visible(store_id)
        if entry is None:
            return Retirement(store_id, True, "not found")
        state = str(entry.get("ConnectionState", ""))
        if state in NEEDS_DISCONNECT:
            self.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
        settled = self._until_disconnected(store_id)
        if settled is None:
            return Retirement(store_id, True, "not found")
        if settled != "DISCONNECTED":
            return Retirement(store_id, False, f"still {settled}; Delete needs DISCONNECTED")
        return self._delete(store_id)

    def _until_disconnected(self, store_id: str) -> str | None:
        """The store's state once DISCONNECTED (None: gone), polling past Describe's lag;
        the last state seen when the DISCONNECTING deadline plus the window passed."""
        limit = self.timing.disconnect_deadline + self.timing.visibility_seconds
        wanted = frozenset({None, "DISCONNECTED"})
        return wait_for_state(
            self.call, store_id, wanted, limit, self.timing.poll_seconds,
            clock=self.clock, sleep=self.sleep,
        )  # fmt: skip

    def _visible(self, store_id: str) -> Mapping[str, Any] | None:
        """The store's entry; a NotFound is re-asked for the visibility window (a store
        created a moment ago may not be listed yet)."""
        started = self.clock()
        while True:
            entry = described_store(self.call, store_id)
            if entry is not None or self.clock() - started >= self.timing.visibility_seconds:
                return entry
            self.sleep(self.timing.poll_seconds)

    def _delete(self, store_id: str) -> Retirement:
        started = self.clock()
        while True:
            deleted = self.call("DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})
            if deleted.succeeded or deleted.error_code == NOT_FOUND:
                return Retirement(store_id, True, "deleted")
            if deleted.error_code == HAS_KEYS:
                return Retirement(store_id, False, HOLDS_KEYS, holds_keys=True)
            lagging = deleted.error_code == INVALID_STATE  # DISCONNECTED not yet visible there
            if not lagging or self.clock() - started >= self.timing.visibility_seconds:
                return Retirement(store_id, False, f"Delete answered {deleted.describe()}")
            self.sleep(self.timing.poll_seconds)

    def wait_until_unlisted(self, store_ids: Collection[str]) -> set[str]:
        """Poll the listing until none of `store_ids` is in it (up to the visibility
        window); returns those still listed."""
        started = self.clock()
        while True:
            listed = {str(e.get("CustomKeyStoreId")) for e in list_stores(self.call)}
            still = listed & set(store_ids)
            if not still or self.clock() - started >= self.timing.visibility_seconds:
                return still
            self.sleep(self.timing.poll_seconds)
