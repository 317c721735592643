"""What KMS learns from the world: proxy health, VPC endpoint services, CloudHSM clusters.

Each function turns the explicit :class:`World` into rule verdicts (for Create/Update) or
settlements (how CONNECTING ends).

>>> from conformance.model.world import World
>>> [v.errors for v in proxy_health_verdicts(World(), "https://x.example.com", "/kms/xks/v1",
...                                          "A" * 20, "s" * 43)]
[frozenset({'XksProxyUriUnreachableException'})]
"""

from __future__ import annotations

import re

from conformance.model.outcomes import VALIDATION_EXCEPTION, RuleVerdict
from conformance.model.records import CONNECTED, FAILED, Settlement, StoreRecord
from conformance.model.world import KmsUserState, ProxyBehaviour, World

UNREACHABLE = "XksProxyUriUnreachableException"
BAD_CREDENTIAL = "XksProxyIncorrectAuthenticationCredentialException"
INVALID_CONFIGURATION = "XksProxyInvalidConfigurationException"
INVALID_RESPONSE = "XksProxyInvalidResponseException"
SERVICE_NOT_FOUND = "XksProxyVpcEndpointServiceNotFoundException"
SERVICE_INVALID = "XksProxyVpcEndpointServiceInvalidConfigurationException"

_SERVICE_REGION = re.compile(r"\.vpce\.([a-z0-9-]+)\.vpce-svc-", re.ASCII)


def _verdict(
    rid: str, *errors: str, field: str = "", detail: str = "", oq: tuple[str, ...] = ()
) -> RuleVerdict:
    return RuleVerdict(rid, frozenset(errors), False, oq, field, detail)


#: Failures of the connection itself: they happen before any HTTP path or credential is read.
_CONNECTION_LEVEL = (ProxyBehaviour.UNREACHABLE, ProxyBehaviour.BAD_TLS)
#: Behaviours that hide the credential check (a slow proxy is slow to answer 401 too).
_BEFORE_AUTHENTICATION = (
    ProxyBehaviour.TIMEOUT,
    ProxyBehaviour.WRONG_URI_PATH,
    ProxyBehaviour.WRONG_CREDENTIALS,
)


def effective_behaviour(
    world: World, endpoint: str, path: str, access_key_id: str, secret: str
) -> ProxyBehaviour:
    """How the proxy at `endpoint` answers a signed call on `path` with this credential.

    The layers are checked in the order a real call meets them: the connection (TCP, TLS)
    for the whole endpoint, then the path, then the signature, then the answer itself, so
    a garbled or EKM-less proxy still refuses a wrong credential with 401 first.

    >>> effective_behaviour(World(), "https://x.example.com", "/kms/xks/v1", "A" * 20, "s" * 43)
    ProxyBehaviour.UNREACHABLE
    """
    at_endpoint = [p for p in world.proxies if p.uri_endpoint == endpoint]
    connection = next((p.behaviour for p in at_endpoint if p.behaviour in _CONNECTION_LEVEL), None)
    if connection is not None or not at_endpoint:
        return connection or ProxyBehaviour.UNREACHABLE
    proxy = world.proxy_at(endpoint, path)
    if proxy is None:
        return ProxyBehaviour.WRONG_URI_PATH
    if proxy.behaviour in _BEFORE_AUTHENTICATION:
        return proxy.behaviour
    if not proxy.accepts(access_key_id, secret):
        return ProxyBehaviour.WRONG_CREDENTIALS
    return proxy.behaviour


def proxy_health_verdicts(
    world: World, endpoint: str, path: str, access_key_id: str, secret: str
) -> list[RuleVerdict]:
    """What a signed GetHealthStatus to `endpoint` + `path` makes Create/Update raise."""
    behaviour = effective_behaviour(world, endpoint, path, access_key_id, secret)
    if behaviour in (
        ProxyBehaviour.UNREACHABLE,
        ProxyBehaviour.TIMEOUT,
        ProxyBehaviour.ALL_EKMS_UNAVAILABLE,
    ):
        detail = behaviour.value if world.serves_endpoint(endpoint) else "no proxy answers"
        return [_verdict("CKS-XKS-003", UNREACHABLE, field="XksProxyUriEndpoint", detail=detail)]
    if behaviour is ProxyBehaviour.BAD_TLS:
        return [
            _verdict(
                "CKS-XKS-006",
                UNREACHABLE,
                INVALID_CONFIGURATION,
                field="XksProxyUriEndpoint",
                detail="bad TLS",
                oq=("OQ-25",),
            )
        ]
    if behaviour is ProxyBehaviour.INVALID_RESPONSE:
        return [_verdict("CKS-XKS-007", INVALID_RESPONSE, detail="malformed health response")]
    if behaviour is ProxyBehaviour.WRONG_URI_PATH:
        return [
            _verdict(
                "CKS-XKS-005",
                INVALID_CONFIGURATION,
                field="XksProxyUriPath",
                detail="proxy answers InvalidUriPath",
            )
        ]
    if behaviour is ProxyBehaviour.WRONG_CREDENTIALS:
        return [
            _verdict(
                "CKS-XKS-004",
                BAD_CREDENTIAL,
                field="XksProxyAuthenticationCredential",
                detail="proxy answers 401",
            )
        ]
    return []  # HEALTHY, or ACCESS_DENIED (health never answers AccessDenied)


