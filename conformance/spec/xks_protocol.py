"""Facts of the XKS proxy API that checks compare against (sizes, names, statuses).

Paraphrased from [SPEC] aws/aws-kms-xksproxy-api-spec ``xks_proxy_api_spec.md`` v1.0.3;
see the digest ``xks-proxy-api.md`` §1-§7.

>>> from conformance.spec.xks_protocol import ERROR_STATUS, api_path
>>> ERROR_STATUS["KeyNotFoundException"]
404
>>> api_path("/pfx", "keys/k1/encrypt")
'/pfx/kms/xks/v1/keys/k1/encrypt'
"""

from __future__ import annotations

import re

API_VERSION_PATH = "/kms/xks/v1"
SERVICE_NAME = "kms-xks-proxy"

#: errorName -> the HTTP status the spec's error table gives it.
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "InvalidStateException": 400,
    "InvalidCiphertextException": 400,
    "InvalidKeyUsageException": 400,
    "AuthenticationFailedException": 401,
    "AccessDeniedException": 403,
    "KeyNotFoundException": 404,
    "InvalidUriPathException": 404,
    "ThrottlingException": 429,
    "UnsupportedOperationException": 501,
    "DependencyTimeoutException": 503,
    "InternalException": 500,
}

MAX_PLAINTEXT_BYTES = 4300
MAX_AAD_BYTES = 8192
MAX_CIPHERTEXT_METADATA_BYTES = 20
IV_LENGTHS = frozenset({12, 16})
TAG_LENGTH = 16
MAX_ERROR_MESSAGE_CHARS = 511
MAX_ARN_CHARS = 2048
KMS_TIMEOUT_SECONDS = 0.250
RECOMMENDED_LATENCY_SECONDS = 0.035
MAX_CLOCK_SKEW_SECONDS = 300

KEY_SPECS = frozenset({"AES_256"})
KEY_USAGES = frozenset({"ENCRYPT", "DECRYPT", "DERIVE", "SIGN", "VERIFY", "WRAP", "UNWRAP"})
MAX_KEY_USAGES = 10
KEY_STATUSES = frozenset({"ENABLED", "DISABLED"})
EKM_HEALTH_STATUSES = frozenset({"ACTIVE", "DEGRADED", "UNAVAILABLE"})
MAX_EKM_FLEET_DETAILS = 10

HEALTH_KMS_OPERATIONS = (
    "CreateCustomKeyStore",
    "ConnectCustomKeyStore",
    "UpdateCustomKeyStore",
    "KmsHealthCheck",
)
ENCRYPT_KMS_OPERATIONS = (
    "Encrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
)
DECRYPT_KMS_OPERATIONS = ("Decrypt", "ReEncrypt")
METADATA_KMS_OPERATIONS = ("CreateKey", "DescribeKey")

#: externalKeyId: 1-128 chars of letters, digits, dot, underscore and hyphen.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}", re.ASCII)
#: Standard base64 alphabet with padding (RFC 4648 §4), the only encoding the spec allows.
STANDARD_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def api_path(uri_prefix: str, suffix: str) -> str:
    """The full API path for `suffix` (``health`` or ``keys/<id>/<op>``) under `uri_prefix`."""
    prefix = "/" + uri_prefix.strip("/") if uri_prefix.strip("/") else ""
    return f"{prefix}{API_VERSION_PATH}/{suffix}"


def is_standard_base64(text: str) -> bool:
    """Whether `text` is standard padded base64 (RFC 4648 §4), ASCII only."""
    return STANDARD_BASE64.fullmatch(text) is not None
