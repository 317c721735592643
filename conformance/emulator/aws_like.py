"""The emulator dressed as AWS: slow transitions, lagging reads, a request log.

Real KMS keeps a store CONNECTING or DISCONNECTING for minutes and shows a change only after
a while (digest §9). :class:`EmulatorTiming` gives the emulator the same habits in seconds so
that ``kscheck run --target aws`` can be rehearsed against it: transitions settle by the
clock, and reads (DescribeCustomKeyStores, DescribeKey) see the account as it was
``visibility_lag_seconds`` ago. :class:`RequestLog` records every request the emulator served
(operation, store and key IDs, names, outcome; never a secret or another member), so a
rehearsal can be audited from the emulator's side.

>>> AWS_LIKE.transition_seconds, AWS_LIKE.visibility_lag_seconds
(3.0, 1.0)
>>> log = RequestLog()
>>> log.record(12.5, "CreateCustomKeyStore", {"CustomKeyStoreName": "a",
...            "KeyStorePassword": "not logged"}, 200, None)
>>> log.entries()[0]["CustomKeyStoreName"], "KeyStorePassword" in log.entries()[0]
('a', False)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

#: The only members a log entry keeps (identifiers and names; no configuration, no secret).
LOGGED_MEMBERS = ("CustomKeyStoreId", "CustomKeyStoreName", "NewCustomKeyStoreName", "KeyId")
#: Operations that change nothing (everything else counts as mutating in an audit).
READ_OPERATIONS = frozenset({"DescribeCustomKeyStores", "DescribeKey"})


@dataclass(frozen=True)
class EmulatorTiming:
    """How long CONNECTING/DISCONNECTING last and how stale reads are (seconds; 0 = the
    instant, consistent emulator)."""

    transition_seconds: float = 0.0
    visibility_lag_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("transition_seconds", "visibility_lag_seconds"):
            value = getattr(self, name)
            if not 0 <= value <= 3600:
                raise ValueError(f"{name} {value!r}: must be between 0 and 3600")

    @property
    def instant(self) -> bool:
        """Whether this is the default, AWS-unlike timing."""
        return self.transition_seconds == 0 and self.visibility_lag_seconds == 0


INSTANT = EmulatorTiming()
"""The default: transitions end before the next request; reads are consistent."""

AWS_LIKE = EmulatorTiming(transition_seconds=3.0, visibility_lag_seconds=1.0)
"""``kscheck emulator --aws-like``: transitions last 3 s, reads lag 1 s."""


FOREIGN_STORE: Mapping[str, Any] = {
    "CustomKeyStoreId": "cks-0fe0fe0fe0fe0fe01",
    "CustomKeyStoreName": "team-payments-xks",
    "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
    "ConnectionState": "DISCONNECTED",
    "XksProxyConfiguration": {
        "Connectivity": "PUBLIC_ENDPOINT",
        "AccessKeyId": "FOREIGNTEAMPAYMENTS2",
        "UriEndpoint": "https://xks.payments.example",
        "UriPath": "/kms/xks/v1",
    },
}
"""A store another team made before the run (``--foreign-store``): no run prefix, an
endpoint no check uses; a rehearsal must list it, count it, and never touch it."""


class RequestLog:
    """Every request served, in order; optionally appended to a JSON-lines file, flushed per
    line so that the log of a killed run survives."""

    def __init__(self, path: Path | None = None) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: TextIO | None = path.open("a", encoding="utf-8") if path else None

    def record(
        self,
        monotonic: float,
        operation: str,
        request: Mapping[str, Any],
        status: int,
        error_code: str | None,
    ) -> None:
        """Add one served request (only :data:`LOGGED_MEMBERS` of it are kept)."""
        entry: dict[str, Any] = {"t": monotonic, "wall": time.time(), "operation": operation}
        entry.update({m: request[m] for m in LOGGED_MEMBERS if isinstance(request.get(m), str)})
        entry.update(status=status, error=error_code)
        with self._lock:
            self._entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(entry, sort_keys=True) + "\n")
                self._file.flush()

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the entries so far."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def close(self) -> None:
        """Close the file, if any."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_request_log(path: Path) -> list[dict[str, Any]]:
    """The entries of a JSON-lines request log (a torn last line is ignored)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries
