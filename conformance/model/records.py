"""What the model remembers: store and key records (frozen; the model replaces them).

>>> s = StoreRecord("cks-00000000000000001", "a", "AWS_CLOUDHSM", creation_tick=1)
>>> s.state
'DISCONNECTED'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HSM = "AWS_CLOUDHSM"
XKS = "EXTERNAL_KEY_STORE"
PUBLIC = "PUBLIC_ENDPOINT"
VPC = "VPC_ENDPOINT_SERVICE"

CONNECTED = "CONNECTED"
CONNECTING = "CONNECTING"
DISCONNECTED = "DISCONNECTED"
DISCONNECTING = "DISCONNECTING"
FAILED = "FAILED"

PENDING_DELETION = "PendingDeletion"


def store_id_for(counter: int) -> str:
    """The deterministic store ID the model itself assigns: ``cks-`` + 17 hex digits.

    >>> store_id_for(1)
    'cks-00000000000000001'
    """
    return f"cks-{counter:017x}"


def key_id_for(counter: int) -> str:
    """The deterministic KMS key ID the model itself assigns (UUID-shaped).

    >>> key_id_for(10)
    '0000000a-0000-4000-8000-00000000000a'
    """
    return f"{counter:08x}-0000-4000-8000-{counter:012x}"


@dataclass(frozen=True)
class Settlement:
    """How a transient state may end: the final state and, if FAILED, the error code.

    `alternative` marks an end the docs allow but a standalone model never picks (OQ-30: a
    failed connection may show INTERNAL_ERROR or NETWORK_ERRORS instead of its specific
    code); it takes no part in equality, so an observed settlement matches either way.

    >>> generic = Settlement("FAILED", "INTERNAL_ERROR", alternative=True)
    >>> generic == Settlement("FAILED", "INTERNAL_ERROR")
    True
    """

    state: str
    error_code: str | None = None
    alternative: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class StoreRecord:
    """One custom key store as KMS holds it (secrets redacted in the repr)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # the dataclass repr leaves the secret fields out

    store_id: str
    name: str
    store_type: str
    creation_tick: int = 0
    state: str = DISCONNECTED
    error_code: str | None = None
    # AWS_CLOUDHSM
    cluster_id: str | None = None
    trust_anchor: str | None = None
    key_store_password: str | None = field(default=None, repr=False)
    # EXTERNAL_KEY_STORE
    connectivity: str | None = None
    uri_endpoint: str | None = None
    uri_path: str | None = None
    access_key_id: str | None = None
    raw_secret_access_key: str | None = field(default=None, repr=False)
    service_name: str | None = None
    service_owner: str | None = None
    owner_explicit: bool = False
    owner_omitted: bool = False  # no owner sent: KMS used the caller's account (CKS-OWNER-001)
    failure_cleared: bool = False  # disconnected from FAILED: the error code is gone
    # what a transient state may settle to (empty when not transient)
    settlements: frozenset[Settlement] = frozenset()
    # fields whose Describe value is open (OQ-4): the alternatives also accepted
    describe_alternatives: tuple[tuple[str, str | None], ...] = ()
    # existed before the run (seeded from Describe): read-only, may change under its owner's
    # hand (OQ-33), so Describe judges it for presence and shape, not for its values
    preexisting: bool = False

    @property
    def is_xks(self) -> bool:
        """Whether this is an external key store."""
        return self.store_type == XKS

    @property
    def is_vpc(self) -> bool:
        """Whether this XKS connects through a VPC endpoint service."""
        return self.is_xks and self.connectivity == VPC


@dataclass(frozen=True)
class KeyRecord:
    """A KMS key created in a custom key store."""

    key_id: str
    store_id: str
    origin: str
    xks_key_id: str | None = None
    state: str = "Enabled"

    @property
    def pending_deletion(self) -> bool:
        """Whether the key is scheduled for deletion."""
        return self.state == PENDING_DELETION
