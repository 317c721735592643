"""Control-plane requirements about configuring stores (Create/Update rules, digest §4).

Areas: CREATE, XKS, VPC, OWNER, HSM, UNIQ, QUOTA (UPDATE is in its own module).

>>> [r.id for r in OWNER_REQUIREMENTS][0]
'CKS-OWNER-001'
"""

from __future__ import annotations

from conformance.spec.cks_requirements_shapes import MAY, MUST, SHOULD, XKS_CONFIG, req
from conformance.spec.cks_requirements_shapes import on_both as both
from conformance.spec.requirements import Requirement

C = "CreateCustomKeyStore"
U = "UpdateCustomKeyStore"
VALIDATION = {"validation"}
UNIQUENESS = {"uniqueness"}
BACKEND = {"backend"}

CREATE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-CREATE-001",
        MUST,
        "API_CreateCustomKeyStore",
        "Every new store needs a name.",
        (f"{C}.CustomKeyStoreName",),
        tags=VALIDATION,
    ),
    req(
        "CKS-CREATE-002",
        MUST,
        "API_CreateCustomKeyStore (CustomKeyStoreType)",
        "Omitting the store type creates a CloudHSM store; the type never changes later.",
        (f"{C}.CustomKeyStoreType",),
        tags=VALIDATION,
    ),
    req(
        "CKS-CREATE-003",
        MUST,
        "API_CreateCustomKeyStore; DG create-keystore",
        "A CloudHSM store needs a cluster ID, its trust anchor and the kmsuser password.",
        (f"{C}.CloudHsmClusterId", f"{C}.TrustAnchorCertificate", f"{C}.KeyStorePassword"),
        ("OQ-12",),
        VALIDATION,
    ),
    req(
        "CKS-CREATE-004",
        MUST,
        "API_CreateCustomKeyStore; DG create-xks-keystore",
        "An external key store needs connectivity, endpoint, path and a proxy credential.",
        (
            f"{C}.XksProxyConnectivity",
            f"{C}.XksProxyUriEndpoint",
            f"{C}.XksProxyUriPath",
            f"{C}.XksProxyAuthenticationCredential",
        ),
        ("OQ-12",),
        VALIDATION,
    ),
    req(
        "CKS-CREATE-005",
        MUST,
        "API_CreateCustomKeyStore; DG create-xks-keystore",
        "A VPC-connected external key store also needs the endpoint service name.",
        (f"{C}.XksProxyVpcEndpointServiceName",),
        ("OQ-12",),
        VALIDATION,
    ),
    req(
        "CKS-CREATE-006",
        MAY,
        "digest §4.1 (undocumented)",
        "Members of the other store type may be ignored or refused; the docs do not say.",
        (f"{C}.KeyStorePassword", f"{C}.XksProxyUriPath"),
        ("OQ-13",),
        VALIDATION,
    ),
    req(
        "CKS-CREATE-007",
        MUST,
        "API_CreateCustomKeyStore; DG xks-connect",
        "Create answers the new store's ID, and every new store starts DISCONNECTED.",
        (f"{C}:output.CustomKeyStoreId",),
        tags={"state"},
    ),
    req(
        "CKS-CREATE-008",
        MUST,
        "SEED 2025-10-30; DG create-xks-keystore",
        "A refused Create leaves no store behind.",
        tags={"state"},
    ),
    req(
        "CKS-CREATE-009",
        MUST,
        "API_CreateCustomKeyStore response",
        "The returned ID is new and names the store in every later call.",
        (f"{C}:output.CustomKeyStoreId",),
        tags={"state"},
    ),
)

