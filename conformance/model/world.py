"""The explicit world the reference model predicts against: proxies, VPC services, clusters.

Everything a backend would do (a healthy proxy here, an inactive cluster there) is an input,
so the model can predict Create/Update/Connect outcomes and ConnectionErrorCodes without I/O.
All types are frozen; reprs are valid Python with secrets redacted.

>>> w = World(proxies=(XksProxy("https://proxy.example.com", "/kms/xks/v1"),))
>>> w.proxy_at("https://proxy.example.com", "/kms/xks/v1").behaviour
ProxyBehaviour.HEALTHY
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"


class _ReprEnum(str, Enum):
    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class ProxyBehaviour(_ReprEnum):
    """How an XKS proxy at an (endpoint, path) answers KMS."""

    HEALTHY = "HEALTHY"
    UNREACHABLE = "UNREACHABLE"
    WRONG_CREDENTIALS = "WRONG_CREDENTIALS"
    BAD_TLS = "BAD_TLS"
    INVALID_RESPONSE = "INVALID_RESPONSE"
    TIMEOUT = "TIMEOUT"
    ALL_EKMS_UNAVAILABLE = "ALL_EKMS_UNAVAILABLE"
    WRONG_URI_PATH = "WRONG_URI_PATH"
    ACCESS_DENIED = "ACCESS_DENIED"


def _redacted_repr(secret: str) -> str:
    return repr(f"<redacted:{len(secret)}>")


class _PrintsOwnRepr:
    """Mixin: pretty printers (Hypothesis's counterexamples) show the redacting ``repr``,
    not the dataclass fields one by one, which would print the secrets."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class ProxyCredential(_PrintsOwnRepr):
    """A SigV4 credential an XKS proxy accepts (the secret is redacted in the repr).

    >>> ProxyCredential("A" * 20, "s" * 43)
    ProxyCredential(access_key_id='AAAAAAAAAAAAAAAAAAAA', raw_secret_access_key='<redacted:43>')
    """

    access_key_id: str
    raw_secret_access_key: str

    def __repr__(self) -> str:
        return (
            f"ProxyCredential(access_key_id={self.access_key_id!r}, "
            f"raw_secret_access_key={_redacted_repr(self.raw_secret_access_key)})"
        )


@dataclass(frozen=True)
class ExternalKey:
    """A key in the external key manager behind a proxy, as GetKeyMetadata would report it."""

    key_id: str
    key_spec: str = "AES_256"
    state: str = "ENABLED"
    usages: frozenset[str] = frozenset({"ENCRYPT", "DECRYPT"})

    @property
    def usable_by_kms(self) -> bool:
        """Whether KMS accepts it for a new KMS key (AES_256, ENABLED, ENCRYPT+DECRYPT)."""
        return (
            self.key_spec == "AES_256"
            and self.state == "ENABLED"
            and {"ENCRYPT", "DECRYPT"} <= set(self.usages)
        )


@dataclass(frozen=True)
class XksProxy:
    """An XKS proxy reachable at `uri_endpoint` + `uri_path`.

    `credentials` empty means the proxy accepts any credential.
    """

    uri_endpoint: str
    uri_path: str
    behaviour: ProxyBehaviour = ProxyBehaviour.HEALTHY
    credentials: tuple[ProxyCredential, ...] = ()
    external_keys: tuple[ExternalKey, ...] = ()

    def accepts(self, access_key_id: str, raw_secret_access_key: str) -> bool:
        """Whether the proxy accepts this SigV4 credential."""
        if not self.credentials:
            return True
        return ProxyCredential(access_key_id, raw_secret_access_key) in self.credentials

    def external_key(self, key_id: str) -> ExternalKey | None:
        """The external key with this ID, or None."""
        return next((k for k in self.external_keys if k.key_id == key_id), None)


@dataclass(frozen=True)
class VpcEndpointService:
    """A VPC endpoint service an XKS may connect through."""

    service_name: str
    owner: str = DEFAULT_ACCOUNT
    private_dns_name: str = ""
    exists: bool = True
    conformant: bool = True
    allows_kms_principal: bool = True


class KmsUserState(_ReprEnum):
    """The CloudHSM ``kmsuser`` crypto user's condition."""

    OK = "OK"
    NOT_FOUND = "NOT_FOUND"
    LOCKED_OUT = "LOCKED_OUT"
    LOGGED_IN = "LOGGED_IN"


@dataclass(frozen=True)
class CloudHsmCluster(_PrintsOwnRepr):
    """An AWS CloudHSM cluster (the kmsuser password is redacted in the repr)."""

    cluster_id: str
    trust_anchor: str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    active: bool = True
    hsm_count: int = 2
    availability_zones: int = 2
    network_ok: bool = True
    backup_family: str = ""
    kmsuser_password: str = "kmsuser-pass"
    kmsuser: KmsUserState = KmsUserState.OK

    @property
    def family(self) -> str:
        """Clusters sharing backup history share a family (default: the cluster's own ID)."""
        return self.backup_family or self.cluster_id

    @property
    def ready_for_keys(self) -> bool:
        """At least two active HSMs in different AZs and valid networking."""
        return (
            self.active
            and self.hsm_count >= 2
            and self.availability_zones >= 2
            and (self.network_ok)
        )

    def __repr__(self) -> str:
        return (
            f"CloudHsmCluster(cluster_id={self.cluster_id!r}, trust_anchor={self.trust_anchor!r}, "
            f"active={self.active!r}, hsm_count={self.hsm_count!r}, "
            f"availability_zones={self.availability_zones!r}, network_ok={self.network_ok!r}, "
            f"backup_family={self.backup_family!r}, "
            f"kmsuser_password={_redacted_repr(self.kmsuser_password)}, "
            f"kmsuser={self.kmsuser!r})"
        )


@dataclass(frozen=True)
class World:
    """Everything outside KMS that the model consults: the caller, proxies, services, clusters.

    `foreign_vpc_endpoints` are endpoints used by VPC stores of *other* accounts in the Region
    (a PUBLIC store may not use them either).
    """

    account_id: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    proxies: tuple[XksProxy, ...] = ()
    vpc_endpoint_services: tuple[VpcEndpointService, ...] = ()
    clusters: tuple[CloudHsmCluster, ...] = ()
    foreign_vpc_endpoints: frozenset[str] = field(default_factory=frozenset)

    @property
    def partition_prefix(self) -> str:
        """The VPC service-name prefix of this Region's partition (``eu`` or ``com``)."""
        return "eu" if self.region.startswith("eusc-") else "com"

    def proxy_at(self, endpoint: str, path: str) -> XksProxy | None:
        """The proxy serving exactly this endpoint and path, or None."""
        return next(
            (p for p in self.proxies if (p.uri_endpoint, p.uri_path) == (endpoint, path)), None
        )

    def serves_endpoint(self, endpoint: str) -> bool:
        """Whether any proxy answers at this endpoint (on any path)."""
        return any(p.uri_endpoint == endpoint for p in self.proxies)

    def service(self, name: str, owner: str) -> VpcEndpointService | None:
        """The VPC endpoint service `name` owned by `owner`, or None."""
        return next(
            (s for s in self.vpc_endpoint_services if (s.service_name, s.owner) == (name, owner)),
            None,
        )

    def cluster(self, cluster_id: str) -> CloudHsmCluster | None:
        """The CloudHSM cluster with this ID, or None."""
        return next((c for c in self.clusters if c.cluster_id == cluster_id), None)
