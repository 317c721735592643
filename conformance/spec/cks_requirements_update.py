"""Control-plane requirements about UpdateCustomKeyStore (CKS-UPDATE-*, digest §4.2, §5.2).

>>> [r.id for r in UPDATE_REQUIREMENTS][0]
'CKS-UPDATE-001'
"""

from __future__ import annotations

from conformance.spec.cks_requirements_shapes import LIST, MAY, MUST, req
from conformance.spec.requirements import Requirement

U = "UpdateCustomKeyStore"
VALIDATION = {"validation"}

UPDATE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-UPDATE-001",
        MUST,
        "API_UpdateCustomKeyStore; DG update-xks-keystore",
        "An XKS name, credential or path may change while CONNECTED or DISCONNECTED.",
        (
            f"{U}.NewCustomKeyStoreName",
            f"{U}.XksProxyAuthenticationCredential",
            f"{U}.XksProxyUriPath",
        ),
        ("OQ-16",),
        {"state"},
    ),
    req(
        "CKS-UPDATE-002",
        MAY,
        "digest §5.2 (exception doc vs op doc)",
        "XKS name, credential or path changes in the transient or FAILED states are open.",
        (f"{U}.XksProxyUriPath",),
        ("OQ-16",),
        {"state"},
    ),
    req(
        "CKS-UPDATE-003",
        MUST,
        "API_UpdateCustomKeyStore",
        "XKS connectivity, endpoint, service name and owner change only when DISCONNECTED.",
        (
            f"{U}.XksProxyConnectivity",
            f"{U}.XksProxyUriEndpoint",
            f"{U}.XksProxyVpcEndpointServiceName",
        ),
        tags={"state"},
    ),
    req(
        "CKS-UPDATE-004",
        MUST,
        "botocore 1.43.50+ API_UpdateCustomKeyStore",
        "A CloudHSM store may be renamed while CONNECTED or DISCONNECTED.",
        (f"{U}.NewCustomKeyStoreName",),
        ("OQ-18",),
        {"state"},
    ),
    req(
        "CKS-UPDATE-005",
        MUST,
        "API_UpdateCustomKeyStore",
        "A CloudHSM password or cluster changes only when DISCONNECTED.",
        (f"{U}.KeyStorePassword", f"{U}.CloudHsmClusterId"),
        tags={"state"},
    ),
    req(
        "CKS-UPDATE-006",
        MUST,
        "digest §5.2 [infer]",
        "A CONNECTED update mixing hot and cold fields is refused as a whole.",
        oqs=("OQ-17",),
        tags={"state"},
    ),
    req(
        "CKS-UPDATE-007",
        MUST,
        "API_UpdateCustomKeyStore (XksProxyConnectivity)",
        "Switching to VPC connectivity needs a new endpoint and a service name.",
        (f"{U}.XksProxyConnectivity", f"{U}.XksProxyVpcEndpointServiceName"),
        tags=VALIDATION,
    ),
    req(
        "CKS-UPDATE-008",
        MUST,
        "API_UpdateCustomKeyStore (XksProxyConnectivity)",
        "Switching to PUBLIC needs a new endpoint and no (or an empty) service name.",
        (f"{U}.XksProxyConnectivity", f"{U}.XksProxyUriEndpoint"),
        ("OQ-10",),
        VALIDATION,
    ),
    req(
        "CKS-UPDATE-009",
        MAY,
        "digest §10 OQ-13",
        "Update members of the other store type may be ignored or refused.",
        (f"{U}.KeyStorePassword", f"{U}.XksProxyUriPath"),
        ("OQ-13",),
        VALIDATION,
    ),
    req(
        "CKS-UPDATE-010",
        MUST,
        "API_UpdateCustomKeyStore",
        "Omitted members stay as they were; applied changes show in Describe.",
        (f"{U}.CustomKeyStoreId", f"{LIST}.XksProxyConfiguration"),
        tags={"state"},
    ),
)
