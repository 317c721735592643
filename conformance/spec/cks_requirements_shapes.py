"""Control-plane requirements about shapes and validation layers (CKS-SHAPE-*, CKS-ERR-*).

Paraphrases are ours; sources name the document and section (digest §1-§2).

>>> [r.id for r in SHAPE_REQUIREMENTS][:2]
['CKS-SHAPE-001', 'CKS-SHAPE-002']
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.spec.requirements import Level, Requirement

BOTOCORE = "botocore 1.44.8"
VALIDATION = frozenset({"validation"})
OUTPUT = frozenset({"response"})
ID_INPUTS = tuple(
    f"{op}.CustomKeyStoreId"
    for op in (
        "DescribeCustomKeyStores",
        "UpdateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
    )
)
LIST = "DescribeCustomKeyStores:output.CustomKeyStores"
XKS_CONFIG = f"{LIST}.XksProxyConfiguration"


def on_both(member: str) -> tuple[str, ...]:
    """The member on Create and on Update (same name, same shape)."""
    return (f"CreateCustomKeyStore.{member}", f"UpdateCustomKeyStore.{member}")


def req(
    rid: str,
    level: Level,
    source: str,
    summary: str,
    members: Iterable[str] = (),
    oqs: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> Requirement:
    """A requirement with tuple members/OQs and frozenset tags (a terse constructor)."""
    return Requirement(rid, level, source, summary, tuple(members), tuple(oqs), frozenset(tags))


MUST, SHOULD, MAY = Level.MUST, Level.SHOULD, Level.MAY

SHAPE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-SHAPE-001",
        MUST,
        f"{BOTOCORE}: CustomKeyStoreIdType",
        "A store ID is a string of the length the model allows; longer ones are refused.",
        (
            *ID_INPUTS,
            "CreateCustomKeyStore:output.CustomKeyStoreId",
            f"{LIST}.CustomKeyStoreId",
            "CreateKey.CustomKeyStoreId",
        ),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-002",
        MUST,
        f"{BOTOCORE}: CustomKeyStoreNameType",
        "A store name is a non-empty string up to the model's maximum, with no charset limit.",
        (
            "CreateCustomKeyStore.CustomKeyStoreName",
            "DescribeCustomKeyStores.CustomKeyStoreName",
            "UpdateCustomKeyStore.NewCustomKeyStoreName",
            f"{LIST}.CustomKeyStoreName",
        ),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-003",
        MUST,
        f"{BOTOCORE}: CloudHsmClusterIdType",
        "A cluster ID's length stays within the model's bounds.",
        (*on_both("CloudHsmClusterId"), f"{LIST}.CloudHsmClusterId"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-004",
        MUST,
        f"{BOTOCORE}: CloudHsmClusterIdType pattern",
        "A cluster ID matches the cluster-<base32> pattern; partial matches are open.",
        on_both("CloudHsmClusterId"),
        ("OQ-14",),
        VALIDATION,
    ),
    req(
        "CKS-SHAPE-005",
        MUST,
        f"{BOTOCORE}: TrustAnchorCertificateType",
        "The trust anchor certificate text has a bounded, non-empty length.",
        ("CreateCustomKeyStore.TrustAnchorCertificate", f"{LIST}.TrustAnchorCertificate"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-006",
        MUST,
        f"{BOTOCORE}: KeyStorePasswordType",
        "The kmsuser password is a sensitive string within the model's length bounds.",
        on_both("KeyStorePassword"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-007",
        MUST,
        f"{BOTOCORE}: CustomKeyStoreType",
        "The store type is one of the model's enum values; anything else is refused.",
        ("CreateCustomKeyStore.CustomKeyStoreType", f"{LIST}.CustomKeyStoreType"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-008",
        MUST,
        f"{BOTOCORE}: XksProxyUriEndpointType",
        "The proxy endpoint's length stays within the model's bounds.",
        (*on_both("XksProxyUriEndpoint"), f"{XKS_CONFIG}.UriEndpoint"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-009",
        MUST,
        f"{BOTOCORE}: XksProxyUriEndpointType pattern",
        "The endpoint is lowercase https:// and a host made of letters, digits, dots, dashes.",
        on_both("XksProxyUriEndpoint"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-010",
        MUST,
        f"{BOTOCORE}: XksProxyUriPathType",
        "The proxy URI path's length stays within the model's bounds.",
        (*on_both("XksProxyUriPath"), f"{XKS_CONFIG}.UriPath"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-011",
        MUST,
        f"{BOTOCORE}: XksProxyUriPathType pattern",
        "The path is an optional prefix then /kms/xks/v<1-2 digits>, nothing after it.",
        on_both("XksProxyUriPath"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-012",
        MUST,
        f"{BOTOCORE}: XksProxyVpcEndpointServiceNameType",
        "The VPC endpoint service name's length stays within the model's bounds.",
        (*on_both("XksProxyVpcEndpointServiceName"), f"{XKS_CONFIG}.VpcEndpointServiceName"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-013",
        MUST,
        f"{BOTOCORE}: XksProxyVpcEndpointServiceNameType pattern",
        "A service name is com. or eu. amazonaws.vpce.<region>.vpce-svc-<id>.",
        on_both("XksProxyVpcEndpointServiceName"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-014",
        MUST,
        f"{BOTOCORE}: AccountIdType (2025-10-30)",
        "The endpoint service owner is an account ID of exactly twelve digits.",
        (*on_both("XksProxyVpcEndpointServiceOwner"), f"{XKS_CONFIG}.VpcEndpointServiceOwner"),
        tags=VALIDATION | {"owner"},
    ),
    req(
        "CKS-SHAPE-015",
        MUST,
        f"{BOTOCORE}: XksProxyAuthenticationCredentialType",
        "A proxy credential always carries both an access key ID and a secret.",
        on_both("XksProxyAuthenticationCredential"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-016",
        MUST,
        f"{BOTOCORE}: XksProxyAuthenticationAccessKeyIdType",
        "The credential's access key ID is base32 letters/digits within the length bounds.",
        (*on_both("XksProxyAuthenticationCredential.AccessKeyId"), f"{XKS_CONFIG}.AccessKeyId"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-017",
        MUST,
        f"{BOTOCORE}: XksProxyAuthenticationRawSecretAccessKeyType",
        "The credential's secret is base64-alphabet text within the length bounds.",
        on_both("XksProxyAuthenticationCredential.RawSecretAccessKey"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-018",
        MUST,
        f"{BOTOCORE}: XksProxyConnectivityType",
        "Connectivity is PUBLIC_ENDPOINT or VPC_ENDPOINT_SERVICE as the model enumerates.",
        (*on_both("XksProxyConnectivity"), f"{XKS_CONFIG}.Connectivity"),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-019",
        MUST,
        f"{BOTOCORE}: LimitType",
        "Describe's Limit is an integer within the model's range.",
        ("DescribeCustomKeyStores.Limit",),
        tags=VALIDATION,
    ),
    req(
        "CKS-SHAPE-020",
        MUST,
        f"{BOTOCORE}: MarkerType",
        "A marker is bounded Latin-1 text; the unanchored pattern leaves partial matches open.",
        ("DescribeCustomKeyStores.Marker", "DescribeCustomKeyStores:output.NextMarker"),
        ("OQ-14",),
        VALIDATION,
    ),
    req(
        "CKS-SHAPE-021",
        MUST,
        f"{BOTOCORE}: ConnectionStateType",
        "Describe reports a connection state from the model's five values.",
        (f"{LIST}.ConnectionState",),
        tags=OUTPUT,
    ),
    req(
        "CKS-SHAPE-022",
        MUST,
        f"{BOTOCORE}: ConnectionErrorCodeType",
        "A connection error code, when reported, is one of the model's enum values.",
        (f"{LIST}.ConnectionErrorCode",),
        tags=OUTPUT,
    ),
    req(
        "CKS-SHAPE-023",
        MUST,
        f"{BOTOCORE}: DateType",
        "A store's creation date is a timestamp.",
        (f"{LIST}.CreationDate",),
        tags=OUTPUT,
    ),
    req(
        "CKS-SHAPE-024",
        MUST,
        f"{BOTOCORE}: XksKeyIdType",
        "An external key ID for CreateKey is bounded and uses letters, digits, - _ and dots.",
        ("CreateKey.XksKeyId",),
        tags=VALIDATION,
    ),
)

ERR_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-ERR-001",
        MUST,
        "botocore 1.44.8 validate.py ParamValidator",
        "A missing required member, top level or nested, fails on the client before sending.",
        ("CreateCustomKeyStore.CustomKeyStoreName", *ID_INPUTS),
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-002",
        MUST,
        "botocore 1.44.8 validate.py ParamValidator",
        "An unknown parameter name fails on the client before sending.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-003",
        MUST,
        "botocore 1.44.8 validate.py ParamValidator",
        "A value of the wrong Python type (None included) fails on the client; bool passes as int.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-004",
        MUST,
        "botocore 1.44.8 validate.py range_check",
        "A string shorter than its min, or a Limit below 1, fails on the client.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-005",
        MUST,
        "digest §1; botocore validate.py (min only)",
        "Over-long strings and a Limit over the max reach KMS, which answers ValidationException.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-006",
        MUST,
        "digest §1 [infer]; VE stelligent/mu#382",
        "Pattern violations reach KMS, which answers ValidationException.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-007",
        MUST,
        "digest §1 [infer]",
        "Values outside an enum reach KMS, which answers ValidationException.",
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-008",
        MUST,
        "digest §1; botocore Config(parameter_validation=False)",
        "With client validation off, KMS itself refuses missing, short or mistyped members.",
        oqs=("OQ-10",),
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-009",
        MUST,
        "digest §4.3 (no documented precedence)",
        "With several violations, the error of any violated rule is acceptable, success is not.",
        oqs=("OQ-21",),
        tags=VALIDATION,
    ),
    req(
        "CKS-ERR-010",
        MAY,
        "digest §10 OQ-22",
        "Lengths may count code points or UTF-16 units; astral characters near max are open.",
        oqs=("OQ-22",),
        tags=VALIDATION,
    ),
    req(
        "CKS-WIRE-001",
        MUST,
        "digest §1 (HTTP status); API_Operations common errors",
        "Client refusals carry a 4xx status; only KMS's internal and dependency errors are 5xx.",
        tags={"wire"},
    ),
)
