"""Real AWS KMS as a target: opt-in, fenced, paced, and cleaned up.

The fence, in order, before any KMS call:
1. the caller must opt in (``KSCHECK_AWS_OPT_IN=1``) and name an account allow-list;
2. STS ``GetCallerIdentity`` must return an account on that list;
3. every store this target creates is named ``kscheck-<run id>-...``; requests naming a
   store or key this run did not create, or an operation the checks never send, are
   refused locally (nothing outside the run is touched);
4. each operation is paced to 5 requests/s (the per-operation CKS quota);
5. :meth:`AwsTarget.close` disconnects every store the run created, waits until Describe
   shows DISCONNECTED, then deletes it; :func:`sweep` does the same for leftovers of earlier
   runs (by prefix). Stores still holding keys (even PendingDeletion) cannot be deleted.

>>> from conformance.targets.aws import AwsFenceError, parse_allow_list
>>> sorted(parse_allow_list("111122223333, 444455556666"))
['111122223333', '444455556666']
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import botocore.exceptions

from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS
from conformance.targets.boto import BotoTarget
from conformance.targets.observation import Observation

OPT_IN_VARIABLE = "KSCHECK_AWS_OPT_IN"
ALLOW_LIST_VARIABLE = "KSCHECK_AWS_ACCOUNT_ALLOWLIST"
NAME_PREFIX = "kscheck-"
REQUESTS_PER_SECOND_PER_OPERATION = 5.0
#: The only operations the checks send; anything else (DisableKey, ...) is refused locally.
FENCED_OPERATIONS = frozenset(
    {*CUSTOM_KEY_STORE_OPERATIONS, "CreateKey", "DescribeKey", "ScheduleKeyDeletion"}
)


class AwsFenceError(RuntimeError):
    """The AWS target refused to start or to send a request (the fence held)."""


def parse_allow_list(text: str) -> frozenset[str]:
    """Account IDs from a comma- or space-separated list; each must be 12 digits."""
    accounts = frozenset(part for part in re.split(r"[,\s]+", text.strip()) if part)
    bad = sorted(a for a in accounts if re.fullmatch(r"[0-9]{12}", a, re.ASCII) is None)
    if bad:
        raise AwsFenceError(f"{ALLOW_LIST_VARIABLE}: not 12-digit account IDs: {bad}")
    return accounts


class OperationPacer:
    """Spaces calls of each operation at least 1/rate seconds apart (injectable clock)."""

    def __init__(
        self,
        rate: float = REQUESTS_PER_SECOND_PER_OPERATION,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, operation: str) -> None:
        """Block until `operation` may be sent again."""
        with self._lock:
            now = self._clock()
            ready = self._next.get(operation, now)
            if ready > now:
                self._sleep(ready - now)
                now = ready
            self._next[operation] = now + self._interval


class AwsTarget:
    """Real KMS behind the fence described in the module docstring."""

    def __init__(
        self,
        kms: Any,
        sts: Any,
        *,
        run_id: str,
        environ: Mapping[str, str] = os.environ,
        pacer: OperationPacer | None = None,
        settle: DisconnectWaiter | None = None,
    ) -> None:
        if environ.get(OPT_IN_VARIABLE) != "1":
            raise AwsFenceError(
                f"the aws target is opt-in: set {OPT_IN_VARIABLE}=1 and {ALLOW_LIST_VARIABLE}"
            )
        allowed = parse_allow_list(environ.get(ALLOW_LIST_VARIABLE, ""))
        if not allowed:
            raise AwsFenceError(f"{ALLOW_LIST_VARIABLE} is empty: name the sandbox account(s)")
        account = str(sts.get_caller_identity()["Account"])
        if account not in allowed:
            raise AwsFenceError(f"account {account} is not on {ALLOW_LIST_VARIABLE}; refusing")
        if re.fullmatch(r"[a-z0-9]{4,16}", run_id, re.ASCII) is None:
            raise AwsFenceError("run id must be 4-16 lowercase letters or digits")
        self.name = "aws"
        self.account = account
        self.prefix = f"{NAME_PREFIX}{run_id}-"
        self._inner = BotoTarget("aws", kms)
        self._pacer = pacer or OperationPacer()
        self._settle = settle or DisconnectWaiter()
        self._created: list[str] = []
        self._created_keys: set[str] = set()

    def _check_fence(self, operation: str, request: Mapping[str, Any]) -> None:
        for member in ("CustomKeyStoreName", "NewCustomKeyStoreName"):
            name = request.get(member)
            if isinstance(name, str) and not name.startswith(self.prefix):
                raise AwsFenceError(f"{member} must start with {self.prefix!r} on aws")
        if operation not in FENCED_OPERATIONS:
            raise AwsFenceError(f"{operation}: not an operation the aws target may send")
        store_id = request.get("CustomKeyStoreId")
        mutating = operation != "DescribeCustomKeyStores"
        if mutating and isinstance(store_id, str) and store_id not in self._created:
            raise AwsFenceError(f"{operation} on {store_id}: not created by this run; refusing")
        key_id = request.get("KeyId")
        if key_id is not None and key_id not in self._created_keys:
            raise AwsFenceError(f"{operation} on key {key_id}: not created by this run; refusing")

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation, paced, after the fence checks."""
        self._check_fence(operation, request)
        self._pacer.wait(operation)
        observation = self._inner.call(operation, request)
        if operation == "CreateCustomKeyStore" and observation.response is not None:
            self._created.append(str(observation.response["CustomKeyStoreId"]))
        if operation == "CreateKey" and observation.response is not None:
            self._created_keys.add(str(observation.response["KeyMetadata"]["KeyId"]))
        return observation

    @property
    def created_store_ids(self) -> tuple[str, ...]:
        """Stores this run created and has not yet cleaned up."""
        return tuple(self._created)

    def close(self) -> None:
        """Disconnect and delete every store this run created (best effort, all attempted)."""
        for store_id in list(self._created):
            self._pacer.wait("DisconnectCustomKeyStore")
            self._inner.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
            # Disconnect only starts DISCONNECTING; Delete needs DISCONNECTED (digest §5.1, §9)
            self._settle.wait(functools.partial(self._state_of, store_id))
            self._pacer.wait("DeleteCustomKeyStore")
            deleted = self._inner.call("DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})
            if deleted.succeeded or deleted.error_code == "CustomKeyStoreNotFoundException":
                self._created.remove(store_id)
        self._inner.close()

    def _state_of(self, store_id: str) -> str | None:
        """The store's ConnectionState, or None once it is gone."""
        self._pacer.wait("DescribeCustomKeyStores")
        found = self._inner.call("DescribeCustomKeyStores", {"CustomKeyStoreId": store_id})
        if found.error_code == "CustomKeyStoreNotFoundException":
            return None
        stores = (found.response or {}).get("CustomKeyStores") or [{}]
        return str(stores[0].get("ConnectionState", ""))


class DisconnectWaiter:
    """Polls a store's state until it is DISCONNECTED or gone, up to a deadline (digest §9:
    poll every 10-15 s; DISCONNECTING ends within about 10 min). Injectable clock and sleep."""

    def __init__(
        self,
        poll_seconds: float = 10.0,
        deadline_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.deadline_seconds = deadline_seconds
        self._clock = clock
        self._sleep = sleep

    def wait(self, state_of: Callable[[], str | None]) -> bool:
        """True when `state_of()` reported DISCONNECTED (or None: gone) before the deadline."""
        give_up = self._clock() + self.deadline_seconds
        while True:
            if state_of() in (None, "DISCONNECTED"):
                return True
            if self._clock() >= give_up:
                return False
            self._sleep(self.poll_seconds)


def sweep(kms: Any, prefix: str = NAME_PREFIX, settle: DisconnectWaiter | None = None) -> list[str]:
    """Disconnect and delete stores whose name starts with `prefix`; returns the deleted IDs.

    A store that cannot be deleted (still holding keys, stuck DISCONNECTING) is skipped, so
    one leftover does not stop the sweep of the others.
    """
    if not prefix.startswith(NAME_PREFIX):
        raise AwsFenceError(f"sweep prefix must start with {NAME_PREFIX!r}")
    settle = settle or DisconnectWaiter()
    found: list[str] = []
    paginator = kms.get_paginator("describe_custom_key_stores")
    for page in paginator.paginate():
        for store in page.get("CustomKeyStores", []):
            if str(store.get("CustomKeyStoreName", "")).startswith(prefix):
                found.append(str(store["CustomKeyStoreId"]))
    swept: list[str] = []
    for store_id in found:
        try:
            if _state(kms, store_id) not in ("DISCONNECTED", "DISCONNECTING", None):
                kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
            settle.wait(functools.partial(_state, kms, store_id))
            kms.delete_custom_key_store(CustomKeyStoreId=store_id)
        except botocore.exceptions.ClientError:
            continue
        swept.append(store_id)
    return swept


def _state(kms: Any, store_id: str) -> str | None:
    try:
        page = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)
    except botocore.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "CustomKeyStoreNotFoundException":
            return None
        raise
    stores = page.get("CustomKeyStores") or [{}]
    return str(stores[0].get("ConnectionState", ""))
