"""Leftovers of earlier runs: retire every store whose name carries a run prefix.

Only names matching ``kscheck-[a-z0-9]{4,16}-`` are touched: never the fixture store
(``kscheck_fixture``) and never anyone else's store. ``older_than`` keeps stores younger
than that (by CreationDate; a store without one is kept). A store that still holds KMS keys
cannot be deleted until their waiting period ends; kscheck cannot list keys (it has no
kms:ListKeys), so it says what is knowable: at most 30 days after the keys were scheduled,
and never before 7 days after the store was created.

>>> parse_age("90m"), parse_age("2d")
(datetime.timedelta(seconds=5400), datetime.timedelta(days=2))
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from conformance.targets.aws.account import is_run_store_name
from conformance.targets.aws.listing import list_stores
from conformance.targets.aws.retire import HOLDS_KEYS, Retirer
from conformance.targets.timing import Call, Timing

_AGE = re.compile(r"([0-9]{1,6})([smhd])", re.ASCII)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MINIMUM_WAITING_PERIOD = timedelta(days=7)


def parse_age(text: str) -> timedelta:
    """``30m``, ``6h``, ``2d``, ``45s``: a number and one unit; ValueError otherwise."""
    match = _AGE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r}: must be a number with a unit s, m, h or d (e.g. 30m, 6h, 2d)")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class SweepLine:
    """One store the sweep considered, and what became of it."""

    store_id: str
    name: str
    state: str
    done: bool
    action: str

    def __str__(self) -> str:
        return f"{self.action}: {self.name} ({self.store_id}, {self.state})"


def _created(entry: Mapping[str, Any]) -> datetime | None:
    value = entry.get("CreationDate")
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def candidates(
    stores: Sequence[Mapping[str, Any]], *, older_than: timedelta | None, now: datetime
) -> list[Mapping[str, Any]]:
    """The entries a sweep may retire: run-prefixed names, old enough when asked."""
    chosen = []
    for entry in stores:
        if not is_run_store_name(entry.get("CustomKeyStoreName")):
            continue
        if older_than is not None:
            created = _created(entry)
            if created is None or now - created < older_than:
                continue
        chosen.append(entry)
    return chosen


def _holds_keys_detail(entry: Mapping[str, Any], now: datetime) -> str:
    created = _created(entry)
    if created is None or created + MINIMUM_WAITING_PERIOD <= now:
        return HOLDS_KEYS
    earliest = (created + MINIMUM_WAITING_PERIOD).strftime("%Y-%m-%d %H:%M UTC")
    return f"{HOLDS_KEYS} (not before {earliest})"


def sweep(
    call: Call,
    timing: Timing,
    *,
    dry_run: bool = False,
    older_than: timedelta | None = None,
    now: datetime | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[SweepLine]:
    """Retire (or, with `dry_run`, only list) every leftover store; one line per store."""
    moment = now or datetime.now(timezone.utc)
    retirer = Retirer(call, timing, clock, sleep)
    lines = []
    for entry in candidates(list_stores(call), older_than=older_than, now=moment):
        store_id = str(entry.get("CustomKeyStoreId"))
        name = str(entry.get("CustomKeyStoreName"))
        state = str(entry.get("ConnectionState", "?"))
        if dry_run:
            verb = "would disconnect and delete" if state != "DISCONNECTED" else "would delete"
            lines.append(SweepLine(store_id, name, state, True, verb))
            continue
        retired = retirer.retire(store_id)
        if retired.gone:
            lines.append(SweepLine(store_id, name, state, True, "deleted"))
        elif retired.holds_keys:
            detail = _holds_keys_detail(entry, moment)
            lines.append(SweepLine(store_id, name, state, False, f"left, {detail}"))
        else:
            lines.append(SweepLine(store_id, name, state, False, f"left, {retired.detail}"))
    return lines
