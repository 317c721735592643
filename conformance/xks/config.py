"""What the fake XKS proxy serves: tenants, credentials, keys, EKM fleet, faults.

The configuration is an explicit description of the world (DESIGN: "the world is
explicit"), so a model can predict what the proxy will answer.

>>> config = FakeProxyConfig()
>>> config.region, config.tenants[0].uri_prefix, len(config.tenants[0].credentials)
('us-east-1', '/example/uri/path/prefix', 2)
>>> [key.key_id for key in config.keys][:2]
['foo', 'encrypt_only_key']
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from conformance.xks.faults import SLOW_FAULT_DELAY_SECONDS, validate_fault_names

#: The official test client's URI_PREFIX with a leading slash [TC].
DEFAULT_URI_PREFIX = "/example/uri/path/prefix"
SECOND_URI_PREFIX = "/second/tenant/prefix"

_ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
_PREFIX_PATTERN = re.compile(r"(/[A-Za-z0-9/_-]+)?")
_KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")

HEALTH_STATUSES = ("ACTIVE", "DEGRADED", "UNAVAILABLE")


class Credential(NamedTuple):
    """A SigV4 credential pair that unpacks as a tuple; its repr never shows the secret.

    >>> Credential("AKIDAKIDAKIDAKIDAKID", "s" * 43)
    Credential(access_key_id='AKIDAKIDAKIDAKIDAKID', secret_access_key='<redacted>')
    >>> access_key_id, secret = Credential("AKIDAKIDAKIDAKIDAKID", "s" * 43)
    """

    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:
        return f"Credential(access_key_id={self.access_key_id!r}, secret_access_key='<redacted>')"


def random_credential() -> Credential:
    """A fresh credential in the spec's formats: 24-char A-Z2-7 id, 64-char secret [SPEC §3].

    >>> len(random_credential().access_key_id)
    24
    """
    access_key_id = "".join(secrets.choice(_ACCESS_KEY_ALPHABET) for _ in range(24))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(64))
    return Credential(access_key_id, secret)


@dataclass(frozen=True)
class FakeKey:
    """An external key: id, allowed usages and whether it is enabled.

    >>> FakeKey("foo").usages
    ('ENCRYPT', 'DECRYPT')
    """

    key_id: str
    usages: tuple[str, ...] = ("ENCRYPT", "DECRYPT")
    enabled: bool = True

    def __post_init__(self) -> None:
        if not _KEY_ID_PATTERN.fullmatch(self.key_id):
            raise ValueError(f"key_id {self.key_id!r}: must be 1-128 chars of A-Za-z0-9._-")


#: Key roles -> the official test client's default key ids [TC], plus a disabled key.
DEFAULT_KEYS: tuple[FakeKey, ...] = (
    FakeKey("foo"),
    FakeKey("encrypt_only_key", ("ENCRYPT",)),
    FakeKey("decrypt_only_key", ("DECRYPT",)),
    FakeKey("impotent_key", ("WRAP", "UNWRAP")),
    FakeKey("disabled_key", enabled=False),
)


@dataclass(frozen=True)
class Tenant:
    """One isolated tenant: a URI prefix and the credentials accepted on it (rotation: >= 2)."""

    uri_prefix: str
    credentials: tuple[Credential, ...] = field(
        default_factory=lambda: (random_credential(), random_credential())
    )

    def __post_init__(self) -> None:
        if len(self.uri_prefix) > 117 or not _PREFIX_PATTERN.fullmatch(self.uri_prefix):
            raise ValueError(
                f"uri_prefix {self.uri_prefix!r}: must be empty or '/' followed by "
                "A-Za-z0-9/_- characters, at most 117 chars"
            )
        if not self.credentials:
            raise ValueError(f"tenant {self.uri_prefix!r}: needs at least one credential")


@dataclass(frozen=True)
class EkmNode:
    """One external key manager behind the proxy, as reported by GetHealthStatus."""

    id: str
    model: str = "kscheck-soft-ekm"
    health_status: str = "ACTIVE"

    def __post_init__(self) -> None:
        if self.health_status not in HEALTH_STATUSES:
            raise ValueError(
                f"health_status {self.health_status!r}: must be one of {HEALTH_STATUSES}"
            )


DEFAULT_EKM_FLEET: tuple[EkmNode, ...] = (EkmNode("ekm-1"), EkmNode("ekm-2"))

#: Certificate variants the server can present (see ``conformance.xks.certs``).
CERT_VARIANTS = ("valid", "expired", "wrong_hostname", "untrusted_ca")


@dataclass(frozen=True)
class FakeProxyConfig:
    """Everything the fake proxy needs; ``faults`` names entries of ``FAULTS``, ``variants``
    entries of ``VARIANTS`` (permitted behaviours, ``conformance.xks.variants``).

    ``cert_variant`` follows the TLS faults when left at "valid" (``expired_cert`` selects
    "expired", and so on). ``read_timeout`` bounds how long a connection may stay silent,
    ``request_deadline`` how long one request may take to arrive once it has begun
    (slowloris), ``max_connections`` how many connections are served at once (more are
    refused). ``slow_delay_seconds`` is how late the ``slow`` fault answers.

    >>> FakeProxyConfig(faults=frozenset({"slow"})).faults
    frozenset({'slow'})
    """

    region: str = "us-east-1"
    tenants: tuple[Tenant, ...] = field(
        default_factory=lambda: (Tenant(DEFAULT_URI_PREFIX), Tenant(SECOND_URI_PREFIX))
    )
    keys: tuple[FakeKey, ...] = DEFAULT_KEYS
    ekm_fleet: tuple[EkmNode, ...] = DEFAULT_EKM_FLEET
    proxy_fleet_size: int = 1
    proxy_vendor: str = "kscheck"
    proxy_model: str = "FakeXksProxy"
    ekm_vendor: str = "kscheck"
    ciphertext_metadata: bytes | None = b"key_version=1"
    faults: frozenset[str] = frozenset()
    variants: frozenset[str] = frozenset()
    cert_variant: str = "valid"
    mtls: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    ping_port: int | None = 0
    read_timeout: float = 5.0
    request_deadline: float = 30.0
    max_connections: int = 64
    slow_delay_seconds: float = SLOW_FAULT_DELAY_SECONDS
    max_body_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        validate_fault_names(self.faults)
        from conformance.xks.variants import validate_variant_names  # it imports FakeKey

        validate_variant_names(self.variants)
        if self.cert_variant not in CERT_VARIANTS:
            raise ValueError(f"cert_variant {self.cert_variant!r}: one of {CERT_VARIANTS}")
        if not self.tenants:
            raise ValueError("tenants: at least one tenant is needed")
        prefixes = [tenant.uri_prefix for tenant in self.tenants]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(f"tenants: uri prefixes must be unique, got {prefixes}")
        if self.ciphertext_metadata is not None and len(self.ciphertext_metadata) > 20:
            raise ValueError("ciphertext_metadata: at most 20 bytes [SPEC §3]")
        if not 1 <= len(self.ekm_fleet) <= 10:
            raise ValueError("ekm_fleet: 1 to 10 EKM nodes [SPEC §2]")

    def key(self, key_id: str) -> FakeKey | None:
        """The key with this id, or None."""
        return next((key for key in self.keys if key.key_id == key_id), None)

    @property
    def effective_cert_variant(self) -> str:
        """The certificate variant to serve, after the TLS faults are applied."""
        for fault, variant in (
            ("expired_cert", "expired"),
            ("wrong_hostname", "wrong_hostname"),
            ("untrusted_ca", "untrusted_ca"),
        ):
            if fault in self.faults:
                return variant
        return self.cert_variant