XKS_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-XKS-001",
        SHOULD,
        "SPEC xks_proxy_api_spec (server is an FQDN)",
        "The endpoint host should be a DNS name; an IP address may be refused.",
        both("XksProxyUriEndpoint"),
        tags=VALIDATION,
    ),
    req(
        "CKS-XKS-002",
        SHOULD,
        "API_CreateCustomKeyStore (XksProxyUriPath)",
        "The path should end in /kms/xks/v1; other versions the regex allows are open.",
        both("XksProxyUriPath"),
        ("OQ-15",),
        VALIDATION,
    ),
    req(
        "CKS-XKS-003",
        MUST,
        "API_CreateCustomKeyStore errors; SPEC timeouts",
        "A PUBLIC proxy that cannot be reached, times out or has no healthy EKM is refused.",
        both("XksProxyUriEndpoint"),
        tags=BACKEND,
    ),
    req(
        "CKS-XKS-004",
        MUST,
        "API_CreateCustomKeyStore errors",
        "A credential the proxy rejects makes Create/Update fail.",
        both("XksProxyAuthenticationCredential"),
        tags=BACKEND,
    ),
    req(
        "CKS-XKS-005",
        MUST,
        "API_CreateCustomKeyStore errors; DG xks-troubleshooting",
        "A path the proxy does not serve is reported as a proxy configuration error.",
        both("XksProxyUriPath"),
        tags=BACKEND,
    ),
    req(
        "CKS-XKS-006",
        MUST,
        "SPEC vs DG xks-troubleshooting",
        "A proxy with bad TLS is refused as unreachable or as misconfigured.",
        both("XksProxyUriEndpoint"),
        ("OQ-25",),
        BACKEND,
    ),
    req(
        "CKS-XKS-007",
        MUST,
        "API_CreateCustomKeyStore errors",
        "A malformed proxy answer is reported as an invalid proxy response.",
        tags=BACKEND,
    ),
    req(
        "CKS-XKS-008",
        MUST,
        "API_UpdateCustomKeyStore (XksProxyAuthenticationCredential)",
        "Updating the credential always sends both of its parts.",
        (
            f"{U}.XksProxyAuthenticationCredential.AccessKeyId",
            f"{U}.XksProxyAuthenticationCredential.RawSecretAccessKey",
        ),
        tags=VALIDATION,
    ),
    req(
        "CKS-XKS-009",
        MUST,
        "DG update-xks-keystore",
        "Update checks the proxy with the new values before applying them; name-only is open.",
        (f"{U}.XksProxyUriPath", f"{U}.XksProxyAuthenticationCredential"),
        ("OQ-24",),
        BACKEND,
    ),
)

VPC_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-VPC-001",
        MUST,
        "API_CreateCustomKeyStore (XksProxyUriEndpoint)",
        "A VPC store's endpoint is https:// plus the service's private DNS name.",
        both("XksProxyUriEndpoint"),
        ("OQ-7",),
        BACKEND,
    ),
    req(
        "CKS-VPC-002",
        MUST,
        "API errors XksProxyVpcEndpointServiceNotFoundException",
        "A missing service, or one that does not allow the KMS principal, is not found.",
        both("XksProxyVpcEndpointServiceName"),
        ("OQ-7",),
        BACKEND,
    ),
    req(
        "CKS-VPC-003",
        MUST,
        "API errors XksProxyVpcEndpointServiceInvalidConfiguration",
        "A service that is not set up as KMS needs it is reported as misconfigured.",
        both("XksProxyVpcEndpointServiceName"),
        ("OQ-7",),
        BACKEND,
    ),
    req(
        "CKS-VPC-004",
        MUST,
        "botocore model drift 1.41.6 (eu.); digest §10",
        "com. names belong to the commercial partitions, eu. names to the EU sovereign one.",
        both("XksProxyVpcEndpointServiceName"),
        ("OQ-27",),
        VALIDATION,
    ),
    req(
        "CKS-VPC-005",
        MUST,
        "API errors XksProxyVpcEndpointServiceNotFoundException",
        "A service in another Region than the store's is not found.",
        both("XksProxyVpcEndpointServiceName"),
        ("OQ-7",),
        BACKEND,
    ),
)

OWNER_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-OWNER-001",
        MUST,
        "SEED 2025-10-30; API_CreateCustomKeyStore",
        "Without an owner, a VPC store uses an endpoint service of the caller's account.",
        (f"{C}.XksProxyVpcEndpointServiceOwner",),
        tags={"owner"},
    ),
    req(
        "CKS-OWNER-002",
        MAY,
        "digest §10 OQ-3",
        "Naming the caller's own account as owner is the same as omitting it.",
        (f"{C}.XksProxyVpcEndpointServiceOwner",),
        ("OQ-3",),
        {"owner"},
    ),
    req(
        "CKS-OWNER-003",
        MAY,
        "digest §10 OQ-1",
        "An owner on a PUBLIC_ENDPOINT store may be ignored or refused.",
        both("XksProxyVpcEndpointServiceOwner"),
        ("OQ-1",),
        {"owner", "validation"},
    ),
    req(
        "CKS-OWNER-004",
        MAY,
        "digest §10 OQ-2",
        "An owner on a CloudHSM store may be ignored or refused.",
        both("XksProxyVpcEndpointServiceOwner"),
        ("OQ-2",),
        {"owner", "validation"},
    ),
    req(
        "CKS-OWNER-005",
        MUST,
        "API_UpdateCustomKeyStore (XksProxyVpcEndpointServiceOwner)",
        "Omitting the owner on Update leaves it unchanged.",
        (f"{U}.XksProxyVpcEndpointServiceOwner",),
        tags={"owner"},
    ),
    req(
        "CKS-OWNER-006",
        MUST,
        "API_UpdateCustomKeyStore (XksProxyVpcEndpointServiceOwner)",
        "Changing the owner needs a DISCONNECTED store.",
        (f"{U}.XksProxyVpcEndpointServiceOwner",),
        ("OQ-6",),
        {"owner", "state"},
    ),
    req(
        "CKS-OWNER-007",
        MUST,
        "API_XksProxyConfigurationType (VpcEndpointServiceOwner)",
        "Describe shows the owner only for VPC stores; for stores created without it, open.",
        (f"{XKS_CONFIG}.VpcEndpointServiceOwner",),
        ("OQ-4",),
        {"owner", "describe"},
    ),
    req(
        "CKS-OWNER-008",
        MUST,
        "SEED 2025-10-30; DG authorize-xks-key-store",
        "A service looked up under another owner that does not exist is not found (when: open).",
        both("XksProxyVpcEndpointServiceOwner"),
        ("OQ-5", "OQ-7"),
        {"owner", "backend"},
    ),
)

