"""The subtle faults of the fake proxy (issue 13): defects that show only for one byte
position, one length, one kmsOperation value, one optional field, after repetition or under
concurrency. Each helper is the *faulty* alternative to one step of the correct path in
:mod:`conformance.xks.app`, which calls it only when its fault is switched on.

>>> state = SubtleState()
>>> [state.every_nth("decrypt", 3) for _ in range(6)]
[False, False, True, False, False, True]
"""

from __future__ import annotations

import itertools
import os
import threading
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from conformance.xks import aead

#: How many tag bytes ``tag_prefix_checked`` compares (GCM tags may be truncated; KMS's are not).
CHECKED_TAG_BYTES = 12
#: The AAD bytes ``aad_tail_unbound`` binds.
AAD_BUFFER_BYTES = 4096
#: The plaintext bytes ``plaintext_buffer_4096`` keeps.
PLAINTEXT_BUFFER_BYTES = 4096
#: How long the racy faults hold their shared state between read and write: the window in
#: which a concurrent request interleaves (the defect is the missing lock, not the pause).
RACE_WINDOW_SECONDS = 0.002


class SubtleState:
    """Shared mutable state of the repetition and concurrency faults (one per proxy)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, itertools.count[int]] = {}
        self._iv_prefix = os.urandom(4)
        self._iv_counter = 0
        self._buffer = b""

    def every_nth(self, name: str, n: int) -> bool:
        """True on the n-th, 2n-th, ... call for counter `name` (thread-safe)."""
        with self._lock:
            counter = self._counters.setdefault(name, itertools.count(1))
            return next(counter) % n == 0

    def racy_iv(self) -> bytes:
        """``iv_counter_race``: read the counter, build the IV, write the counter back, with
        no lock: two encrypts inside the window get the same IV."""
        current = self._iv_counter
        time.sleep(RACE_WINDOW_SECONDS)
        self._iv_counter = current + 1
        return self._iv_prefix + current.to_bytes(8, "big")

    def through_shared_buffer(self, plaintext: bytes) -> bytes:
        """``shared_plaintext_buffer``: write the plaintext to one buffer for all requests,
        then read it back; a concurrent decrypt may have overwritten it meanwhile."""
        self._buffer = plaintext
        time.sleep(RACE_WINDOW_SECONDS)
        return self._buffer


def open_with_tag_prefix(key: bytes, sealed: aead.Sealed, associated: bytes) -> bytes:
    """``tag_prefix_checked``: AES-GCM decrypt verifying only the tag's first 12 bytes."""
    try:
        decryptor = Cipher(
            algorithms.AES(key),
            modes.GCM(sealed.iv, sealed.tag[:CHECKED_TAG_BYTES], CHECKED_TAG_BYTES),
        ).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(sealed.ciphertext) + decryptor.finalize()
    except (InvalidTag, ValueError) as error:
        raise aead.AuthenticationFailed("authentication tag mismatch") from error
