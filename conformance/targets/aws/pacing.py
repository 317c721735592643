"""Per-operation pacing: each custom key store operation is limited to 5 requests/s per
account and Region (digest §8), so no operation is sent more often than that.

>>> now = [0.0]
>>> def sleep(seconds):
...     now[0] += seconds
>>> pacer = OperationPacer(rate=5.0, clock=lambda: now[0], sleep=sleep)
>>> for _ in range(3):
...     pacer.wait("CreateCustomKeyStore")
>>> round(now[0], 3)
0.42
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

REQUESTS_PER_SECOND_PER_OPERATION = 5.0


class OperationPacer:
    """Spaces calls of each operation at least 1/rate seconds apart (injectable clock)."""

    def __init__(
        self,
        rate: float = REQUESTS_PER_SECOND_PER_OPERATION,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # a 5 % margin under the quota, on top of spacing from the answers (see answered)
        self._interval = 1.05 / rate
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

    def answered(self, operation: str) -> None:
        """The call of `operation` came back: the next may go no sooner than one interval
        after this answer. Spacing the sends alone let arrivals bunch up when one request
        was delayed on its way (a rehearsal's audit saw 6 Describes within 0.97 s)."""
        with self._lock:
            self._next[operation] = max(
                self._next.get(operation, 0.0), self._clock() + self._interval
            )
