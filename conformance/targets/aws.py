"""Real AWS KMS as a target: opt-in, fenced, paced, and cleaned up.

The fence, in order, before any KMS call:
1. the caller must opt in (``KSCHECK_AWS_OPT_IN=1``) and name an account allow-list;
2. STS ``GetCallerIdentity`` must return an account on that list;
3. every store this target creates is named ``kscheck-<run id>-...``; requests naming a
   store without the prefix are refused locally (nothing outside the run is touched);
4. each operation is paced to 5 requests/s (the per-operation CKS quota);
5. :meth:`AwsTarget.close` disconnects and deletes every store the run created; :func:`sweep`
   removes leftovers of earlier runs (by prefix) on demand.

>>> from conformance.targets.aws import AwsFenceError, parse_allow_list
>>> parse_allow_list("111122223333, 444455556666")
frozenset({'111122223333', '444455556666'})
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from conformance.targets.boto import BotoTarget
from conformance.targets.observation import Observation

OPT_IN_VARIABLE = "KSCHECK_AWS_OPT_IN"
ALLOW_LIST_VARIABLE = "KSCHECK_AWS_ACCOUNT_ALLOWLIST"
NAME_PREFIX = "kscheck-"
REQUESTS_PER_SECOND_PER_OPERATION = 5.0


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
        self._created: list[str] = []

    def _check_fence(self, operation: str, request: Mapping[str, Any]) -> None:
        for member in ("CustomKeyStoreName", "NewCustomKeyStoreName"):
            name = request.get(member)
            if isinstance(name, str) and not name.startswith(self.prefix):
                raise AwsFenceError(f"{member} must start with {self.prefix!r} on aws")
        store_id = request.get("CustomKeyStoreId")
        mutating = operation != "DescribeCustomKeyStores"
        if mutating and isinstance(store_id, str) and store_id not in self._created:
            raise AwsFenceError(f"{operation} on {store_id}: not created by this run; refusing")

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation, paced, after the fence checks."""
        self._check_fence(operation, request)
        self._pacer.wait(operation)
        observation = self._inner.call(operation, request)
        if operation == "CreateCustomKeyStore" and observation.response is not None:
            self._created.append(str(observation.response["CustomKeyStoreId"]))
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
            self._pacer.wait("DeleteCustomKeyStore")
            deleted = self._inner.call("DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})
            if deleted.succeeded or deleted.error_code == "CustomKeyStoreNotFoundException":
                self._created.remove(store_id)
        self._inner.close()


def sweep(kms: Any, prefix: str = NAME_PREFIX) -> list[str]:
    """Disconnect and delete stores whose name starts with `prefix`; returns their IDs."""
    if not prefix.startswith(NAME_PREFIX):
        raise AwsFenceError(f"sweep prefix must start with {NAME_PREFIX!r}")
    swept: list[str] = []
    paginator = kms.get_paginator("describe_custom_key_stores")
    for page in paginator.paginate():
        for store in page.get("CustomKeyStores", []):
            if str(store.get("CustomKeyStoreName", "")).startswith(prefix):
                store_id = str(store["CustomKeyStoreId"])
                kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
                kms.delete_custom_key_store(CustomKeyStoreId=store_id)
                swept.append(store_id)
    return swept