def possibly(verdicts: list[RuleVerdict], *oqs: str) -> list[RuleVerdict]:
    """The same objections, but success stays acceptable (the check may not happen), naming `oqs`.

    >>> possibly([RuleVerdict("CKS-VPC-002", frozenset({"E"}))], "OQ-7")[0].success_allowed
    True
    """
    return [
        RuleVerdict(v.requirement_id, v.errors, True, (*v.open_questions, *oqs), v.field, v.detail)
        for v in verdicts
    ]


def service_region(service_name: str) -> str | None:
    """The Region embedded in a VPC endpoint service name, e.g. ``us-east-1``."""
    match = _SERVICE_REGION.search(service_name)
    return match.group(1) if match else None


def partition_verdicts(world: World, service_name: str) -> list[RuleVerdict]:
    """A ``com.``/``eu.`` service name outside its partition is refused (which error: OQ-27)."""
    prefix = service_name.split(".", 1)[0]
    if prefix in ("com", "eu") and prefix != world.partition_prefix:
        return [
            _verdict(
                "CKS-VPC-004",
                VALIDATION_EXCEPTION,
                SERVICE_NOT_FOUND,
                field="XksProxyVpcEndpointServiceName",
                detail=f"{prefix}. name in {world.region}",
                oq=("OQ-27",),
            )
        ]
    return []


def vpc_service_verdicts(
    world: World, service_name: str, owner: str, endpoint: str | None
) -> list[RuleVerdict]:
    """Objections to a VPC endpoint service (whether Create/Update check them is OQ-7)."""
    field = "XksProxyVpcEndpointServiceName"
    region = service_region(service_name)
    if region is not None and region != world.region:
        return [_verdict("CKS-VPC-005", SERVICE_NOT_FOUND, field=field, detail="other Region")]
    service = world.service(service_name, owner)
    if service is None or not service.exists or not service.allows_kms_principal:
        rid = "CKS-OWNER-008" if owner != world.account_id else "CKS-VPC-002"
        oq = ("OQ-5",) if owner != world.account_id else ()
        return [_verdict(rid, SERVICE_NOT_FOUND, field=field, detail="not found", oq=oq)]
    found: list[RuleVerdict] = []
    if not service.conformant:
        found.append(_verdict("CKS-VPC-003", SERVICE_INVALID, field=field, detail="non-conformant"))
    if (
        endpoint is not None
        and service.private_dns_name
        and (endpoint != f"https://{service.private_dns_name}")
    ):
        found.append(
            _verdict(
                "CKS-VPC-001",
                INVALID_CONFIGURATION,
                SERVICE_INVALID,
                field="XksProxyUriEndpoint",
                detail="not the private DNS name",
            )
        )
    return found


def cluster_verdicts(
    world: World, cluster_id: str, trust_anchor: str | None = None
) -> list[RuleVerdict]:
    """Objections to a CloudHSM cluster for Create/Update (trust anchor only on Create)."""
    cluster = world.cluster(cluster_id)
    field = "CloudHsmClusterId"
    if cluster is None:
        return [_verdict("CKS-HSM-001", "CloudHsmClusterNotFoundException", field=field)]
    found: list[RuleVerdict] = []
    if not cluster.active:
        found.append(_verdict("CKS-HSM-002", "CloudHsmClusterNotActiveException", field=field))
    elif not cluster.ready_for_keys:
        found.append(
            _verdict("CKS-HSM-003", "CloudHsmClusterInvalidConfigurationException", field=field)
        )
    if trust_anchor is not None and trust_anchor != cluster.trust_anchor:
        found.append(
            _verdict("CKS-HSM-004", "IncorrectTrustAnchorException", field="TrustAnchorCertificate")
        )
    return found


GENERIC_CONNECTION_CODES = ("INTERNAL_ERROR",)
"""Codes any failed connection may show, whatever its cause (ConnectionErrorCode docs, OQ-30)."""