HSM_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-HSM-001",
        MUST,
        "API errors CloudHsmClusterNotFoundException",
        "An unknown cluster ID is reported as not found.",
        both("CloudHsmClusterId"),
        tags=BACKEND,
    ),
    req(
        "CKS-HSM-002",
        MUST,
        "API errors CloudHsmClusterNotActiveException",
        "An inactive cluster is refused.",
        both("CloudHsmClusterId"),
        tags=BACKEND,
    ),
    req(
        "CKS-HSM-003",
        MUST,
        "API errors CloudHsmClusterInvalidConfigurationException",
        "A cluster without two active HSMs in two AZs, or with bad networking, is refused.",
        both("CloudHsmClusterId"),
        tags=BACKEND,
    ),
    req(
        "CKS-HSM-004",
        MUST,
        "API errors IncorrectTrustAnchorException",
        "The trust anchor must be the cluster's own customer CA certificate.",
        (f"{C}.TrustAnchorCertificate",),
        tags=BACKEND,
    ),
    req(
        "CKS-HSM-005",
        MUST,
        "API errors CloudHsmClusterNotRelatedException",
        "An Update may only move to a cluster sharing the original's backup history.",
        (f"{U}.CloudHsmClusterId",),
        tags=BACKEND,
    ),
    req(
        "CKS-HSM-006",
        MUST,
        "API_UpdateCustomKeyStore (KeyStorePassword)",
        "KeyStorePassword only tells KMS the kmsuser password; a wrong one fails at Connect.",
        both("KeyStorePassword"),
        tags={"state"},
    ),
)

UNIQ_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-UNIQ-001",
        MUST,
        "API errors CustomKeyStoreNameInUseException",
        "Store names are unique in the account and Region; case sensitivity is open.",
        (f"{C}.CustomKeyStoreName", f"{U}.NewCustomKeyStoreName"),
        ("OQ-22",),
        UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-002",
        MUST,
        "API errors XksProxyUriInUseException",
        "No two external key stores share the same endpoint and path.",
        (*both("XksProxyUriEndpoint"), *both("XksProxyUriPath")),
        tags=UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-003",
        MUST,
        "DG create-xks-keystore",
        "Two PUBLIC stores may share an endpoint when their paths differ.",
        both("XksProxyUriPath"),
        tags=UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-004",
        MUST,
        "DG create-xks-keystore",
        "A PUBLIC store may not use an endpoint of any VPC store in the Region.",
        both("XksProxyUriEndpoint"),
        tags=UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-005",
        MUST,
        "API errors XksProxyUriEndpointInUseException",
        "Every VPC store has its own endpoint (private DNS name).",
        both("XksProxyUriEndpoint"),
        tags=UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-006",
        MUST,
        "API errors XksProxyVpcEndpointServiceInUseException",
        "Every VPC store has its own endpoint service; cross-account keying is open.",
        (*both("XksProxyVpcEndpointServiceName"), *both("XksProxyVpcEndpointServiceOwner")),
        ("OQ-8",),
        UNIQUENESS,
    ),
    req(
        "CKS-UNIQ-007",
        MUST,
        "API errors CloudHsmClusterInUseException",
        "A cluster, or one sharing its backup history, backs at most one store.",
        (f"{C}.CloudHsmClusterId",),
        tags=UNIQUENESS,
    ),
)

QUOTA_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-QUOTA-001",
        MUST,
        "DG resource-limits; API errors LimitExceededException",
        "An account holds at most ten stores per Region, of any type and state.",
        tags={"quota"},
    ),
)

STORE_REQUIREMENTS: tuple[Requirement, ...] = (
    *CREATE_REQUIREMENTS,
    *XKS_REQUIREMENTS,
    *VPC_REQUIREMENTS,
    *OWNER_REQUIREMENTS,
    *HSM_REQUIREMENTS,
    *UNIQ_REQUIREMENTS,
    *QUOTA_REQUIREMENTS,
)
