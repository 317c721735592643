"""KMS keys in a custom key store: CreateKey, ScheduleKeyDeletion, key state (digest §7).

>>> from conformance.model.state import ModelState
>>> from conformance.model.world import World
>>> plan = plan_create_key(World(), ModelState(), {"CustomKeyStoreId": "cks-9",
...                        "Origin": "AWS_CLOUDHSM"}, True)
>>> plan.expectation.errors
frozenset({'CustomKeyStoreNotFoundException'})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.model import gate
from conformance.model.lifecycle import NOT_FOUND
from conformance.model.outcomes import VALIDATION_EXCEPTION, Mismatch, Outcome, RuleVerdict
from conformance.model.records import (
    CONNECTED,
    HSM,
    PENDING_DELETION,
    XKS,
    KeyRecord,
    StoreRecord,
)
from conformance.model.state import ModelState, Plan
from conformance.model.world import ProxyBehaviour, World

INVALID_STATE = "CustomKeyStoreInvalidStateException"
UNSUPPORTED = "UnsupportedOperationException"
STORE_ORIGINS = frozenset({HSM, XKS})
PENDING_WINDOW_DAYS = (7, 30)
"""The waiting period API_ScheduleKeyDeletion documents (botocore's shape allows 1..365)."""


def _v(
    rid: str, errors: set[str], field: str, detail: str, oq: tuple[str, ...] = ()
) -> RuleVerdict:
    return RuleVerdict(rid, frozenset(errors), False, oq, field, detail)


def _request_rules(clean: Mapping[str, Any]) -> list[RuleVerdict]:
    origin = clean.get("Origin", "AWS_KMS")
    found: list[RuleVerdict] = []
    both = {VALIDATION_EXCEPTION, UNSUPPORTED}
    if "XksKeyId" in clean and origin != XKS:
        found.append(_v("CKS-KEY-003", both, "XksKeyId", "only for EXTERNAL_KEY_STORE"))
    if origin == XKS and "XksKeyId" not in clean:
        found.append(_v("CKS-KEY-003", {VALIDATION_EXCEPTION}, "XksKeyId", "required"))
    if origin in STORE_ORIGINS and "CustomKeyStoreId" not in clean:
        found.append(_v("CKS-KEY-002", both, "CustomKeyStoreId", f"required for {origin}"))
    if "CustomKeyStoreId" in clean and origin not in STORE_ORIGINS:
        found.append(_v("CKS-KEY-002", both, "Origin", f"{origin} is not a custom key store"))
    spec = clean.get("KeySpec", clean.get("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"))
    if "CustomKeyStoreId" in clean and (
        spec != "SYMMETRIC_DEFAULT"
        or clean.get("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT"
        or clean.get("MultiRegion") is True
    ):
        found.append(_v("CKS-KEY-004", both, "KeySpec", "symmetric, single-Region keys only"))
    return found


def _xks_rules(
    world: World, state: ModelState, store: StoreRecord, xks_key_id: str
) -> list[RuleVerdict]:
    proxy_rules = _xks_proxy_rules(world, store, xks_key_id)
    if any(k.xks_key_id == xks_key_id for k in state.keys_in(store.store_id)):
        in_use = _v("CKS-KEY-008", {"XksKeyAlreadyInUseException"}, "XksKeyId", "in use")
        # no documented precedence (OQ-21): a proxy fault found first is acceptable too
        return [in_use, *(v for v in proxy_rules if v.requirement_id == "CKS-KEY-009")]
    if store.preexisting and not proxy_rules:
        # keys made in it before the run are unknown (OQ-34): the external key may be taken
        unknown = RuleVerdict(
            "CKS-KEY-008",
            frozenset({"XksKeyAlreadyInUseException"}),
            True,
            ("OQ-34",),
            "XksKeyId",
            "the store's earlier keys are unknown",
        )
        return [unknown]
    return proxy_rules


def _xks_proxy_rules(world: World, store: StoreRecord, xks_key_id: str) -> list[RuleVerdict]:
    proxy = world.proxy_at(store.uri_endpoint or "", store.uri_path or "")
    if (
        proxy is None
        or proxy.behaviour
        not in (
            ProxyBehaviour.HEALTHY,
            ProxyBehaviour.ACCESS_DENIED,
            ProxyBehaviour.INVALID_RESPONSE,
        )
        or (  # a pre-existing store's secret is never described: it connected with it
            not store.preexisting
            and not proxy.accepts(store.access_key_id or "", store.raw_secret_access_key or "")
        )
    ):
        return [_v("CKS-KEY-009", {INVALID_STATE}, "CustomKeyStoreId", "proxy fault")]
    if proxy.behaviour is ProxyBehaviour.ACCESS_DENIED:
        return [
            _v(
                "CKS-KEY-009",
                {INVALID_STATE, "KMSInvalidStateException"},
                "CustomKeyStoreId",
                "proxy denies access",
                ("OQ-26",),
            )
        ]
    if proxy.behaviour is ProxyBehaviour.INVALID_RESPONSE:
        return [
            _v(
                "CKS-KEY-009",
                {INVALID_STATE, "XksKeyInvalidResponseException"},
                "CustomKeyStoreId",
                "malformed proxy response",
                ("OQ-26",),
            )
        ]
    key = proxy.external_key(xks_key_id)
    if key is None:
        return [_v("CKS-KEY-006", {"XksKeyNotFoundException"}, "XksKeyId", "no external key")]
    if not key.usable_by_kms:
        return [
            _v(
                "CKS-KEY-007",
                {"XksKeyInvalidConfigurationException"},
                "XksKeyId",
                "not AES_256, ENABLED, ENCRYPT+DECRYPT",
            )
        ]
    return []


def _store_rules(
    world: World, state: ModelState, clean: Mapping[str, Any]
) -> tuple[StoreRecord | None, list[RuleVerdict]]:
    store = state.stores.get(clean["CustomKeyStoreId"])
    if store is None:
        return None, [_v("CKS-KEY-010", {NOT_FOUND}, "CustomKeyStoreId", "no such store")]
    found: list[RuleVerdict] = []
    origin = clean.get("Origin")
    if origin in STORE_ORIGINS and origin != store.store_type:
        found.append(
            _v(
                "CKS-KEY-002",
                {VALIDATION_EXCEPTION, UNSUPPORTED},
                "Origin",
                f"store is {store.store_type}",
            )
        )
    if store.state != CONNECTED:
        found.append(
            _v("CKS-KEY-001", {INVALID_STATE}, "CustomKeyStoreId", f"store is {store.state}")
        )
    elif not store.is_xks:
        cluster = world.cluster(store.cluster_id or "")
        if cluster is None or not cluster.ready_for_keys:
            found.append(
                _v(
                    "CKS-KEY-005",
                    {"CloudHsmClusterInvalidConfigurationException"},
                    "CustomKeyStoreId",
                    "cluster needs 2 active HSMs in 2 AZs",
                )
            )
    elif "XksKeyId" in clean and origin == XKS:
        found += _xks_rules(world, state, store, clean["XksKeyId"])
    return store, found


KEY_RULE = "CKS-KEY-012"


@dataclass(frozen=True)
class CreatedKey:
    """Checks CreateKey's KeyMetadata for a key in a custom key store (CKS-KEY-012)."""

    store: StoreRecord
    xks_key_id: str | None

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why the response is not acceptable (empty when it is), under CKS-KEY-012."""
        meta = response.get("KeyMetadata")
        if not isinstance(meta, Mapping) or not isinstance(meta.get("KeyId"), str):
            return (Mismatch(KEY_RULE, "KeyMetadata.KeyId", "a key ID", repr(meta)),)
        want: dict[str, Any] = {
            "CustomKeyStoreId": self.store.store_id,
            "Origin": self.store.store_type,
            "KeyState": "Enabled",
        }
        if self.store.is_xks:
            got_xks = (meta.get("XksKeyConfiguration") or {}).get("Id")
            if got_xks != self.xks_key_id:
                where = "KeyMetadata.XksKeyConfiguration.Id"
                return (Mismatch(KEY_RULE, where, repr(self.xks_key_id), repr(got_xks)),)
        else:
            want["CloudHsmClusterId"] = self.store.cluster_id
        return tuple(
            Mismatch(KEY_RULE, f"KeyMetadata.{k}", repr(v), repr(meta.get(k)))
            for k, v in want.items()
            if meta.get(k) != v
        )

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The new key's metadata was compared with its store (CKS-KEY-012)."""
        return (KEY_RULE,)


def plan_create_key(
    world: World, state: ModelState, request: object, client_validation: bool
) -> Plan:
    """Predict CreateKey's custom-key-store rules (CKS-KEY-001..010, 012)."""
    refused, (clean, shape) = gate.admit("CreateKey", request, client_validation=client_validation)
    if refused is not None:
        return refused
    rules = _request_rules(clean)
    store: StoreRecord | None = None
    if "CustomKeyStoreId" in clean:
        store, more = _store_rules(world, state, clean)
        rules += more
    check = CreatedKey(store, clean.get("XksKeyId")) if store is not None else None

    def on_success(target: ModelState, outcome: Outcome) -> None:
        meta = outcome.response.get("KeyMetadata") or {}
        key_id = str(meta.get("KeyId") or target.allocate_key_id())
        target.keys[key_id] = KeyRecord(
            key_id,
            store.store_id if store else "",
            clean.get("Origin", "AWS_KMS"),
            clean.get("XksKeyId") if store is not None and store.is_xks else None,
        )

    return gate.conclude(shape, rules, requirement_ids=(), response=check, on_success=on_success)


DELETION_RULE = "CKS-KEY-011"


@dataclass(frozen=True)
class ScheduledDeletion:
    """Checks ScheduleKeyDeletion's answer: the key is PendingDeletion for the asked window."""

    key_id: str
    days: int

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why the response is not acceptable (empty when it is), under CKS-KEY-011."""
        found = []
        for member, want in (("KeyState", PENDING_DELETION), ("PendingWindowInDays", self.days)):
            got = response.get(member)
            if got is not None and got != want:  # both members are optional in the shape
                found.append(Mismatch(DELETION_RULE, member, repr(want), repr(got)))
        return tuple(found)

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The scheduled key's state or window was compared (CKS-KEY-011)."""
        shown = "KeyState" in response or "PendingWindowInDays" in response
        return (DELETION_RULE,) if shown else ()


def plan_schedule_key_deletion(
    world: World, state: ModelState, request: object, client_validation: bool
) -> Plan:
    """Predict ScheduleKeyDeletion for keys the model knows (CKS-KEY-011)."""
    refused, (clean, shape) = gate.admit(
        "ScheduleKeyDeletion", request, client_validation=client_validation
    )
    if refused is not None:
        return refused
    rules: list[RuleVerdict] = []
    key = state.keys.get(clean.get("KeyId", ""))
    if "KeyId" in clean and key is None:
        rules.append(_v("CKS-KEY-011", {"NotFoundException"}, "KeyId", "unknown key"))
    if key is not None and key.pending_deletion:
        rules.append(
            _v("CKS-KEY-011", {"KMSInvalidStateException"}, "KeyId", "already PendingDeletion")
        )
    days = clean.get("PendingWindowInDays")
    low, high = PENDING_WINDOW_DAYS
    if days is not None and not low <= days <= high:
        rules.append(
            _v(
                "CKS-KEY-011",
                {VALIDATION_EXCEPTION},
                "PendingWindowInDays",
                f"outside {low}..{high}",
            )
        )

    def on_success(target: ModelState, outcome: Outcome) -> None:
        if key is not None:
            target.keys[key.key_id] = dataclasses.replace(key, state=PENDING_DELETION)

    check = None
    if key is not None:
        check = ScheduledDeletion(key.key_id, days if days is not None else high)
    return gate.conclude(shape, rules, response=check, on_success=on_success)


@dataclass(frozen=True)
class DescribedKey:
    """Checks DescribeKey's KeyState for a key in a custom key store: Unavailable while its
    store is not CONNECTED (CKS-STATE-009), PendingDeletion once scheduled (CKS-KEY-011),
    else the state it was created in (CKS-KEY-012). `states`: every state the key may show
    (a transient store may already have settled)."""

    key_id: str
    states: frozenset[str]
    rule: str

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why the response is not acceptable (empty when it is), under `rule`."""
        meta = response.get("KeyMetadata")
        got = meta.get("KeyState") if isinstance(meta, Mapping) else None
        if got not in self.states:
            want = f"one of {sorted(self.states)}"
            return (Mismatch(self.rule, "KeyMetadata.KeyState", want, repr(got)),)
        return ()

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """The key's state was compared with its store's connection state."""
        return (self.rule,)


def _key_states(state: ModelState, key: KeyRecord) -> tuple[frozenset[str], str]:
    store = state.stores.get(key.store_id)
    if key.pending_deletion:
        return frozenset({key.state}), DELETION_RULE
    store_states = {store.state} | {s.state for s in store.settlements} if store else set()
    states = frozenset(key.state if s == CONNECTED else "Unavailable" for s in store_states)
    rule = "CKS-STATE-009" if "Unavailable" in states else KEY_RULE
    return states or frozenset({key.state}), rule


def plan_describe_key(
    world: World, state: ModelState, request: object, client_validation: bool
) -> Plan:
    """Predict DescribeKey's KeyState for keys the model knows (CKS-STATE-009)."""
    refused, (clean, shape) = gate.admit(
        "DescribeKey", request, client_validation=client_validation
    )
    if refused is not None:
        return refused
    rules: list[RuleVerdict] = []
    key = state.keys.get(clean.get("KeyId", ""))
    if "KeyId" in clean and key is None:
        rules.append(_v(DELETION_RULE, {"NotFoundException"}, "KeyId", "unknown key"))
    check = None
    if key is not None:
        states, rule = _key_states(state, key)
        check = DescribedKey(key.key_id, states, rule)
    return gate.conclude(shape, rules, response=check)


def respond_describe_key(state: ModelState, request: object) -> dict[str, Any]:
    """The KeyMetadata a standalone model returns for a known key."""
    clean = request if isinstance(request, Mapping) else {}
    key = state.keys[str(clean.get("KeyId"))]
    meta: dict[str, Any] = {
        "KeyId": key.key_id,
        "KeyState": effective_key_state(state, key),
        "Origin": key.origin,
        "CustomKeyStoreId": key.store_id,
    }
    if key.xks_key_id is not None:
        meta["XksKeyConfiguration"] = {"Id": key.xks_key_id}
    return {"KeyMetadata": meta}


def effective_key_state(state: ModelState, key: KeyRecord) -> str:
    """A key's state as DescribeKey shows it: Unavailable while its store is not CONNECTED."""
    store = state.stores.get(key.store_id)
    if key.pending_deletion or store is None or store.state == CONNECTED:
        return key.state
    return "Unavailable"


def complete_deletion(state: ModelState, key_id: str) -> None:
    """The waiting period ends: a PendingDeletion key disappears (ValueError otherwise)."""
    key = state.keys.get(key_id)
    if key is None or not key.pending_deletion:
        raise ValueError(f"key {key_id} is not PendingDeletion")
    del state.keys[key_id]


def respond_create_key(state: ModelState, request: object) -> dict[str, Any]:
    """The KeyMetadata a standalone model returns for a new key."""
    clean = request if isinstance(request, Mapping) else {}
    meta: dict[str, Any] = {
        "KeyId": state.allocate_key_id(),
        "KeyState": "Enabled",
        "Origin": clean.get("Origin", "AWS_KMS"),
    }
    store = state.stores.get(str(clean.get("CustomKeyStoreId")))
    if store is not None:
        meta["CustomKeyStoreId"] = store.store_id
        if store.is_xks:
            meta["XksKeyConfiguration"] = {"Id": clean.get("XksKeyId")}
        else:
            meta["CloudHsmClusterId"] = store.cluster_id
    return {"KeyMetadata": meta}


def respond_schedule_key_deletion(state: ModelState, request: object) -> dict[str, Any]:
    """The response a standalone model returns for ScheduleKeyDeletion."""
    clean = request if isinstance(request, Mapping) else {}
    return {
        "KeyId": clean.get("KeyId"),
        "KeyState": PENDING_DELETION,
        "PendingWindowInDays": clean.get("PendingWindowInDays", PENDING_WINDOW_DAYS[1]),
    }
