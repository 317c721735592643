"""`ReferenceModel`: one method per operation, taking the request dict exactly as boto3 sends it.

Each method returns an :class:`Expectation` (the set of acceptable outcomes) without changing
state. To move on, either tell the model what the target chose (:meth:`ReferenceModel.apply`)
or let the model choose itself (:meth:`ReferenceModel.execute`). Transient states settle only
when asked (:meth:`ReferenceModel.settle`): the model has no clock.

>>> from conformance.model import ReferenceModel, World, XksProxy
>>> m = ReferenceModel(World(proxies=(XksProxy("https://xks.example.com", "/kms/xks/v1"),)))
>>> cred = {"AccessKeyId": "A" * 20, "RawSecretAccessKey": "s" * 43}
>>> out = m.execute("CreateCustomKeyStore", {
...     "CustomKeyStoreName": "s1", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
...     "XksProxyConnectivity": "PUBLIC_ENDPOINT",
...     "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1",
...     "XksProxyAuthenticationCredential": cred})
>>> out.response["CustomKeyStoreId"]
'cks-00000000000000001'
>>> m.connect_custom_key_store({"CustomKeyStoreId": "cks-00000000000000001"}).describe()
'success'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from conformance.model import create, describe, keys, lifecycle, seeding, transient, update
from conformance.model.outcomes import Expectation, Outcome
from conformance.model.records import KeyRecord, Settlement, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.uniqueness import STORE_QUOTA
from conformance.model.world import World

Planner = Callable[[World, ModelState, object, bool], Plan]

PLANNERS: Mapping[str, Planner] = {
    "CreateCustomKeyStore": create.plan_create,
    "DescribeCustomKeyStores": describe.plan_describe,
    "UpdateCustomKeyStore": update.plan_update,
    "ConnectCustomKeyStore": lifecycle.plan_connect,
    "DisconnectCustomKeyStore": lifecycle.plan_disconnect,
    "DeleteCustomKeyStore": lifecycle.plan_delete,
    "CreateKey": keys.plan_create_key,
    "ScheduleKeyDeletion": keys.plan_schedule_key_deletion,
    "DescribeKey": keys.plan_describe_key,
}
"""The operations the model predicts, by botocore operation name."""


class OutcomeNotAllowedError(ValueError):
    """`apply` was told of an outcome the prediction does not allow; state is unchanged."""

    def __init__(self, operation: str, expectation: Expectation, observed: Outcome) -> None:
        self.operation = operation
        self.expectation = expectation
        self.observed = observed
        reasons = "; ".join(str(m) for m in expectation.mismatches(observed))
        super().__init__(f"{operation}: {reasons}")


def operation_name(name: str) -> str:
    """``create_custom_key_store`` or ``CreateCustomKeyStore`` -> ``CreateCustomKeyStore``.

    >>> operation_name("describe_custom_key_stores")
    'DescribeCustomKeyStores'
    """
    if "_" in name or name.islower():
        name = "".join(part.capitalize() for part in name.split("_"))
    if name not in PLANNERS:
        raise KeyError(f"the reference model does not predict operation {name!r}")
    return name


class ReferenceModel:
    """The executable spec of the custom key store control plane, for one account and Region.

    `client_validation=False` models ``Config(parameter_validation=False)`` (OQ-10): the
    server layer then sees requests botocore would have refused. `store_quota` is the
    account's custom key store quota (default :data:`STORE_QUOTA`; adjustable, OQ-32): a
    setting of the account's KMS, not of the backends the :class:`World` describes, so one
    World serves accounts with different quotas.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        client_validation: bool = True,
        store_quota: int = STORE_QUOTA,
    ) -> None:
        if isinstance(store_quota, bool) or not isinstance(store_quota, int) or store_quota < 0:
            raise ValueError(f"store_quota must be a whole number >= 0, got {store_quota!r}")
        self.world = world if world is not None else World()
        self.client_validation = client_validation
        self._state = ModelState(store_quota=store_quota)

    def __repr__(self) -> str:
        quota = "" if self.store_quota == STORE_QUOTA else f", store_quota={self.store_quota!r}"
        return (
            f"ReferenceModel({self.world!r}, client_validation={self.client_validation!r}{quota})"
        )

    @property
    def store_quota(self) -> int:
        """The account's custom key store quota the Create rule counts against (OQ-32)."""
        return self._state.store_quota

    def seed(self, entries: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
        """Take the stores that existed before the run, as DescribeCustomKeyStores listed them
        (boto3 entry dicts, e.g. every page's ``CustomKeyStores``); returns their IDs.

        They become read-only pre-existing records under the target's IDs: listed by
        Describe and judged there for presence and shape only (their owner may change them,
        OQ-33), counted in the quota and in name/endpoint/service/cluster uniqueness. Raises
        ValueError (naming the entry and member, state unchanged) for an entry without its
        ID, name or proxy configuration, or whose ID the model already holds.
        """
        found = list(entries)
        records: list[StoreRecord] = []
        for index, entry in enumerate(found):
            tick = index - len(found)  # before every store of the run, in the given order
            record = seeding.seeded_record(entry, tick, f"seed entry {index}")
            if record.store_id in self._state.stores or record.store_id in {
                r.store_id for r in records
            }:
                raise ValueError(
                    f"seed entry {index}: CustomKeyStoreId {record.store_id!r} is already known"
                )
            records.append(record)
        for record in records:
            self._state.stores[record.store_id] = record
        return tuple(r.store_id for r in records)

    # -- predictions (pure) -------------------------------------------------------------
    def plan(self, operation: str, request: object, *, as_last_seen: bool = False) -> Plan:
        """The expectation and effects of `operation` on `request` (no state change).

        When the request names a store last seen CONNECTING or DISCONNECTING, the plan covers
        that state and every way it may have settled meanwhile (OQ-29, :mod:`transient`);
        `as_last_seen=True` plans on the store exactly as last seen (the state table itself).
        """
        name = operation_name(operation)
        planner = PLANNERS[name]
        store = None if as_last_seen else transient.transient_store(self._state, name, request)
        if store is None:
            return planner(self.world, self._state, request, self.client_validation)
        return transient.plan_across_settlements(
            planner, self.world, self._state, store, request, self.client_validation
        )

    def predict(
        self, operation: str, request: object, *, as_last_seen: bool = False
    ) -> Expectation:
        """The set of acceptable outcomes of `operation` on `request` (no state change)."""
        return self.plan(operation, request, as_last_seen=as_last_seen).expectation

    def create_custom_key_store(self, request: object) -> Expectation:
        """Predict CreateCustomKeyStore."""
        return self.predict("CreateCustomKeyStore", request)

    def describe_custom_key_stores(self, request: object = None) -> Expectation:
        """Predict DescribeCustomKeyStores (``None`` means no members)."""
        return self.predict("DescribeCustomKeyStores", {} if request is None else request)

    def update_custom_key_store(self, request: object) -> Expectation:
        """Predict UpdateCustomKeyStore."""
        return self.predict("UpdateCustomKeyStore", request)

    def connect_custom_key_store(self, request: object) -> Expectation:
        """Predict ConnectCustomKeyStore."""
        return self.predict("ConnectCustomKeyStore", request)

    def disconnect_custom_key_store(self, request: object) -> Expectation:
        """Predict DisconnectCustomKeyStore."""
        return self.predict("DisconnectCustomKeyStore", request)

    def delete_custom_key_store(self, request: object) -> Expectation:
        """Predict DeleteCustomKeyStore."""
        return self.predict("DeleteCustomKeyStore", request)

    def create_key(self, request: object) -> Expectation:
        """Predict CreateKey (custom key store aspects only)."""
        return self.predict("CreateKey", request)

    def schedule_key_deletion(self, request: object) -> Expectation:
        """Predict ScheduleKeyDeletion."""
        return self.predict("ScheduleKeyDeletion", request)

    def describe_key(self, request: object) -> Expectation:
        """Predict DescribeKey (the key state of keys in custom key stores)."""
        return self.predict("DescribeKey", request)

    # -- moving on ------------------------------------------------------------------------
    def apply(self, operation: str, request: object, observed: Outcome) -> Expectation:
        """Follow a target: check `observed` is acceptable, then apply its effect.

        Raises OutcomeNotAllowedError (state unchanged) when it is not acceptable.
        Target-chosen IDs (``CustomKeyStoreId``, ``KeyMetadata.KeyId``) are adopted.
        """
        plan = self.plan(operation, request)
        if not plan.expectation.accepts(observed):
            raise OutcomeNotAllowedError(operation_name(operation), plan.expectation, observed)
        if observed.succeeded:
            plan.on_success(self._state, observed)
        else:
            plan.on_failure(self._state, observed)
        return plan.expectation

    def execute(self, operation: str, request: object) -> Outcome:
        """Act as the target: pick the canonical acceptable outcome and apply it.

        Success when allowed (with model-chosen IDs and responses), else
        ``ValidationException`` when allowed, else the alphabetically first error. As a
        target the model has no clock: a transient store stays as it is until settled.
        """
        plan = self.plan(operation, request, as_last_seen=True)
        error = plan.expectation.canonical_error()
        if error is not None:
            return Outcome.failure(error)
        outcome = Outcome.success(self._respond(operation_name(operation), request))
        plan.on_success(self._state, outcome)
        return outcome

    def _respond(self, operation: str, request: object) -> dict[str, Any]:
        if operation == "CreateCustomKeyStore":
            return {"CustomKeyStoreId": self._state.allocate_store_id()}
        if operation == "DescribeCustomKeyStores":
            return describe.respond(self._state, request, self.world)
        if operation == "CreateKey":
            return keys.respond_create_key(self._state, request)
        if operation == "ScheduleKeyDeletion":
            return keys.respond_schedule_key_deletion(self._state, request)
        if operation == "DescribeKey":
            return keys.respond_describe_key(self._state, request)
        return {}

    # -- time, made explicit ---------------------------------------------------------------
    def settlements(self, store_id: str) -> frozenset[Settlement]:
        """How the transient state of `store_id` may end (empty when not transient)."""
        return self._state.stores[store_id].settlements

    def settle(self, store_id: str, settlement: Settlement | None = None) -> Settlement:
        """End a CONNECTING/DISCONNECTING state: as observed, or the canonical settlement."""
        return lifecycle.settle(self._state, store_id, settlement)

    def settle_all(self) -> None:
        """Settle every transient store canonically."""
        for store_id, store in list(self._state.stores.items()):
            if store.settlements:
                self.settle(store_id)

    def complete_key_deletion(self, key_id: str) -> None:
        """The waiting period of a PendingDeletion key ends: the key disappears."""
        keys.complete_deletion(self._state, key_id)

    def set_world(self, world: World) -> None:
        """Change the world (a proxy breaks, a cluster goes inactive); CONNECTED stays sticky."""
        self.world = world

    # -- views --------------------------------------------------------------------------
    def snapshot(self) -> ModelState:
        """An independent copy of the account as it stands (for a lagging view later)."""
        return self._state.snapshot()

    def as_of(self, state: ModelState) -> ReferenceModel:
        """A model of the same world holding a copy of `state`, e.g. an earlier
        :meth:`snapshot` (an emulator's stale read answers from it)."""
        view = ReferenceModel(
            self.world, client_validation=self.client_validation, store_quota=self.store_quota
        )
        view._state = state.snapshot()
        return view

    def adopt_markers(self, other: ReferenceModel) -> None:
        """Take the Describe markers `other` issued (a view answering a page of Describe)."""
        self._state.markers.update(other._state.markers)

    @property
    def stores(self) -> Mapping[str, StoreRecord]:
        """The stores the model holds, by ID."""
        return dict(self._state.stores)

    @property
    def keys(self) -> Mapping[str, KeyRecord]:
        """The KMS keys in custom key stores the model holds, by ID."""
        return dict(self._state.keys)

    def key_state(self, key_id: str) -> str:
        """A key's state as DescribeKey would show it (``Unavailable`` if its store is down)."""
        return keys.effective_key_state(self._state, self._state.keys[key_id])

    def store_named(self, name: str) -> StoreRecord | None:
        """The store with exactly this name, or None."""
        return next((s for s in self._state.stores.values() if s.name == name), None)
