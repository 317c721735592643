"""The quota pre-check: a run that needs more stores than the account has free is refused
before its first Create, naming the numbers (digest §8: 10 stores per account and Region by
default; the quota counts every store of both types in any state).

>>> try:
...     check_free_quota([{"CustomKeyStoreName": "prod"}] * 8, needed=3, quota=10)
... except QuotaError as error:
...     print(error)  # doctest: +NORMALIZE_WHITESPACE
the run needs 4 free custom key stores (3 + 1 for the fixture store kscheck_fixture);
 the account has 8 of 10, so 2 are free
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from conformance.targets.aws.account import FIXTURE_STORE_NAME, AwsFenceError


class QuotaError(AwsFenceError):
    """Fewer stores are free in the account than the run needs."""


def check_free_quota(stores: Sequence[Mapping[str, Any]], *, needed: int, quota: int) -> int:
    """Refuse unless `needed` stores (plus the fixture, if it does not exist yet) are free
    under `quota`; returns how many are free."""
    if needed < 0 or quota < 1:
        raise ValueError(f"needed {needed}, quota {quota}: needed >= 0 and quota >= 1")
    existing = len(stores)
    has_fixture = any(s.get("CustomKeyStoreName") == FIXTURE_STORE_NAME for s in stores)
    total = needed if has_fixture else needed + 1
    free = max(quota - existing, 0)
    if free < total:
        why = "" if has_fixture else f" ({needed} + 1 for the fixture store {FIXTURE_STORE_NAME})"
        raise QuotaError(
            f"the run needs {total} free custom key stores{why}; the account has "
            f"{existing} of {quota}, so {free} are free"
        )
    return free
