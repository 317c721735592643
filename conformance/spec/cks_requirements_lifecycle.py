"""Control-plane requirements about state, Describe, secrecy and keys (digest §5-§7).

Areas: CONNECT, STATE, DESCRIBE, PAGE, SECRET, KEY.

>>> [r.id for r in CONNECT_REQUIREMENTS][0]
'CKS-CONNECT-001'
"""

from __future__ import annotations

from conformance.spec.cks_requirements_shapes import LIST, MAY, MUST, XKS_CONFIG, req
from conformance.spec.requirements import Requirement

D = "DescribeCustomKeyStores"
STATE = {"state"}
DESCRIBE = {"describe"}
KEYS = {"keys"}

CONNECT_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-CONNECT-001",
        MUST,
        "API_ConnectCustomKeyStore; DG xks-connect",
        "Connect on a DISCONNECTED store starts CONNECTING, which ends CONNECTED or FAILED.",
        ("ConnectCustomKeyStore.CustomKeyStoreId", f"{LIST}.ConnectionState"),
        tags=STATE,
    ),
    req(
        "CKS-CONNECT-002",
        MAY,
        "API errors CustomKeyStoreInvalidStateException vs DG",
        "Connect on a CONNECTED or CONNECTING store may be a no-op or refused.",
        ("ConnectCustomKeyStore.CustomKeyStoreId",),
        ("OQ-19",),
        STATE,
    ),
    req(
        "CKS-CONNECT-003",
        MUST,
        "API errors CustomKeyStoreInvalidStateException",
        "Connect is refused while DISCONNECTING or FAILED (disconnect first).",
        ("ConnectCustomKeyStore.CustomKeyStoreId",),
        tags=STATE,
    ),
    req(
        "CKS-CONNECT-004",
        MUST,
        "botocore 1.44.8: ConnectionErrorCodeType (CloudHSM codes)",
        "A failed CloudHSM connect reports the code matching the cluster or kmsuser fault.",
        (f"{LIST}.ConnectionErrorCode",),
        tags=STATE,
    ),
    req(
        "CKS-CONNECT-005",
        MUST,
        "botocore 1.44.8: ConnectionErrorCodeType (XKS codes)",
        "A failed XKS connect reports the code matching the proxy or VPC service fault.",
        (f"{LIST}.ConnectionErrorCode",),
        ("OQ-9",),
        STATE,
    ),
    req(
        "CKS-CONNECT-006",
        MUST,
        "API_ConnectCustomKeyStore errors",
        "Connecting a store whose cluster is inactive or unusable is refused.",
        ("ConnectCustomKeyStore.CustomKeyStoreId",),
        tags=STATE,
    ),
)

STATE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-STATE-001",
        MUST,
        "API_DisconnectCustomKeyStore",
        "Disconnect from CONNECTED, CONNECTING or FAILED passes DISCONNECTING to DISCONNECTED.",
        ("DisconnectCustomKeyStore.CustomKeyStoreId",),
        tags=STATE,
    ),
    req(
        "CKS-STATE-002",
        MUST,
        "API errors CustomKeyStoreInvalidStateException",
        "Disconnect is refused while DISCONNECTED or DISCONNECTING.",
        ("DisconnectCustomKeyStore.CustomKeyStoreId",),
        tags=STATE,
    ),
    req(
        "CKS-STATE-003",
        MUST,
        "API_DeleteCustomKeyStore",
        "Delete needs a DISCONNECTED store.",
        ("DeleteCustomKeyStore.CustomKeyStoreId",),
        ("OQ-20",),
        STATE,
    ),
    req(
        "CKS-STATE-004",
        MUST,
        "API_DeleteCustomKeyStore; DG delete-keystore [infer]",
        "Delete is refused while the store holds KMS keys (PendingDeletion ones: OQ-20).",
        ("DeleteCustomKeyStore.CustomKeyStoreId",),
        ("OQ-20",),
        STATE | KEYS,
    ),
    req(
        "CKS-STATE-005",
        MUST,
        "API_DeleteCustomKeyStore",
        "A deleted store is gone: later calls naming it find nothing.",
        ("DeleteCustomKeyStore.CustomKeyStoreId",),
        tags=STATE,
    ),
    req(
        "CKS-STATE-006",
        MUST,
        "API errors CustomKeyStoreNotFoundException",
        "An unknown store ID is reported as not found by every store operation.",
        (
            "UpdateCustomKeyStore.CustomKeyStoreId",
            "ConnectCustomKeyStore.CustomKeyStoreId",
            "DisconnectCustomKeyStore.CustomKeyStoreId",
            "DeleteCustomKeyStore.CustomKeyStoreId",
        ),
        tags=STATE,
    ),
    req(
        "CKS-STATE-007",
        MUST,
        "API_CustomKeyStoresListEntry (ConnectionState)",
        "A CONNECTED store stays CONNECTED when its backend breaks.",
        (f"{LIST}.ConnectionState",),
        tags=STATE,
    ),
    req(
        "CKS-STATE-008",
        MUST,
        "API_CustomKeyStoresListEntry (ConnectionErrorCode)",
        "A connection error code is present only while FAILED and cleared by Disconnect.",
        (f"{LIST}.ConnectionErrorCode",),
        tags=STATE,
    ),
    req(
        "CKS-STATE-009",
        MUST,
        "DG xks-connect",
        "Keys of a store that is not CONNECTED are Unavailable (unless PendingDeletion).",
        tags=STATE | KEYS,
    ),
)

