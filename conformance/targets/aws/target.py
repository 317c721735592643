"""Real AWS KMS as a target: gated, name-mapped, fenced, paced, retried, and cleaned up.

One request through :meth:`AwsTarget.call`:

1. generated store names get the run prefix (:mod:`.names`);
2. the fence decides whether it may be sent (:mod:`.fence`), probing unknown IDs;
3. it is sent paced at 5 requests/s per operation, throttling retried (:mod:`.sender`);
4. a 5xx on CreateCustomKeyStore is reconciled by Describe by name: if the store exists,
   the Create is reported as the success it was and the store is adopted for cleanup;
5. the fence's ledger learns what changed; names come back without the prefix.

:meth:`AwsTarget.reset` schedules deletion (7 days) of every key the run created and not
yet scheduled, retires every store the run created (never the fixture), and waits until
Describe no longer lists them.

>>> from conformance.targets.aws.target import AwsTarget
>>> AwsTarget.name
'aws'
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from conformance.targets.aws.account import run_prefix, verified_account
from conformance.targets.aws.fence import Ledger, StoreFence
from conformance.targets.aws.fixture import FixtureConfig, ensure_fixture
from conformance.targets.aws.listing import list_stores
from conformance.targets.aws.names import NAME_MEMBERS, NameMap
from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.aws.quota import check_free_quota
from conformance.targets.aws.retire import Retirement, Retirer
from conformance.targets.aws.sender import PacedSender, RetryPolicy
from conformance.targets.boto import BotoTarget
from conformance.targets.observation import Observation
from conformance.targets.timing import Timing

FIXTURE_KEY_WINDOW_DAYS = 7
KEY_ALREADY_GONE = frozenset({"KMSInvalidStateException", "NotFoundException"})


class AwsTarget:
    """Real KMS behind the fence (see the module docstring)."""

    name = "aws"
    #: No HTTP preflight: the fence already asked STS.
    endpoint_url: str | None = None

    def __init__(
        self,
        kms: Any,
        sts: Any,
        *,
        run_id: str,
        kms_unvalidated: Any = None,
        environ: Mapping[str, str] = os.environ,
        timing: Timing | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        pacer: OperationPacer | None = None,
    ) -> None:
        self.account = verified_account(sts, environ)
        self.prefix = run_prefix(run_id)
        self.timing = timing or Timing.aws()
        self.names = NameMap(self.prefix)
        self.ledger = Ledger()
        self._boto = BotoTarget("aws", kms, kms_unvalidated)
        self.support = self._boto.support
        self._clock, self._sleep = clock, sleep
        self._sender = PacedSender(
            self._boto, pacer or OperationPacer(clock=clock, sleep=sleep), retry, sleep
        )
        self.fence = StoreFence(
            self.prefix, self.ledger, probe_store=self._probe_store, probe_key=self._probe_key
        )
        self._retirer = Retirer(self._send, self.timing, clock, sleep)
        #: Creates answered 5xx whose store existed after all: adopted (store IDs).
        self.reconciled: list[str] = []
        #: Names seen in Describe listings that this run never sent (other people's stores),
        #: and the names the run gave its own stores: Describe by a name in the first set
        #: and not in the second selects the other person's store, so it is sent as is.
        self._foreign_names: set[str] = set()
        self._store_names: set[str] = set()

    # ------------------------------------------------------------------ calls
    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation through the whole pipeline (validating client)."""
        return self._call(operation, request, unvalidated=False)

    def call_unvalidated(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """The same with botocore's client-side validation off."""
        return self._call(operation, request, unvalidated=True)

    def _send(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Paced and retried, but neither mapped nor fenced (the target's own requests)."""
        return self._sender.call(operation, request)

    def _call(
        self, operation: str, request: Mapping[str, Any], *, unvalidated: bool
    ) -> Observation:
        sent = self._outgoing(operation, request)
        self.fence.check(operation, sent)
        seen = self._sender.call(operation, sent, unvalidated=unvalidated)
        if operation == "CreateCustomKeyStore" and (seen.http_status or 0) >= 500:
            seen = self._reconcile_create(sent, seen)
        self.fence.note(operation, sent, seen)
        if seen.succeeded and operation in ("CreateCustomKeyStore", "UpdateCustomKeyStore"):
            for member in NAME_MEMBERS:
                if isinstance(request.get(member), str):
                    self._store_names.add(request[member])
        return self._incoming(seen, sent)

    def _outgoing(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        sent = dict(request)
        for member in NAME_MEMBERS:
            if member not in sent:
                continue
            name = sent[member]
            keep = (
                operation == "DescribeCustomKeyStores"
                and isinstance(name, str)
                and name in self._foreign_names
                and name not in self._store_names
            )
            if not keep:
                sent[member] = self.names.outgoing(name)
        return sent

    def _incoming(self, seen: Observation, sent: Mapping[str, Any]) -> Observation:
        if seen.operation == "DescribeCustomKeyStores" and seen.response is not None:
            entries = []
            for entry in seen.response.get("CustomKeyStores") or []:
                name = entry.get("CustomKeyStoreName")
                back = self.names.incoming(name)
                if back == name and isinstance(name, str):
                    self._foreign_names.add(name)
                entries.append(
                    {**entry, "CustomKeyStoreName": back}
                    if "CustomKeyStoreName" in entry
                    else dict(entry)
                )
            seen = dataclasses.replace(seen, response={**seen.response, "CustomKeyStores": entries})
        if seen.error_message:
            message = seen.error_message
            for member in NAME_MEMBERS:
                aws_name = sent.get(member)
                original = self.names.incoming(aws_name)
                if isinstance(aws_name, str) and isinstance(original, str) and aws_name:
                    message = message.replace(aws_name, original)
            seen = dataclasses.replace(seen, error_message=message)
        return seen

    def _reconcile_create(self, sent: Mapping[str, Any], seen: Observation) -> Observation:
        """After a 5xx on Create: if a store by the sent name exists, the Create succeeded."""
        name = sent.get("CustomKeyStoreName")
        if not isinstance(name, str) or not name:
            return seen
        started = self._clock()
        while True:
            found = self._send("DescribeCustomKeyStores", {"CustomKeyStoreName": name})
            entries = (found.response or {}).get("CustomKeyStores") or []
            if entries:
                store_id = str(entries[0]["CustomKeyStoreId"])
                if store_id in self.ledger.stores:  # an earlier Create of the run made it
                    return seen
                self.reconciled.append(store_id)
                return Observation(
                    "CreateCustomKeyStore", response={"CustomKeyStoreId": store_id}, http_status=200
                )
            if self._clock() - started >= self.timing.visibility_seconds:
                return seen
            self._sleep(self.timing.poll_seconds)

    def _probe_store(self, store_id: str) -> Observation:
        return self._sender.call(
            "DescribeCustomKeyStores", {"CustomKeyStoreId": store_id}, unvalidated=True
        )

    def _probe_key(self, key_id: str) -> Observation:
        return self._sender.call("DescribeKey", {"KeyId": key_id}, unvalidated=True)

    # ------------------------------------------------------------------ fixture and quota
    @property
    def fixture_store_id(self) -> str | None:
        """The fixture store's ID once :meth:`ensure_fixture` ran."""
        return self.ledger.fixture_id

    def ensure_fixture(self, config: FixtureConfig) -> str:
        """Find or create the fixture store, connect it, wait until CONNECTED."""
        store_id = ensure_fixture(
            self._send, config, self.timing, clock=self._clock, sleep=self._sleep
        )
        self.ledger.fixture_id = store_id
        return store_id

    def check_free_quota(self, needed: int, quota: int) -> int:
        """Refuse (:class:`~conformance.targets.aws.quota.QuotaError`) unless `needed` stores
        (plus the fixture if missing) are free under `quota`; returns how many are free."""
        return check_free_quota(list_stores(self._send), needed=needed, quota=quota)

    # ------------------------------------------------------------------ cleanup
    @property
    def created_store_ids(self) -> tuple[str, ...]:
        """Stores this run created and has not yet retired."""
        return tuple(self.ledger.stores)

    def schedule_key_deletions(self) -> list[str]:
        """Schedule deletion (7 days) of every key the run created and has not scheduled;
        returns the key IDs still unscheduled (an error other than "already gone")."""
        left = []
        for key_id, scheduled in list(self.ledger.keys.items()):
            if scheduled:
                continue
            done = self._send(
                "ScheduleKeyDeletion",
                {"KeyId": key_id, "PendingWindowInDays": FIXTURE_KEY_WINDOW_DAYS},
            )
            if done.succeeded or done.error_code in KEY_ALREADY_GONE:
                self.fence.scheduled(key_id)
            else:
                left.append(key_id)
        return left

    def reset(self) -> list[Retirement]:
        """Schedule the run's keys for deletion, retire every store the run created (never
        the fixture), then wait until Describe no longer lists them; returns the stores
        that could not be retired."""
        self.schedule_key_deletions()
        left: list[Retirement] = []
        for store_id in list(self.ledger.stores):
            retired = self._retirer.retire(store_id)
            if retired.gone:
                self.ledger.stores.remove(store_id)
                self.ledger.connected.discard(store_id)
                self.ledger.gone.append(store_id)
            else:
                left.append(retired)
        if self.ledger.gone:
            still = self._retirer.wait_until_unlisted(self.ledger.gone)
            self.ledger.gone[:] = [s for s in self.ledger.gone if s in still]
        return left

    def close(self) -> None:
        """Clean up as :meth:`reset` does, then close the clients."""
        try:
            self.reset()
        finally:
            self._boto.close()
