"""The model's mutable memory and the plan type that operation rules return.

An operation rule is a pure function ``(world, state, request) -> Plan``: the expectation
plus the effect to apply when the target (or the model itself) chose success.

>>> s = ModelState()
>>> s.allocate_store_id()
'cks-00000000000000001'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.model.outcomes import Expectation, Outcome
from conformance.model.records import KeyRecord, StoreRecord, key_id_for, store_id_for
from conformance.model.uniqueness import STORE_QUOTA


@dataclass
class ModelState:
    """Stores, keys, counters and issued Describe markers of one account and Region, and the
    account's store quota (a setting of the account, OQ-32)."""

    stores: dict[str, StoreRecord] = field(default_factory=dict)
    keys: dict[str, KeyRecord] = field(default_factory=dict)
    next_store: int = 1
    next_key: int = 1
    tick: int = 0
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    store_quota: int = STORE_QUOTA

    def allocate_store_id(self) -> str:
        """The next model-chosen store ID (not yet used by any store)."""
        while store_id_for(self.next_store) in self.stores:
            self.next_store += 1
        return store_id_for(self.next_store)

    def allocate_key_id(self) -> str:
        """The next model-chosen KMS key ID."""
        while key_id_for(self.next_key) in self.keys:
            self.next_key += 1
        return key_id_for(self.next_key)

    def next_tick(self) -> int:
        """Advance the logical clock (the model has no wall clock)."""
        self.tick += 1
        return self.tick

    def keys_in(self, store_id: str) -> tuple[KeyRecord, ...]:
        """The KMS keys of a store, PendingDeletion included."""
        return tuple(k for k in self.keys.values() if k.store_id == store_id)

    def snapshot(self) -> ModelState:
        """An independent copy (records are frozen, so a shallow dict copy suffices)."""
        return ModelState(
            dict(self.stores),
            dict(self.keys),
            self.next_store,
            self.next_key,
            self.tick,
            dict(self.markers),
            self.store_quota,
        )


Effect = Callable[[ModelState, Outcome], None]
"""What a successful outcome does to the state (errors never change state)."""


def no_effect(state: ModelState, outcome: Outcome) -> None:
    """The effect of a read-only or refused call."""


@dataclass(frozen=True)
class Plan:
    """An expectation, the effect of its success branch, and what an observed error teaches
    (errors change no store, but one may show that a transient store has settled, OQ-29)."""

    expectation: Expectation
    on_success: Effect = no_effect
    on_failure: Effect = no_effect
