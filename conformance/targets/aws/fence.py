"""The fence for a shared account: what a run may mutate, decided before each request.

* Only the operations the checks send pass; DescribeCustomKeyStores and DescribeKey are
  read-only and always pass.
* A store name in CreateCustomKeyStore or UpdateCustomKeyStore must carry the run prefix.
* A mutating request on a CustomKeyStoreId the run did not create is sent only when that ID
  does not exist (a paced Describe by ID answers NotFound, or the ID is malformed), so a
  NotFound probe still reaches the target but a pre-existing store is never touched. IDs
  seen in Describe listings are remembered as foreign and refused without a probe.
* ScheduleKeyDeletion on a key the run did not create: the same, with DescribeKey.
* CreateKey in a run store that may be connected (a Connect succeeded, no Disconnect since)
  is refused with :class:`KeyWouldPinStoreError`: a key pins its store for at least 7 days.
  Keys go into the fixture store only.

>>> ledger = Ledger()
>>> fence = StoreFence("kscheck-abcd-", ledger, probe_store=None, probe_key=None)
>>> ledger.stores.append("cks-1"); ledger.connected.add("cks-1")
>>> try:
...     fence.check("CreateKey", {"CustomKeyStoreId": "cks-1"})
... except KeyWouldPinStoreError as error:
...     print(type(error).__name__)
KeyWouldPinStoreError
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS
from conformance.targets.aws.account import AwsFenceError
from conformance.targets.aws.names import NAME_MEMBERS
from conformance.targets.observation import PARAM_VALIDATION_ERROR, Observation

FENCED_OPERATIONS = frozenset(
    {*CUSTOM_KEY_STORE_OPERATIONS, "CreateKey", "DescribeKey", "ScheduleKeyDeletion"}
)
"""The only operations the checks send; anything else (DisableKey, ...) is refused."""
READ_ONLY_OPERATIONS = frozenset({"DescribeCustomKeyStores", "DescribeKey"})
#: Answers to a probe that mean "nothing by this ID exists" (a malformed ID names nothing).
ABSENT_STORE = frozenset(
    {"CustomKeyStoreNotFoundException", "ValidationException", PARAM_VALIDATION_ERROR}
)
ABSENT_KEY = frozenset(
    {"NotFoundException", "ValidationException", "InvalidArnException", PARAM_VALIDATION_ERROR}
)

Probe = Callable[[str], Observation]


class KeyWouldPinStoreError(AwsFenceError):
    """CreateKey in a run store that may be connected: the key would pin the store (it
    cannot be deleted before the key's 7-30 day waiting period ends)."""


@dataclass
class Ledger:
    """What the run owns and what it has seen of others (kept by :meth:`StoreFence.note`).

    `keys` maps each key the run created to whether its deletion is scheduled; `key_arns`
    maps its ARN back to its ID; `gone` holds stores deleted but maybe still visible.
    """

    stores: list[str] = field(default_factory=list)
    connected: set[str] = field(default_factory=set)
    foreign: set[str] = field(default_factory=set)
    keys: dict[str, bool] = field(default_factory=dict)
    key_arns: dict[str, str] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    fixture_id: str | None = None


class StoreFence:
    """Checks requests against the :class:`Ledger`; probes through the given callables
    (a paced Describe by store ID, a paced DescribeKey)."""

    def __init__(
        self, prefix: str, ledger: Ledger, *, probe_store: Probe | None, probe_key: Probe | None
    ) -> None:
        self.prefix = prefix
        self.ledger = ledger
        self._probe_store = probe_store
        self._probe_key = probe_key
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ before
    def check(self, operation: str, request: Mapping[str, Any]) -> None:
        """Raise :class:`AwsFenceError` unless the request may be sent."""
        if operation not in FENCED_OPERATIONS:
            raise AwsFenceError(f"{operation}: not an operation the aws target may send")
        for member in NAME_MEMBERS:
            name = request.get(member)
            outgoing = operation != "DescribeCustomKeyStores" and isinstance(name, str)
            if outgoing and name and not str(name).startswith(self.prefix):
                raise AwsFenceError(f"{member} must start with {self.prefix!r} on aws")
        if operation in READ_ONLY_OPERATIONS:
            return
        store_id = request.get("CustomKeyStoreId")
        if isinstance(store_id, str):
            self._check_store(operation, store_id)
        key_id = request.get("KeyId")
        if operation == "ScheduleKeyDeletion" and isinstance(key_id, str):
            self._check_key(key_id)

    def _check_store(self, operation: str, store_id: str) -> None:
        ledger = self.ledger
        with self._lock:
            if operation == "CreateKey" and store_id == ledger.fixture_id:
                return
            if store_id in ledger.gone:  # deleted by this run: probing it again is fine
                return
            if store_id in ledger.stores:
                if operation == "CreateKey" and store_id in ledger.connected:
                    raise KeyWouldPinStoreError(
                        f"CreateKey in {store_id}: this run's store may be connected, and a key "
                        "would pin it for at least 7 days; create keys in the fixture store"
                    )
                return
            known = store_id == ledger.fixture_id or store_id in ledger.foreign
        if known:
            raise AwsFenceError(f"{operation} on {store_id}: a store this run did not create")
        if self._probe_store is None:
            raise AwsFenceError(f"{operation} on {store_id}: not created by this run")
        probe = self._probe_store(store_id)
        if probe.error_code in ABSENT_STORE:
            return
        if probe.succeeded:
            with self._lock:
                ledger.foreign.add(store_id)
            raise AwsFenceError(f"{operation} on {store_id}: a store this run did not create")
        raise AwsFenceError(
            f"{operation} on {store_id}: cannot tell whether it exists ({probe.describe()})"
        )

    def _check_key(self, key_id: str) -> None:
        with self._lock:
            if key_id in self.ledger.keys or key_id in self.ledger.key_arns:
                return
        if self._probe_key is None:
            raise AwsFenceError(f"ScheduleKeyDeletion on key {key_id}: not created by this run")
        probe = self._probe_key(key_id)
        if probe.error_code in ABSENT_KEY:
            return
        found = str(((probe.response or {}).get("KeyMetadata") or {}).get("KeyId", ""))
        with self._lock:
            if probe.succeeded and found in self.ledger.keys:
                return
        reason = "a key this run did not create" if probe.succeeded else probe.describe()
        raise AwsFenceError(f"ScheduleKeyDeletion on key {key_id}: {reason}; refusing")

    # ------------------------------------------------------------------ after
    def note(self, operation: str, request: Mapping[str, Any], seen: Observation) -> None:
        """Record what a sent request changed (stores, connections, keys, foreign IDs)."""
        if not seen.succeeded:
            return
        response = seen.response or {}
        store_id = request.get("CustomKeyStoreId")
        ledger = self.ledger
        with self._lock:
            if operation == "CreateCustomKeyStore":
                self.adopt(str(response.get("CustomKeyStoreId")))
            elif operation == "ConnectCustomKeyStore" and store_id in ledger.stores:
                ledger.connected.add(str(store_id))
            elif operation == "DisconnectCustomKeyStore":
                ledger.connected.discard(str(store_id))
            elif operation == "DeleteCustomKeyStore" and store_id in ledger.stores:
                ledger.stores.remove(str(store_id))
                ledger.connected.discard(str(store_id))
                ledger.gone.append(str(store_id))
            elif operation == "DescribeCustomKeyStores":
                for entry in response.get("CustomKeyStores") or []:
                    found = entry.get("CustomKeyStoreId")
                    mine = found in ledger.stores or found in ledger.gone
                    if isinstance(found, str) and not mine:
                        ledger.foreign.add(found)
            elif operation == "CreateKey":
                meta = response.get("KeyMetadata") or {}
                key_id = str(meta.get("KeyId", ""))
                ledger.keys[key_id] = False
                ledger.key_arns[str(meta.get("Arn", key_id))] = key_id
            elif operation == "ScheduleKeyDeletion":
                self.scheduled(str(response.get("KeyId", request.get("KeyId"))))

    def adopt(self, store_id: str) -> None:
        """Register a store as this run's (created by it, to be retired by it)."""
        with self._lock:
            if store_id not in self.ledger.stores:
                self.ledger.stores.append(store_id)
            self.ledger.foreign.discard(store_id)

    def scheduled(self, key: str) -> None:
        """Mark a key (ID or ARN) of this run as scheduled for deletion."""
        with self._lock:
            key_id = self.ledger.key_arns.get(key, key)
            if key_id in self.ledger.keys:
                self.ledger.keys[key_id] = True
