"""Valid CreateCustomKeyStore requests, one strategy per store kind.

A configuration is the boto3 keyword-argument dict of CreateCustomKeyStore. Every member
value comes from `strategies.members.valid_values` (botocore shapes); this module only
decides which members each kind carries (spec digest §4.1) and the few semantic choices the
shapes cannot express: the URI path ends with the version the docs name (§4.2, OQ-15 keeps
other versions out of "valid"), and doc examples that break their own pattern never appear.

>>> from strategies import first_example
>>> c = first_example(xks_vpc_store_configs(with_owner=True))
>>> sorted(c)[:3]
['CustomKeyStoreName', 'CustomKeyStoreType', 'XksProxyAuthenticationCredential']
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final

from hypothesis import strategies as st

from conformance.spec.botocore_model import enum_values, member_constraint
from strategies.members import valid_values

CREATE: Final = "CreateCustomKeyStore"

CLOUDHSM: Final = "AWS_CLOUDHSM"
EXTERNAL: Final = "EXTERNAL_KEY_STORE"
PUBLIC_ENDPOINT: Final = "PUBLIC_ENDPOINT"
VPC_ENDPOINT_SERVICE: Final = "VPC_ENDPOINT_SERVICE"
"""Enum values with a meaning to the strategies; a self-test checks botocore still has them."""

DOCUMENTED_PATH_VERSION: Final = "v1"
"""The XKS API version the docs require at the end of XksProxyUriPath (§4.2, OQ-15)."""

HSM_MEMBERS: Final = ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword")
XKS_MEMBERS: Final = (
    "XksProxyConnectivity",
    "XksProxyUriEndpoint",
    "XksProxyUriPath",
    "XksProxyAuthenticationCredential",
)
VPC_MEMBERS: Final = ("XksProxyVpcEndpointServiceName",)
VPC_OPTIONAL_MEMBERS: Final = ("XksProxyVpcEndpointServiceOwner",)

_VERSION_AT_END = re.compile(r"v[0-9]{1,2}\Z", re.ASCII)


def _value(path: str) -> st.SearchStrategy[Any]:
    return valid_values(CREATE, path)


def _documented_version(path: str) -> str | None:
    fixed = _VERSION_AT_END.sub(DOCUMENTED_PATH_VERSION, path)
    return fixed if member_constraint(CREATE, "XksProxyUriPath").pattern_matches(fixed) else None


@functools.cache
def xks_uri_paths() -> st.SearchStrategy[str]:
    """Shape-valid URI paths ending with the documented version (``.../kms/xks/v1``)."""
    c = member_constraint(CREATE, "XksProxyUriPath")
    low, high = c.min_length or 0, c.max_length or 128
    return (
        _value("XksProxyUriPath")
        .map(_documented_version)
        .filter(lambda p: p is not None and low <= len(p) <= high)
        .map(str)
    )


def is_ip_address_endpoint(endpoint: str) -> bool:
    """Whether the endpoint's host is only digits and dots (an IP address, CKS-XKS-001)."""
    host = endpoint.split("://", 1)[-1]
    return re.fullmatch(r"[0-9.]+", host, re.ASCII) is not None


@functools.cache
def xks_endpoints() -> st.SearchStrategy[str]:
    """Shape-valid XksProxyUriEndpoint values whose host is a name, not an IP address."""
    return _value("XksProxyUriEndpoint").filter(lambda e: not is_ip_address_endpoint(e))


@functools.cache
def store_names() -> st.SearchStrategy[str]:
    """Valid CustomKeyStoreName values (any printable BMP text, favouring 1 and 256 chars)."""
    return _value("CustomKeyStoreName")


@functools.cache
def cloudhsm_store_configs() -> st.SearchStrategy[dict[str, Any]]:
    """Valid AWS_CLOUDHSM configurations (CustomKeyStoreType sometimes omitted: it defaults).

    >>> from strategies import first_example
    >>> sorted(first_example(cloudhsm_store_configs(), lambda c: len(c) == 4))
    ['CloudHsmClusterId', 'CustomKeyStoreName', 'KeyStorePassword', 'TrustAnchorCertificate']
    """
    assert CLOUDHSM in enum_values("CustomKeyStoreType")
    required = {"CustomKeyStoreName": store_names(), **{m: _value(m) for m in HSM_MEMBERS}}
    return st.fixed_dictionaries(required, optional={"CustomKeyStoreType": st.just(CLOUDHSM)})


def _xks(connectivity: str, extra: dict[str, st.SearchStrategy[Any]]) -> Any:
    members: dict[str, st.SearchStrategy[Any]] = {
        "CustomKeyStoreName": store_names(),
        "CustomKeyStoreType": st.just(EXTERNAL),
        "XksProxyConnectivity": st.just(connectivity),
        "XksProxyUriEndpoint": xks_endpoints(),
        "XksProxyUriPath": xks_uri_paths(),
        "XksProxyAuthenticationCredential": _value("XksProxyAuthenticationCredential"),
        **extra,
    }
    return members


@functools.cache
def xks_public_store_configs() -> st.SearchStrategy[dict[str, Any]]:
    """Valid EXTERNAL_KEY_STORE configurations with PUBLIC_ENDPOINT connectivity.

    >>> from strategies import first_example
    >>> first_example(xks_public_store_configs())["XksProxyConnectivity"]
    'PUBLIC_ENDPOINT'
    """
    return st.fixed_dictionaries(_xks(PUBLIC_ENDPOINT, {}))


@functools.cache
def vpc_service_names(prefix: str | None = None) -> st.SearchStrategy[str]:
    """Valid VPC endpoint service names; `prefix` (``com`` or ``eu``) picks the partition."""
    names = _value("XksProxyVpcEndpointServiceName")
    if prefix is None:
        return names
    return names.map(lambda n: prefix + n[n.index(".") :]).filter(
        member_constraint(CREATE, "XksProxyVpcEndpointServiceName").pattern_matches
    )


@functools.cache
def xks_vpc_store_configs(
    prefix: str | None = None, *, with_owner: bool | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid EXTERNAL_KEY_STORE configurations with VPC_ENDPOINT_SERVICE connectivity.

    `prefix` fixes the service-name partition (``com``/``eu``); `with_owner` forces
    XksProxyVpcEndpointServiceOwner in (True) or out (False); None draws either.

    >>> from strategies import first_example
    >>> first_example(xks_vpc_store_configs("eu"))["XksProxyVpcEndpointServiceName"][:3]
    'eu.'
    """
    extra = {"XksProxyVpcEndpointServiceName": vpc_service_names(prefix)}
    owner = {"XksProxyVpcEndpointServiceOwner": _value("XksProxyVpcEndpointServiceOwner")}
    if with_owner:
        extra.update(owner)
    optional = owner if with_owner is None else {}
    return st.fixed_dictionaries(_xks(VPC_ENDPOINT_SERVICE, extra), optional=optional)


@functools.cache
def valid_store_configs() -> st.SearchStrategy[dict[str, Any]]:
    """Any valid configuration: CloudHSM, XKS public endpoint, or XKS VPC endpoint service."""
    return st.one_of(cloudhsm_store_configs(), xks_public_store_configs(), xks_vpc_store_configs())


def store_kind(config: dict[str, Any]) -> str:
    """``AWS_CLOUDHSM``, ``PUBLIC_ENDPOINT`` or ``VPC_ENDPOINT_SERVICE`` for a configuration."""
    if config.get("CustomKeyStoreType", CLOUDHSM) == CLOUDHSM:
        return CLOUDHSM
    return str(config.get("XksProxyConnectivity", ""))