NETWORK_CONNECTION_CODES = ("NETWORK_ERRORS",)
"""Codes a connection that failed on the network (or a backend that cannot be reached) may
show instead of its specific code, for either store type (OQ-30)."""


def _failed(
    *codes: str, network: bool = False, also: tuple[str, ...] = ()
) -> frozenset[Settlement]:
    """FAILED with one of `codes` (the first stays the canonical choice), or one of the
    documented alternatives: INTERNAL_ERROR always, NETWORK_ERRORS for network-level faults,
    and `also` (OQ-30). An alternative that is also a specific code stays specific."""
    specific = {Settlement(FAILED, code) for code in codes}
    alternatives = (
        *also,
        *GENERIC_CONNECTION_CODES,
        *(NETWORK_CONNECTION_CODES if network else ()),
    )
    return frozenset(
        specific
        | {Settlement(FAILED, code, alternative=True) for code in alternatives if code not in codes}
    )


def _hsm_settlements(world: World, store: StoreRecord) -> frozenset[Settlement]:
    cluster = world.cluster(store.cluster_id or "")
    if cluster is None:
        return _failed("CLUSTER_NOT_FOUND")
    if not cluster.active or cluster.hsm_count < 1:
        return _failed("INSUFFICIENT_CLOUDHSM_HSMS", network=True)
    if not cluster.network_ok:
        return _failed(
            "SUBNET_NOT_FOUND",
            "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
            "NETWORK_ERRORS",
        )
    by_user = {
        KmsUserState.NOT_FOUND: "USER_NOT_FOUND",
        KmsUserState.LOCKED_OUT: "USER_LOCKED_OUT",
        KmsUserState.LOGGED_IN: "USER_LOGGED_IN",
    }
    if cluster.kmsuser in by_user:
        return _failed(by_user[cluster.kmsuser], network=True)
    if store.key_store_password != cluster.kmsuser_password:
        return _failed("INVALID_CREDENTIALS", network=True)
    return frozenset({Settlement(CONNECTED)})


def _vpc_settlements(world: World, store: StoreRecord) -> frozenset[Settlement] | None:
    name, owner = store.service_name or "", store.service_owner or world.account_id
    objections = partition_verdicts(world, name) + vpc_service_verdicts(
        world, name, owner, store.uri_endpoint
    )
    if any(SERVICE_NOT_FOUND in v.errors for v in objections):
        return _failed("XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND", network=True)
    if objections:
        return _failed("XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION", network=True)
    return None


def _xks_settlements(world: World, store: StoreRecord) -> frozenset[Settlement]:
    if store.is_vpc:
        vpc = _vpc_settlements(world, store)
        if vpc is not None:
            return vpc
    behaviour = effective_behaviour(
        world,
        store.uri_endpoint or "",
        store.uri_path or "",
        store.access_key_id or "",
        store.raw_secret_access_key or "",
    )
    by_behaviour = {
        ProxyBehaviour.UNREACHABLE: _failed("XKS_PROXY_NOT_REACHABLE", "NETWORK_ERRORS"),
        ProxyBehaviour.ALL_EKMS_UNAVAILABLE: _failed("XKS_PROXY_NOT_REACHABLE", network=True),
        # a slow proxy may be reported as timed out or as not reachable (OQ-30)
        ProxyBehaviour.TIMEOUT: _failed(
            "XKS_PROXY_TIMED_OUT", network=True, also=("XKS_PROXY_NOT_REACHABLE",)
        ),
        ProxyBehaviour.BAD_TLS: _failed("XKS_PROXY_INVALID_TLS_CONFIGURATION", network=True),
        ProxyBehaviour.INVALID_RESPONSE: _failed("XKS_PROXY_INVALID_RESPONSE"),
        ProxyBehaviour.WRONG_URI_PATH: _failed("XKS_PROXY_INVALID_CONFIGURATION"),
        ProxyBehaviour.WRONG_CREDENTIALS: _failed("INVALID_CREDENTIALS"),
        ProxyBehaviour.ACCESS_DENIED: _failed("XKS_PROXY_ACCESS_DENIED") | {Settlement(CONNECTED)},
    }
    return by_behaviour.get(behaviour, frozenset({Settlement(CONNECTED)}))


def connection_settlements(world: World, store: StoreRecord) -> frozenset[Settlement]:
    """How a Connect of `store` may end, predicted from the world (CKS-CONNECT-004/005).

    A failure may also show the documented generic codes (OQ-30), marked ``alternative``:
    the canonical settlement stays the specific code.
    """
    if store.is_xks:
        return _xks_settlements(world, store)
    return _hsm_settlements(world, store)