DESCRIBE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-DESCRIBE-001",
        MUST,
        "API_DescribeCustomKeyStores; botocore 1.44.8: CustomKeyStoresList",
        "Without a filter, Describe lists every store of both types in the account.",
        (f"{D}:output.CustomKeyStores",),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-002",
        MUST,
        "API_DescribeCustomKeyStores",
        "An ID or a name filter selects exactly the matching store.",
        (f"{D}.CustomKeyStoreId", f"{D}.CustomKeyStoreName"),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-003",
        MAY,
        "API_DescribeCustomKeyStores (not both)",
        "Sending both an ID and a name filter is refused or handled in an undocumented way.",
        (f"{D}.CustomKeyStoreId", f"{D}.CustomKeyStoreName"),
        ("OQ-11",),
        DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-004",
        MUST,
        "API errors CustomKeyStoreNotFoundException",
        "A filter matching no store is an error, not an empty list.",
        (f"{D}.CustomKeyStoreId", f"{D}.CustomKeyStoreName"),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-005",
        MUST,
        "API_CustomKeyStoresListEntry",
        "Every entry reports its ID, name, state, creation date and type.",
        (
            f"{LIST}.CustomKeyStoreId",
            f"{LIST}.CustomKeyStoreName",
            f"{LIST}.ConnectionState",
            f"{LIST}.CreationDate",
            f"{LIST}.CustomKeyStoreType",
        ),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-006",
        MUST,
        "API_CustomKeyStoresListEntry",
        "Only CloudHSM stores report a cluster ID and trust anchor.",
        (f"{LIST}.CloudHsmClusterId", f"{LIST}.TrustAnchorCertificate"),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-007",
        MUST,
        "API_DescribeCustomKeyStores; botocore 1.44.8: XksProxyConfigurationType",
        "Only external key stores report a proxy configuration with their current values.",
        (
            f"{LIST}.XksProxyConfiguration",
            f"{XKS_CONFIG}.Connectivity",
            f"{XKS_CONFIG}.AccessKeyId",
            f"{XKS_CONFIG}.UriEndpoint",
            f"{XKS_CONFIG}.UriPath",
        ),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-008",
        MUST,
        "API_XksProxyConfigurationType",
        "Service name and owner appear only for VPC stores; after a switch to PUBLIC, open.",
        (f"{XKS_CONFIG}.VpcEndpointServiceName", f"{XKS_CONFIG}.VpcEndpointServiceOwner"),
        ("OQ-4",),
        DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-009",
        MUST,
        "API_CustomKeyStoresListEntry (ConnectionErrorCode)",
        "The connection error code appears only for FAILED stores.",
        (f"{LIST}.ConnectionErrorCode",),
        tags=DESCRIBE,
    ),
    req(
        "CKS-DESCRIBE-010",
        MUST,
        "digest §9 [infer]",
        "A transient store is reported in its transient state or in a state it may settle to.",
        (f"{LIST}.ConnectionState",),
        ("OQ-28",),
        DESCRIBE,
    ),
)

PAGE_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-PAGE-001",
        MUST,
        "API_DescribeCustomKeyStores (Limit)",
        "A page holds at most Limit entries, possibly fewer.",
        (f"{D}.Limit",),
        tags={"paging"},
    ),
    req(
        "CKS-PAGE-002",
        MUST,
        "API_DescribeCustomKeyStores; botocore 1.44.8: BooleanType (Truncated)",
        "A truncated page carries a marker; passing it back continues the listing.",
        (f"{D}.Marker", f"{D}:output.NextMarker", f"{D}:output.Truncated"),
        tags={"paging"},
    ),
    req(
        "CKS-PAGE-003",
        MUST,
        "API errors InvalidMarkerException",
        "A marker the account was never given is refused.",
        (f"{D}.Marker",),
        tags={"paging", "validation"},
    ),
    req(
        "CKS-PAGE-004",
        MUST,
        "digest §6 (ordering undocumented)",
        "Pages together list every selected store once, in an undocumented order.",
        (f"{D}:output.CustomKeyStores",),
        ("OQ-23",),
        {"paging"},
    ),
)

