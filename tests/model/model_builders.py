"""Builders for the reference-model self-tests: a world with every backend kind, and requests."""

from __future__ import annotations

from typing import Any

from conformance.model import (
    CloudHsmCluster,
    ExternalKey,
    ProxyBehaviour,
    ReferenceModel,
    VpcEndpointService,
    World,
    XksProxy,
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
PUBLIC_ENDPOINT = "https://xks.example.com"
VPC_HOST = "vpc-xks.example.com"
SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
SHARED_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0shared0000000000"
CLUSTER = "cluster-abcdefghijk"
SIBLING = "cluster-bcdefghijkl"
STRANGER = "cluster-cdefghijklm"
ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBanchor\n-----END CERTIFICATE-----"
PASSWORD = "kmsuser-pass"
CREDENTIAL = {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "s" * 43}


def world(**changes: Any) -> World:
    """A world where the default requests all succeed, with optional overrides."""
    base: dict[str, Any] = {
        "account_id": ACCOUNT,
        "proxies": (
            XksProxy(
                PUBLIC_ENDPOINT,
                "/kms/xks/v1",
                external_keys=(
                    ExternalKey("ext-1"),
                    ExternalKey("ext-2"),
                    ExternalKey("disabled", state="DISABLED"),
                ),
            ),
            XksProxy(PUBLIC_ENDPOINT, "/other/kms/xks/v1"),
            XksProxy(f"https://{VPC_HOST}", "/kms/xks/v1"),
            XksProxy("https://down.example.com", "/kms/xks/v1", ProxyBehaviour.UNREACHABLE),
        ),
        "vpc_endpoint_services": (
            VpcEndpointService(SERVICE, ACCOUNT, VPC_HOST),
            VpcEndpointService(SHARED_SERVICE, OTHER_ACCOUNT, VPC_HOST),
        ),
        "clusters": (
            CloudHsmCluster(CLUSTER, ANCHOR, kmsuser_password=PASSWORD, backup_family="f1"),
            CloudHsmCluster(SIBLING, ANCHOR, kmsuser_password=PASSWORD, backup_family="f1"),
            CloudHsmCluster(STRANGER, ANCHOR, kmsuser_password=PASSWORD, backup_family="f2"),
        ),
    }
    base.update(changes)
    return World(**base)


def hsm_request(name: str = "hsm", **changes: Any) -> dict[str, Any]:
    """A CreateCustomKeyStore request for a CloudHSM store that succeeds in `world()`."""
    request = {
        "CustomKeyStoreName": name,
        "CloudHsmClusterId": CLUSTER,
        "TrustAnchorCertificate": ANCHOR,
        "KeyStorePassword": PASSWORD,
    }
    request.update(changes)
    return request


def public_request(name: str = "pub", **changes: Any) -> dict[str, Any]:
    """A CreateCustomKeyStore request for a PUBLIC_ENDPOINT XKS that succeeds in `world()`."""
    request = {
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyUriEndpoint": PUBLIC_ENDPOINT,
        "XksProxyUriPath": "/kms/xks/v1",
        "XksProxyAuthenticationCredential": dict(CREDENTIAL),
    }
    request.update(changes)
    return request


def vpc_request(name: str = "vpc", **changes: Any) -> dict[str, Any]:
    """A CreateCustomKeyStore request for a VPC_ENDPOINT_SERVICE XKS that succeeds."""
    request = public_request(
        name,
        XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
        XksProxyUriEndpoint=f"https://{VPC_HOST}",
        XksProxyVpcEndpointServiceName=SERVICE,
    )
    request.update(changes)
    return request


def created(model: ReferenceModel, request: dict[str, Any]) -> str:
    """Create a store through the model acting as target; return its ID."""
    outcome = model.execute("CreateCustomKeyStore", request)
    assert outcome.succeeded, (outcome, model.create_custom_key_store(request).verdicts)
    return str(outcome.response["CustomKeyStoreId"])


def connected(model: ReferenceModel, request: dict[str, Any]) -> str:
    """Create and connect a store (settled canonically); return its ID."""
    store_id = created(model, request)
    assert model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id}).succeeded
    model.settle(store_id)
    return store_id


def errors_of(expectation: Any) -> set[str]:
    """The acceptable error codes, as a plain set for readable assertions."""
    return set(expectation.errors)
