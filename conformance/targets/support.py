"""Which operations a target implements, learnt from its own answers, one operation at a time.

A target that lacks DescribeCustomKeyStores may still implement CreateKey: support is never
decided for the whole target. Every observation a target classifies as UNSUPPORTED (moto's
NotImplementedError, moto server's HTML 500, a 501, InvalidAction) is noted here; a check
that declares the operations it needs is UNSUPPORTED before it sends anything once one of
them is known to be missing, and every other check still runs.

>>> ledger = SupportLedger()
>>> ledger.note("CreateCustomKeyStore", "HTTP 501: not emulated")
>>> ledger.first_missing(["CreateKey", "CreateCustomKeyStore"])
('CreateCustomKeyStore', 'HTTP 501: not emulated')
>>> ledger.first_missing(["CreateKey"]) is None
True
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping


class SupportLedger:
    """Operation name -> why the target does not implement it (only the missing ones)."""

    def __init__(self) -> None:
        self._missing: dict[str, str] = {}
        self._lock = threading.Lock()

    def note(self, operation: str, reason: str) -> None:
        """Record that the target answered `operation` as not implemented."""
        with self._lock:
            self._missing.setdefault(operation, reason)

    def first_missing(self, operations: Iterable[str]) -> tuple[str, str] | None:
        """The first of `operations` known to be missing, with the target's reason."""
        with self._lock:
            for operation in operations:
                if operation in self._missing:
                    return operation, self._missing[operation]
        return None

    @property
    def missing(self) -> Mapping[str, str]:
        """Every operation known to be missing, with its reason."""
        with self._lock:
            return dict(self._missing)
