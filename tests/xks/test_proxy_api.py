"""The fake proxy's API behaviour: routing, validation, key usages and states, health."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from conformance.xks.client import XksClient, health_metadata, key_metadata
from conformance.xks.config import EkmNode
from conformance.xks.server import RunningProxy

StartProxy = Callable[..., RunningProxy]
OPERATIONS = ["health", "keys/foo/metadata", "keys/foo/encrypt", "keys/foo/decrypt"]


def outcome(response: Any) -> tuple[int, str | None]:
    return response.status, response.error_name


def encrypt_body(**changes: Any) -> dict[str, Any]:
    body = {
        "requestMetadata": key_metadata("Encrypt"),
        "plaintext": "aGk=",
        "encryptionAlgorithm": "AES_GCM",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# ------------------------------------------------------------------------ routing
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", OPERATIONS)
def test_methods_other_than_post_get_405(client: XksClient, method: str, path: str) -> None:
    response = client.raw(method, path, None)
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert response.error_name is not None


@pytest.mark.parametrize(
    "path",
    [
        "/kms/xks/v1/health",
        "/example/uri/path/prefix/invalid/kms/xks/v1/health",
        "/example/uri/path/prefix/kms/xks/v2/health",
        "/example/uri/path/prefix/kms/xks/v1/keys",
        "/example/uri/path/prefix/kms/xks/v1/keys/foo/sign",
        "/example/uri/path/prefix/kms/xks/v1/health/",
        "/example/uri/path/prefix//kms/xks/v1/health",
        "/",
    ],
)
def test_unknown_paths_get_404_invalid_uri_path(client: XksClient, path: str) -> None:
    assert outcome(client.raw("POST", path, {})) == (404, "InvalidUriPathException")


@pytest.mark.parametrize("key_id", ["a" * 129, "bad*char", "sp ace"])
def test_malformed_key_ids_get_400_validation(client: XksClient, key_id: str) -> None:
    assert outcome(client.get_key_metadata(key_id)) == (400, "ValidationException")


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"requestMetadata": {}},
        {"requestMetadata": "x"},
        {"requestMetadata": {"kmsRequestId": "r"}},
        {"requestMetadata": {"kmsOperation": 5, "kmsRequestId": "r"}},
    ],
    ids=["empty body", "empty metadata", "metadata not object", "no kmsOperation", "wrong type"],
)
def test_health_without_valid_request_metadata_gets_400(client: XksClient, body: Any) -> None:
    assert outcome(client.raw("POST", "health", body)) == (400, "ValidationException")


ENCRYPT_VIOLATIONS: dict[str, dict[str, Any]] = {
    "no plaintext": {"plaintext": None},
    "plaintext not a string": {"plaintext": 12},
    "plaintext url-safe base64": {"plaintext": "-_8="},
    "plaintext unpadded": {"plaintext": "aGk"},
    "plaintext 4301 bytes": {"plaintext": base64.b64encode(bytes(4301)).decode()},
    "aad 8193 bytes": {"additionalAuthenticatedData": base64.b64encode(bytes(8193)).decode()},
    "algorithm not AES_GCM": {"encryptionAlgorithm": "AES_CBC"},
    "no algorithm": {"encryptionAlgorithm": None},
    "unknown CDIV algorithm": {"ciphertextDataIntegrityValueAlgorithm": "SHA_1"},
    "no requestMetadata": {"requestMetadata": None},
    "no kmsKeyArn": {
        "requestMetadata": {"awsPrincipalArn": "a", "kmsOperation": "Encrypt", "kmsRequestId": "r"}
    },
}


@pytest.mark.parametrize("violation", ENCRYPT_VIOLATIONS, ids=list(ENCRYPT_VIOLATIONS))
def test_invalid_encrypt_requests_get_400_naming_the_field(
    client: XksClient, violation: str
) -> None:
    response = client.raw("POST", "keys/foo/encrypt", encrypt_body(**ENCRYPT_VIOLATIONS[violation]))
    assert outcome(response) == (400, "ValidationException")
    message = response.json["errorMessage"]
    assert message.isprintable() and len(message) < 512


def test_the_exact_size_limits_are_accepted(client: XksClient) -> None:
    response = client.encrypt("foo", bytes(4300), bytes(8192), cdiv=True)
    assert response.status == 200


def test_oversized_ciphertext_metadata_on_decrypt_gets_400(client: XksClient) -> None:
    encrypted = client.encrypt("foo", b"x").json
    response = client.decrypt(
        "foo",
        encrypted["ciphertext"],
        encrypted["initializationVector"],
        encrypted["authenticationTag"],
        None,
        bytes(21),
    )
    assert outcome(response) == (400, "ValidationException")


def test_unknown_kms_operations_fields_and_long_arns_are_accepted(client: XksClient) -> None:
    metadata = key_metadata("SomeFutureOperation") | {
        "awsPrincipalArn": "arn:aws:iam::123456789012:role/" + "r" * 2000,
        "futureField": {"nested": True},
    }
    body = encrypt_body(requestMetadata=metadata, futureTopLevel=[1, 2])
    assert client.raw("POST", "keys/foo/encrypt", body).status == 200
    health = {"requestMetadata": health_metadata("SomethingNew") | {"extra": "x"}}
    assert client.raw("POST", "health", health).status == 200


# ------------------------------------------------------------------------ keys
@pytest.mark.parametrize("kms_operation", ["CreateKey", "DescribeKey"])
def test_metadata_reports_aes_256_with_usages_and_status(
    client: XksClient, kms_operation: str
) -> None:
    response = client.get_key_metadata("foo", kms_operation)
    assert response.json == {
        "keySpec": "AES_256",
        "keyUsage": ["ENCRYPT", "DECRYPT"],
        "keyStatus": "ENABLED",
    }


def test_a_disabled_key_reports_disabled_and_refuses_crypto(
    client: XksClient, proxy: RunningProxy
) -> None:
    key = proxy.disabled_key_id or ""
    assert client.get_key_metadata(key).json["keyStatus"] == "DISABLED"
    assert outcome(client.encrypt(key, b"x")) == (400, "InvalidStateException")
    assert outcome(client.decrypt(key, b"x", bytes(12), bytes(16))) == (
        400,
        "InvalidStateException",
    )


@pytest.mark.parametrize("path", OPERATIONS[1:])
def test_a_missing_key_gets_404_key_not_found(client: XksClient, path: str) -> None:
    body = (
        encrypt_body()
        if path.endswith("encrypt")
        else {
            "requestMetadata": key_metadata("Decrypt"),
            "ciphertext": "",
            "encryptionAlgorithm": "AES_GCM",
            "initializationVector": base64.b64encode(bytes(12)).decode(),
            "authenticationTag": base64.b64encode(bytes(16)).decode(),
        }
    )
    missing = path.replace("foo", "non_existing_key")
    assert outcome(client.raw("POST", missing, body)) == (404, "KeyNotFoundException")


def test_key_usages_are_enforced_including_cdiv_on_encrypt_only_keys(
    client: XksClient, proxy: RunningProxy
) -> None:
    usage_error = (400, "InvalidKeyUsageException")
    encrypt_only, decrypt_only, impotent = (
        proxy.encrypt_only_key_id or "",
        proxy.decrypt_only_key_id or "",
        proxy.impotent_key_id or "",
    )
    sealed = client.encrypt(encrypt_only, b"x", b"aad")
    assert sealed.status == 200
    assert (
        outcome(
            client.decrypt(
                encrypt_only,
                sealed.json["ciphertext"],
                sealed.json["initializationVector"],
                sealed.json["authenticationTag"],
                b"aad",
            )
        )
        == usage_error
    )
    assert outcome(client.encrypt(encrypt_only, b"x", cdiv=True)) == usage_error
    for key in (decrypt_only, impotent):
        assert outcome(client.encrypt(key, b"x")) == usage_error
        assert outcome(client.encrypt(key, b"x", b"a", cdiv=True)) == usage_error
    assert outcome(client.decrypt(impotent, b"x", bytes(12), bytes(16))) == usage_error


# ------------------------------------------------------------------------ health
def test_health_reports_the_configured_fleet_and_follows_changes(
    start_proxy: StartProxy,
) -> None:
    running = start_proxy()
    with XksClient.for_proxy(running) as xks:
        report = xks.health("CreateCustomKeyStore").json
        assert report["xksProxyFleetSize"] == 1
        assert {k: type(v) for k, v in report.items()} == {
            "xksProxyFleetSize": int,
            "xksProxyVendor": str,
            "xksProxyModel": str,
            "ekmVendor": str,
            "ekmFleetDetails": list,
        }
        assert [n["healthStatus"] for n in report["ekmFleetDetails"]] == ["ACTIVE", "ACTIVE"]
        running.set_ekm_fleet(
            [
                EkmNode("ekm-1", health_status="DEGRADED"),
                EkmNode("ekm-2", health_status="UNAVAILABLE"),
            ]
        )
        details = xks.health().json["ekmFleetDetails"]
        assert [(n["id"], n["healthStatus"]) for n in details] == [
            ("ekm-1", "DEGRADED"),
            ("ekm-2", "UNAVAILABLE"),
        ]
        running.set_ekm_fleet([EkmNode("ekm-1", health_status="UNAVAILABLE")])
        assert outcome(xks.encrypt("foo", b"x")) == (503, "DependencyTimeoutException")
        assert xks.health().status == 200


@pytest.mark.parametrize(
    "kms_operation",
    ["CreateCustomKeyStore", "ConnectCustomKeyStore", "UpdateCustomKeyStore", "KmsHealthCheck"],
)
def test_health_accepts_every_kms_operation(client: XksClient, kms_operation: str) -> None:
    assert client.health(kms_operation).status == 200


def test_an_empty_prefix_tenant_serves_the_bare_api_root(start_proxy: StartProxy) -> None:
    from conformance.xks.config import FakeProxyConfig, Tenant

    running = start_proxy(config=FakeProxyConfig(tenants=(Tenant(""),)))
    with XksClient.for_proxy(running) as xks:
        assert xks.url_for("health").endswith(f"{running.port}/kms/xks/v1/health")
        assert xks.health().status == 200


@pytest.mark.parametrize(
    "field", ["ciphertextDataIntegrityValueAlgorithm", "additionalAuthenticatedData"]
)
def test_optional_fields_sent_as_null_get_400(client: XksClient, field: str) -> None:
    body = encrypt_body()
    body[field] = None
    assert outcome(client.raw("POST", "keys/foo/encrypt", body)) == (400, "ValidationException")
