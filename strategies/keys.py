"""CreateKey requests in a custom key store (spec digest §7), valid and one-mutation invalid.

A valid request names the store, the origin of the store's type and, for an external key
store, an XksKeyId that the store's proxy knows (`KeyCase.world` adds that external key).
Invalid ones: an XksKeyId breaking its botocore shape (CKS-SHAPE-024), an origin that does
not match the store or is not a custom-key-store origin (CKS-KEY-002), an XksKeyId missing
for EXTERNAL_KEY_STORE or sent for another origin (CKS-KEY-003), and an XksKeyId already
backing a KMS key of the store (CKS-KEY-008).

>>> from conformance.model import StoreRecord
>>> from strategies import first_example
>>> s = StoreRecord("cks-1", "a", "EXTERNAL_KEY_STORE", state="CONNECTED")
>>> first_example(create_key_requests(s), lambda c: c.group == "valid").request["Origin"]
'EXTERNAL_KEY_STORE'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from conformance.model import ExternalKey, StoreRecord, World
from conformance.spec.botocore_model import enum_values
from strategies.members import invalid_values, valid_values
from strategies.violations import ReplayableRepr, Violation

CREATE_KEY: Final = "CreateKey"
VALIDATION: Final = "ValidationException"
UNSUPPORTED: Final = "UnsupportedOperationException"


@dataclass(frozen=True)
class KeyCase(ReplayableRepr):
    """A CreateKey request for a store, what it exercises, and what to expect."""

    group: str
    request: dict[str, Any]
    violation: Violation | None = None

    def world(self, base: World) -> World:
        """`base` where the proxy serving the store also knows the requested external key."""
        key_id = self.request.get("XksKeyId")
        if not isinstance(key_id, str):
            return base
        proxies = tuple(
            dataclasses.replace(p, external_keys=(*p.external_keys, ExternalKey(key_id)))
            for p in base.proxies
        )
        return dataclasses.replace(base, proxies=proxies)


def _other_origins(store: StoreRecord) -> list[str]:
    return [o for o in enum_values("OriginType") if o != store.store_type]


def key_groups(store: StoreRecord, xks_key_ids_in_use: Sequence[str] = ()) -> list[str]:
    """What a CreateKey case for this store can exercise."""
    groups = ["valid", "origin", "bad_xks_key_id"] if store.is_xks else ["valid", "origin"]
    return groups + ["xks_key_id_misplaced"] + ["xks_key_id_in_use"] * bool(xks_key_ids_in_use)


@st.composite
def create_key_requests(
    draw: st.DrawFn,
    store: StoreRecord,
    xks_key_ids_in_use: Sequence[str] = (),
    group: str | None = None,
) -> KeyCase:
    """A `KeyCase` for `store` (CONNECTED for the valid ones to succeed).

    `xks_key_ids_in_use` are external key IDs already backing KMS keys of the store;
    `group` fixes what the case exercises (see `key_groups`).
    """
    request: dict[str, Any] = {"Origin": store.store_type, "CustomKeyStoreId": store.store_id}
    groups = key_groups(store, xks_key_ids_in_use)
    if group is not None and group not in groups:
        raise ValueError(f"group {group!r} does not apply here: {groups}")
    group = group or draw(st.sampled_from(groups))
    xks_key_id = valid_values(CREATE_KEY, "XksKeyId").filter(lambda k: k not in xks_key_ids_in_use)
    if store.is_xks:
        request["XksKeyId"] = draw(xks_key_id)
    violation: Violation | None = None
    if group == "origin":
        request["Origin"] = draw(st.sampled_from(_other_origins(store)))
        violation = Violation(
            "Origin", "origin", "CKS-KEY-002", frozenset({VALIDATION, UNSUPPORTED})
        )
        if store.is_xks:
            request.pop("XksKeyId")  # the XksKeyId rules would object too; keep one mutation
    elif group == "bad_xks_key_id":
        bad = draw(invalid_values(CREATE_KEY, "XksKeyId"))
        request["XksKeyId"] = bad.value
        violation = bad.violation
    elif group == "xks_key_id_misplaced" and store.is_xks:
        request.pop("XksKeyId")
        violation = Violation(
            "XksKeyId", "required_for_origin", "CKS-KEY-003", frozenset({VALIDATION})
        )
    elif group == "xks_key_id_misplaced":
        request["XksKeyId"] = draw(xks_key_id)
        errors = frozenset({VALIDATION, UNSUPPORTED})
        violation = Violation("XksKeyId", "not_for_origin", "CKS-KEY-003", errors)
    elif group == "xks_key_id_in_use":
        request["XksKeyId"] = draw(st.sampled_from(list(xks_key_ids_in_use)))
        errors = frozenset({"XksKeyAlreadyInUseException"})
        violation = Violation("XksKeyId", "in_use", "CKS-KEY-008", errors)
    return KeyCase(group, request, violation)
