"""Every store in the account and Region, page by page (Describe without a filter).

>>> from conformance.targets.observation import Observation
>>> pages = iter([{"CustomKeyStores": [{"CustomKeyStoreId": "cks-1"}], "Truncated": True,
...                "NextMarker": "m"}, {"CustomKeyStores": [{"CustomKeyStoreId": "cks-2"}]}])
>>> call = lambda op, req: Observation(op, response=next(pages))
>>> [e["CustomKeyStoreId"] for e in list_stores(call)]
['cks-1', 'cks-2']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.targets.timing import Call

MAX_PAGES = 1000


class ListingError(RuntimeError):
    """Describe without a filter failed, so the account's stores are unknown."""


def list_stores(call: Call, *, page_size: int | None = None) -> list[Mapping[str, Any]]:
    """Every store entry Describe lists, following NextMarker while Truncated."""
    found: list[Mapping[str, Any]] = []
    request: dict[str, Any] = {} if page_size is None else {"Limit": page_size}
    for _ in range(MAX_PAGES):
        seen = call("DescribeCustomKeyStores", dict(request))
        if not seen.succeeded:
            raise ListingError(f"listing the account's stores: {seen.describe()}")
        page = seen.response or {}
        found.extend(page.get("CustomKeyStores") or [])
        marker = page.get("NextMarker")
        if not page.get("Truncated") or not isinstance(marker, str):
            return found
        request["Marker"] = marker
    raise ListingError(f"listing the account's stores: more than {MAX_PAGES} pages")