SECRET_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-SECRET-001",
        MUST,
        "API_CustomKeyStoresListEntry (no password member)",
        "The kmsuser password is never returned.",
        ("CreateCustomKeyStore.KeyStorePassword",),
        tags={"secrecy"},
    ),
    req(
        "CKS-SECRET-002",
        MUST,
        "API_XksProxyConfigurationType",
        "The proxy secret is never returned; the access key ID is.",
        (f"{XKS_CONFIG}.AccessKeyId",),
        tags={"secrecy"},
    ),
    req(
        "CKS-SECRET-003",
        MUST,
        "DESIGN (secrets never leave)",
        "Secrets are redacted in every repr the suite prints.",
        tags={"secrecy"},
    ),
)

KEY_REQUIREMENTS: tuple[Requirement, ...] = (
    req(
        "CKS-KEY-001",
        MUST,
        "API_CreateKey errors CustomKeyStoreInvalidStateException",
        "Keys are created only in CONNECTED stores.",
        ("CreateKey.CustomKeyStoreId",),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-002",
        MUST,
        "API_CreateKey (Origin, CustomKeyStoreId)",
        "A key in a store needs the origin of the store's type, and that origin the store ID.",
        ("CreateKey.Origin", "CreateKey.CustomKeyStoreId"),
        tags=KEYS | {"validation"},
    ),
    req(
        "CKS-KEY-003",
        MUST,
        "API_CreateKey (XksKeyId)",
        "An external key ID is required for the EXTERNAL_KEY_STORE origin and only there.",
        ("CreateKey.XksKeyId",),
        tags=KEYS | {"validation"},
    ),
    req(
        "CKS-KEY-004",
        MUST,
        "DG create-cmk-keystore; DG create-xks-keys",
        "Store keys are symmetric, for encryption, and single-Region.",
        ("CreateKey.KeySpec", "CreateKey.KeyUsage", "CreateKey.MultiRegion"),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-005",
        MUST,
        "API_CreateKey errors CloudHsmClusterInvalidConfiguration",
        "A CloudHSM key needs two active HSMs in different AZs.",
        tags=KEYS,
    ),
    req(
        "CKS-KEY-006",
        MUST,
        "API_CreateKey errors XksKeyNotFoundException",
        "An external key the proxy does not know is not found.",
        ("CreateKey.XksKeyId",),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-007",
        MUST,
        "API_CreateKey errors XksKeyInvalidConfigurationException",
        "The external key must be AES-256, enabled, and usable to encrypt and decrypt.",
        ("CreateKey.XksKeyId",),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-008",
        MUST,
        "API_CreateKey errors XksKeyAlreadyInUseException",
        "An external key backs at most one KMS key per store.",
        ("CreateKey.XksKeyId",),
        tags=KEYS | {"uniqueness"},
    ),
    req(
        "CKS-KEY-009",
        MUST,
        "DG xks-troubleshooting; SPEC error table",
        "Proxy faults during CreateKey are reported as a store state error.",
        oqs=("OQ-26",),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-010",
        MUST,
        "API_CreateKey errors CustomKeyStoreNotFoundException",
        "CreateKey naming an unknown store is reported as not found.",
        ("CreateKey.CustomKeyStoreId",),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-011",
        MUST,
        "API_ScheduleKeyDeletion",
        "Scheduling deletion makes a key PendingDeletion for a 7-30 day wait.",
        ("ScheduleKeyDeletion.KeyId", "ScheduleKeyDeletion.PendingWindowInDays"),
        tags=KEYS,
    ),
    req(
        "CKS-KEY-012",
        MUST,
        "API_CreateKey response (KeyMetadata)",
        "A new store key is Enabled and names its store and cluster or external key.",
        (
            "CreateKey:output.KeyMetadata.CustomKeyStoreId",
            "CreateKey:output.KeyMetadata.XksKeyConfiguration.Id",
            "CreateKey:output.KeyMetadata.CloudHsmClusterId",
        ),
        tags=KEYS,
    ),
)

LIFECYCLE_REQUIREMENTS: tuple[Requirement, ...] = (
    *CONNECT_REQUIREMENTS,
    *STATE_REQUIREMENTS,
    *DESCRIBE_REQUIREMENTS,
    *PAGE_REQUIREMENTS,
    *SECRET_REQUIREMENTS,
    *KEY_REQUIREMENTS,
)
