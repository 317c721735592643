"""Objects holding secrets, signatures or plaintext print without them, also in Hypothesis's
pretty printer (which shows dataclass fields one by one unless the class says otherwise)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis.vendor.pretty import pretty

from conformance.xks.app import HttpRequest
from conformance.xks.client import XksResponse
from conformance.xks.config import Credential
from conformance.xks.protocol import EncryptRequest

HIDDEN = "hidden-value-0123456789"


@pytest.mark.parametrize(
    "value",
    [
        HttpRequest("POST", "/kms/xks/v1/health", (("Authorization", HIDDEN),), HIDDEN.encode()),
        EncryptRequest("r", "Encrypt", HIDDEN.encode(), None, False),
        XksResponse(200, {}, HIDDEN.encode(), {"plaintext": HIDDEN}, 0.0),
        Credential("AKIDAKIDAKIDAKIDAKID", HIDDEN),
    ],
    ids=["http-request", "encrypt-request", "xks-response", "credential"],
)
def test_secrets_and_plaintext_stay_out_of_repr_and_pretty(value: Any) -> None:
    assert HIDDEN not in repr(value)
    assert HIDDEN not in pretty(value)
