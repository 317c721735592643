"""The account as the checks find it: models start from the stores that already exist.

On AWS the account is shared: Describe lists every store of the account and Region, and
they count for the quota and for name, endpoint, service and cluster uniqueness. So each
check's model is seeded with what Describe showed after the last reset (read-only records,
:meth:`~conformance.model.ReferenceModel.seed`); on the emulator, after its reset, that is
nothing and the model starts empty as before.

>>> from conformance.model import World
>>> from conformance.targets.factory import PreparedTarget
>>> prepared = PreparedTarget(None, World(), known_stores=[])
>>> seeded_model(prepared).stores
{}
"""

from __future__ import annotations

from typing import Any

from conformance.model import ReferenceModel
from conformance.targets.aws.listing import ListingError, list_stores
from conformance.targets.factory import PreparedTarget


def stores_in_the_account(target: Any) -> list[dict[str, Any]]:
    """Every Describe entry of the account (all pages), or nothing when the target cannot
    list stores (an unsupported operation is met, and judged, by the checks themselves)."""
    try:
        return [dict(entry) for entry in list_stores(target.call)]
    except ListingError:
        return []


def refresh_known_stores(prepared: PreparedTarget) -> None:
    """Read the account again (after a reset)."""
    prepared.known_stores = stores_in_the_account(prepared.target)


def seeded_model(prepared: PreparedTarget, *, client_validation: bool = True) -> ReferenceModel:
    """A reference model of the account as last read, in the target's world and quota."""
    if prepared.known_stores is None:
        refresh_known_stores(prepared)
    model = ReferenceModel(
        prepared.world, client_validation=client_validation, store_quota=prepared.store_quota
    )
    model.seed(prepared.known_stores or [])
    return model
