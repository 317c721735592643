"""Stores that existed before the run: records built from DescribeCustomKeyStores entries.

On a real account the run is not alone: Describe lists every store of the account and Region.
Such a store is a read-only fact for the model: listed, counted in the quota and in the
uniqueness rules, and judged in Describe only for presence and shape, since its owner may
change it at any time (OQ-33).

>>> record = seeded_record({"CustomKeyStoreId": "cks-1234567890abcdef0",
...     "CustomKeyStoreName": "theirs", "CustomKeyStoreType": "AWS_CLOUDHSM",
...     "ConnectionState": "CONNECTED", "CloudHsmClusterId": "cluster-abcdefghijk",
...     "TrustAnchorCertificate": "anchor"}, creation_tick=-1)
>>> record.preexisting, record.state, record.cluster_id
(True, 'CONNECTED', 'cluster-abcdefghijk')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.model.records import DISCONNECTED, FAILED, HSM, VPC, XKS, StoreRecord


class SeedEntryError(ValueError):
    """A Describe entry the model cannot take as a pre-existing store (names the member)."""


def _text(entry: Mapping[str, Any], member: str, where: str, required: bool = True) -> str | None:
    value = entry.get(member)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise SeedEntryError(f"{where}: {member} must be a non-empty string, got {value!r}")
    return value


def seeded_record(
    entry: Mapping[str, Any], creation_tick: int, where: str = "entry"
) -> StoreRecord:
    """The pre-existing store a Describe `entry` (a boto3 dict) shows.

    Raises SeedEntryError naming the member when the entry lacks its ID, name or type
    members (a secret member is never read).
    """
    if not isinstance(entry, Mapping):
        raise SeedEntryError(f"{where}: must be a DescribeCustomKeyStores entry (a mapping)")
    store_id = str(_text(entry, "CustomKeyStoreId", where))
    name = str(_text(entry, "CustomKeyStoreName", where))
    store_type = entry.get("CustomKeyStoreType", HSM)
    if store_type not in (HSM, XKS):
        raise SeedEntryError(f"{where}: CustomKeyStoreType must be {HSM} or {XKS}")
    state = _text(entry, "ConnectionState", where, required=False) or DISCONNECTED
    error_code = entry.get("ConnectionErrorCode") if state == FAILED else None
    common: dict[str, Any] = {
        "creation_tick": creation_tick,
        "state": state,
        "error_code": error_code,
        "preexisting": True,
    }
    if store_type == HSM:
        return StoreRecord(
            store_id,
            name,
            HSM,
            cluster_id=entry.get("CloudHsmClusterId"),
            trust_anchor=entry.get("TrustAnchorCertificate"),
            **common,
        )
    config = entry.get("XksProxyConfiguration")
    if not isinstance(config, Mapping):
        raise SeedEntryError(f"{where}: XksProxyConfiguration must be present for {XKS}")
    vpc = config.get("Connectivity") == VPC
    return StoreRecord(
        store_id,
        name,
        XKS,
        connectivity=config.get("Connectivity"),
        uri_endpoint=config.get("UriEndpoint"),
        uri_path=config.get("UriPath"),
        access_key_id=config.get("AccessKeyId"),
        service_name=config.get("VpcEndpointServiceName") if vpc else None,
        service_owner=config.get("VpcEndpointServiceOwner") if vpc else None,
        owner_explicit=vpc and "VpcEndpointServiceOwner" in config,
        **common,
    )
