"""Every fault in the catalog demonstrably changes the fake proxy's behaviour.

Each fault has one observation: a function of a running proxy whose value differs between
the clean proxy and the proxy with just that fault switched on. Both values are pinned.
"""

from __future__ import annotations

import base64
import datetime
import json
import socket
import ssl
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checks.xks.sigv4_signer import SigningParams, sign
from conformance.xks import aead
from conformance.xks.client import XksClient, XksResponse, b64, health_metadata, key_metadata
from conformance.xks.config import EkmNode, FakeProxyConfig
from conformance.xks.faults import FAULTS, SLOW_FAULT_DELAY_SECONDS
from conformance.xks.server import RunningProxy

StartProxy = Callable[..., RunningProxy]
Observe = Callable[[RunningProxy], object]


def client_of(proxy: RunningProxy, index: int = 0) -> XksClient:
    return XksClient.for_proxy(proxy, index)


def outcome(response: XksResponse) -> tuple[int, str | None]:
    return response.status, response.error_name


# ------------------------------------------------------------------------ observers
def tls_verify_code(proxy: RunningProxy) -> int | None:
    """None when a client trusting the proxy's CA bundle accepts the certificate."""
    context = ssl.create_default_context(cafile=str(proxy.ca_bundle_path))
    try:
        with (
            socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost"),
        ):
            return None
    except ssl.SSLCertVerificationError as error:
        return int(error.verify_code)


def tls_1_1_handshake(proxy: RunningProxy) -> str:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(proxy.ca_bundle_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    try:
        with (
            socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            return str(tls.version())
    except ssl.SSLError:
        return "refused"


def health_without_client_certificate(proxy: RunningProxy) -> object:
    with XksClient(
        proxy.base_url, proxy.uri_prefix, *proxy.credentials[0], proxy.region, proxy.ca_bundle_path
    ) as xks:
        try:
            return xks.health().status
        except OSError:  # requests wraps the refused handshake in an OSError subclass
            return "refused"


def encrypted(
    proxy: RunningProxy,
    plaintext: bytes = b"plaintext\n",
    aad: bytes | None = None,
    cdiv: bool = False,
) -> dict[str, Any]:
    with client_of(proxy) as xks:
        response = xks.encrypt("foo", plaintext, aad, cdiv=cdiv)
    assert response.status == 200, response
    return dict(response.json)


def decrypt_outcome(
    proxy: RunningProxy, body: dict[str, Any], aad: bytes | None = None, **changes: Any
) -> tuple[int, str | None]:
    body = {**body, **changes}
    with client_of(proxy) as xks:
        return outcome(
            xks.decrypt(
                "foo",
                body["ciphertext"],
                body["initializationVector"],
                body["authenticationTag"],
                aad,
                body.get("ciphertextMetadata"),
            )
        )


def flipped(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def tampered_decrypt(proxy: RunningProxy) -> tuple[int, str | None]:
    body = encrypted(proxy)
    return decrypt_outcome(proxy, body, ciphertext=flipped(body["ciphertext"]))


def missing_key_outcome(proxy: RunningProxy) -> tuple[int, str | None]:
    with client_of(proxy) as xks:
        return outcome(xks.get_key_metadata("non_existing_key"))


def status_codes(proxy: RunningProxy) -> tuple[int, int]:
    return missing_key_outcome(proxy)[0], tampered_decrypt(proxy)[0]


def oversize_outcome(proxy: RunningProxy) -> tuple[int, str | None]:
    with client_of(proxy) as xks:
        return outcome(xks.encrypt("foo", bytes(4301)))


def error_message_is_clean(proxy: RunningProxy) -> bool:
    with client_of(proxy) as xks:
        message = xks.get_key_metadata("non_existing_key").json.get("errorMessage", "")
    return bool(message.isascii() and message.isprintable() and len(message) < 512)


def health_response(proxy: RunningProxy) -> XksResponse:
    with client_of(proxy) as xks:
        return xks.health()


def signed_get(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        return xks.raw("GET", "health", {"requestMetadata": health_metadata()}).status


def health_status_with(proxy: RunningProxy, index: int = 0, **raw: Any) -> int:
    with client_of(proxy, index) as xks:
        return xks.raw("POST", "health", {"requestMetadata": health_metadata()}, **raw).status


def empty_health_body_status(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        return xks.raw("POST", "health", {}).status


def key_spec(proxy: RunningProxy) -> str:
    with client_of(proxy) as xks:
        return str(xks.get_key_metadata("foo").json["keySpec"])


def other_tenant_credential(proxy: RunningProxy) -> int:
    akid, secret = proxy.tenants[1].credentials[0]
    with XksClient(
        proxy.base_url, proxy.uri_prefix, akid, secret, proxy.region, proxy.ca_bundle_path
    ) as xks:
        return xks.health().status


def unknown_operation(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        return xks.get_key_metadata("foo", "SomeFutureOperation").status


def non_uuid_request_id(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        body = {"requestMetadata": key_metadata("DescribeKey") | {"kmsRequestId": "req-1"}}
        return xks.raw("POST", "keys/foo/metadata", body).status


def unknown_fields(proxy: RunningProxy) -> int:
    body = {
        "requestMetadata": key_metadata("Encrypt") | {"futureField": "x"},
        "plaintext": "aGk=",
        "encryptionAlgorithm": "AES_GCM",
        "futureTopLevel": 1,
    }
    with client_of(proxy) as xks:
        return xks.raw("POST", "keys/foo/encrypt", body).status


def fleet_after_outage(proxy: RunningProxy) -> list[str]:
    proxy.set_ekm_fleet([EkmNode("ekm-1", health_status="UNAVAILABLE")])
    return [node["healthStatus"] for node in health_response(proxy).json["ekmFleetDetails"]]


def reported_fleet(proxy: RunningProxy) -> list[tuple[str, str]]:
    return [(n["id"], n["healthStatus"]) for n in health_response(proxy).json["ekmFleetDetails"]]


def crypto_status(key_id: str) -> Observe:
    def observe(proxy: RunningProxy) -> int:
        with client_of(proxy) as xks:
            return xks.encrypt(key_id, b"x").status

    return observe


def tag_is_standard_padded_base64(proxy: RunningProxy) -> bool:
    tag = encrypted(proxy)["authenticationTag"]
    return tag.endswith("==") and "-" not in tag and "_" not in tag


def metadata_tamper(proxy: RunningProxy) -> tuple[int, str | None]:
    body = encrypted(proxy)
    return decrypt_outcome(proxy, body, ciphertextMetadata=flipped(body["ciphertextMetadata"]))


def metadata_length(proxy: RunningProxy) -> int:
    return len(base64.b64decode(encrypted(proxy)["ciphertextMetadata"]))


def iv_repeats(proxy: RunningProxy) -> bool:
    return encrypted(proxy)["initializationVector"] == encrypted(proxy)["initializationVector"]


def iv_length(proxy: RunningProxy) -> int:
    return len(base64.b64decode(encrypted(proxy)["initializationVector"]))


def round_trip_holds(proxy: RunningProxy) -> bool:
    body = encrypted(proxy, b"Hello World!")
    with client_of(proxy) as xks:
        return xks.decrypt_plaintext("foo", body) == b"Hello World!"


def cdiv_present(proxy: RunningProxy) -> bool:
    return "ciphertextDataIntegrityValue" in encrypted(proxy, cdiv=True)


def cdiv_matches(proxy: RunningProxy) -> bool:
    aad = b"project=nile,department=marketing"
    body = encrypted(proxy, aad=aad, cdiv=True)
    parts = {k: base64.b64decode(v) for k, v in body.items()}
    expected = aead.ciphertext_data_integrity_value(
        aad=aad,
        metadata=parts.get("ciphertextMetadata"),
        iv=parts["initializationVector"],
        ciphertext=parts["ciphertext"],
        tag=parts["authenticationTag"],
    )
    return parts["ciphertextDataIntegrityValue"] == expected


def ciphertext_length(proxy: RunningProxy) -> int:
    return len(base64.b64decode(encrypted(proxy, bytes(10))["ciphertext"]))


def empty_aad_for_absent(proxy: RunningProxy) -> tuple[int, str | None]:
    return decrypt_outcome(proxy, encrypted(proxy), aad=b"")


def slow_delays(proxy: RunningProxy) -> list[float]:
    delays: list[float] = []
    real_sleep = proxy.app.sleep

    def recording_sleep(seconds: float) -> None:
        delays.append(seconds)
        real_sleep(seconds)

    proxy.app.sleep = recording_sleep
    response = health_response(proxy)
    if delays:  # the delay really happened before the reply
        assert response.elapsed_seconds >= SLOW_FAULT_DELAY_SECONDS
    return delays


# ------------------------------------------------------- observers of the subtle faults
def _changed(value: str, index: int = -1, extra: int = 0) -> str:
    """base64 `value` with the byte at `index` flipped, or `extra` bytes appended."""
    raw = bytearray(base64.b64decode(value))
    if extra:
        raw += bytes(extra)
    else:
        raw[index] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def last_tag_byte_flipped(proxy: RunningProxy) -> tuple[int, str | None]:
    body = encrypted(proxy)
    return decrypt_outcome(proxy, body, authenticationTag=_changed(body["authenticationTag"]))


def last_metadata_byte_flipped(proxy: RunningProxy) -> tuple[int, str | None]:
    body = encrypted(proxy)
    return decrypt_outcome(proxy, body, ciphertextMetadata=_changed(body["ciphertextMetadata"]))


def last_aad_byte_flipped(proxy: RunningProxy) -> tuple[int, str | None]:
    aad = bytes(5000)
    return decrypt_outcome(proxy, encrypted(proxy, aad=aad), aad=aad[:-1] + b"\x01")


def extended(field_name: str, extra: int = 1) -> Observe:
    def observe(proxy: RunningProxy) -> tuple[int, str | None]:
        body = encrypted(proxy)
        return decrypt_outcome(proxy, body, **{field_name: _changed(body[field_name], extra=extra)})

    return observe


def metadata_of_21_bytes(proxy: RunningProxy) -> tuple[int, str | None]:
    return decrypt_outcome(proxy, encrypted(proxy), ciphertextMetadata=b64(bytes(21)))


def long_plaintext_ciphertext_length(proxy: RunningProxy) -> int:
    return len(base64.b64decode(encrypted(proxy, bytes(4100))["ciphertext"]))


def key_id_of_128_chars(proxy: RunningProxy) -> tuple[int, str | None]:
    with client_of(proxy) as xks:
        return outcome(xks.encrypt("k" * 128, b"x"))


def encrypt_status_for(key_id: str, kms_operation: str) -> Observe:
    def observe(proxy: RunningProxy) -> int:
        with client_of(proxy) as xks:
            return xks.encrypt(key_id, b"x", kms_operation=kms_operation).status

    return observe


def create_key_status_of_disabled_key(proxy: RunningProxy) -> str:
    with client_of(proxy) as xks:
        return str(xks.get_key_metadata("disabled_key", "CreateKey").json["keyStatus"])


def encrypt_without_via_service(proxy: RunningProxy) -> int:
    metadata = key_metadata("Encrypt")
    del metadata["kmsViaService"]
    body = {"requestMetadata": metadata, "plaintext": "aGk=", "encryptionAlgorithm": "AES_GCM"}
    with client_of(proxy) as xks:
        return xks.raw("POST", "keys/foo/encrypt", body).status


def metadata_through_a_vpc_endpoint(proxy: RunningProxy) -> int:
    vpc = {"awsSourceVpc": "vpc-0123456789abcdef0", "awsSourceVpce": "vpce-0123456789abcdef0"}
    body = {"requestMetadata": key_metadata("DescribeKey") | vpc}
    with client_of(proxy) as xks:
        return xks.raw("POST", "keys/foo/metadata", body).status


def ten_round_trips_hold(proxy: RunningProxy) -> bool:
    with client_of(proxy) as xks:
        bodies = [(xks.encrypt("foo", bytes([i]) * 8).json, bytes([i]) * 8) for i in range(10)]
        return all(xks.decrypt_plaintext("foo", body) == plain for body, plain in bodies)


def seven_health_answers_complete(proxy: RunningProxy) -> bool:
    return all("ekmFleetDetails" in health_response(proxy).json for _ in range(7))


def _in_parallel(proxy: RunningProxy, work: Callable[[XksClient, int], object]) -> list[object]:
    def one(index: int) -> object:
        with client_of(proxy) as xks:
            return work(xks, index)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(8)))


def parallel_round_trips_hold(proxy: RunningProxy) -> bool:
    def work(xks: XksClient, index: int) -> bool:
        plain = bytes([index]) * 16
        return all(
            xks.decrypt_plaintext("foo", xks.encrypt("foo", plain).json) == plain for _ in range(5)
        )

    return all(_in_parallel(proxy, work))


def parallel_ivs_unique(proxy: RunningProxy) -> bool:
    def work(xks: XksClient, index: int) -> list[str]:
        return [xks.encrypt("foo", b"x").json["initializationVector"] for _ in range(4)]

    ivs = [iv for batch in _in_parallel(proxy, work) for iv in batch]  # type: ignore[attr-defined]
    return len(set(ivs)) == len(ivs)


def health_signed(
    proxy: RunningProxy, mutate: Callable[[dict[str, str]], None], **knobs: Any
) -> int:
    """A health call signed by the checks' signer, then `mutate`d (headers) before sending."""
    path = f"{proxy.uri_prefix}/kms/xks/v1/health"
    payload = json.dumps({"requestMetadata": health_metadata()}).encode()
    akid, secret = proxy.credentials[0]
    params = SigningParams(akid, secret, proxy.region, **knobs)
    base = {"host": proxy.base_url.split("://", 1)[1], "content-type": "application/json"}
    headers = sign("POST", path, base, payload, params)
    mutate(headers)
    with client_of(proxy) as xks:
        return xks.raw("POST", path, payload, headers=headers, sign=False).status


def last_signature_digit_changed(proxy: RunningProxy) -> int:
    def mutate(headers: dict[str, str]) -> None:
        value = headers["authorization"]
        headers["authorization"] = value[:-1] + ("0" if value[-1] != "0" else "1")

    return health_signed(proxy, mutate)


def unsigned_payload(proxy: RunningProxy) -> int:
    def mutate(headers: dict[str, str]) -> None:
        headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"

    return health_signed(proxy, mutate, payload_hash="UNSIGNED-PAYLOAD")


def host_left_unsigned(proxy: RunningProxy) -> int:
    return health_signed(proxy, lambda headers: None, signed_headers=("x-amz-date",))


def invalid_ciphertext_message_is_clean(proxy: RunningProxy) -> bool:
    body = encrypted(proxy)
    with client_of(proxy) as xks:
        response = xks.decrypt(
            "foo", flipped(body["ciphertext"]), body["initializationVector"],
            body["authenticationTag"], None, body.get("ciphertextMetadata"),
        )  # fmt: skip
    message = str(response.json.get("errorMessage", ""))
    return message.isascii() and message.isprintable()


def key_usage_message_length(proxy: RunningProxy) -> bool:
    with client_of(proxy) as xks:
        message = str(xks.encrypt("decrypt_only_key", b"x").json.get("errorMessage", ""))
    return len(message) < 512


@dataclass(frozen=True)
class Expectation:
    observe: Observe
    clean: object
    faulty: object
    overrides: dict[str, Any] = field(default_factory=dict)


DEGRADED_FLEET = (EkmNode("ekm-1", health_status="DEGRADED"), EkmNode("ekm-2"))
OK, AUTH = 200, 401
BAD_CIPHERTEXT = (400, "InvalidCiphertextException")

EXPECTATIONS: dict[str, Expectation] = {
    "tls_legacy": Expectation(tls_1_1_handshake, "refused", "TLSv1.1"),
    "expired_cert": Expectation(tls_verify_code, None, 10),
    "untrusted_ca": Expectation(tls_verify_code, None, 20),
    "wrong_hostname": Expectation(tls_verify_code, None, 62),
    "mtls_not_enforced": Expectation(
        health_without_client_certificate, "refused", OK, {"mtls": True}
    ),
    "get_accepted": Expectation(signed_get, 405, OK),
    "wrong_status_codes": Expectation(status_codes, (404, 400), (418, 401)),
    "not_found_as_500": Expectation(
        missing_key_outcome, (404, "KeyNotFoundException"), (500, "InternalException")
    ),
    "invalid_ciphertext_as_500": Expectation(
        tampered_decrypt, (400, "InvalidCiphertextException"), (500, "InvalidCiphertextException")
    ),
    "oversize_as_500": Expectation(
        oversize_outcome, (400, "ValidationException"), (500, "InternalException")
    ),
    "no_error_body": Expectation(missing_key_outcome, (404, "KeyNotFoundException"), (404, None)),
    "bad_error_message": Expectation(error_message_is_clean, True, False),
    "invalid_json_responses": Expectation(lambda p: health_response(p).json is None, False, True),
    "no_keepalive": Expectation(
        lambda p: health_response(p).headers.get("Connection"), None, "close"
    ),
    "slow": Expectation(slow_delays, [], [SLOW_FAULT_DELAY_SECONDS]),
    "signature_not_checked": Expectation(lambda p: health_status_with(p, sign=False), AUTH, OK),
    "skew_not_checked": Expectation(
        lambda p: health_status_with(p, date_offset=datetime.timedelta(minutes=10)), AUTH, OK
    ),
    "region_not_checked": Expectation(
        lambda p: health_status_with(p, region="eu-west-1"), AUTH, OK
    ),
    "single_credential": Expectation(lambda p: health_status_with(p, 1), OK, AUTH),
    "cross_tenant_credentials": Expectation(other_tenant_credential, AUTH, OK),
    "health_requires_authz": Expectation(
        lambda p: outcome(health_response(p)), (OK, None), (403, "AccessDeniedException")
    ),
    "unknown_kms_operation_rejected": Expectation(unknown_operation, OK, 400),
    "unknown_fields_rejected": Expectation(unknown_fields, OK, 400),
    "request_id_validated": Expectation(non_uuid_request_id, OK, 400),
    "request_metadata_not_required": Expectation(empty_health_body_status, 400, OK),
    "wrong_key_spec": Expectation(key_spec, "AES_256", "RSA_0"),
    "stale_health": Expectation(fleet_after_outage, ["UNAVAILABLE"], ["ACTIVE", "ACTIVE"]),
    "shallow_health": Expectation(
        reported_fleet,
        [("ekm-1", "DEGRADED"), ("ekm-2", "ACTIVE")],
        [("slot-0", "ACTIVE")],
        {"ekm_fleet": DEGRADED_FLEET},
    ),
    "health_fleet_size_zero": Expectation(
        lambda p: health_response(p).json["xksProxyFleetSize"], 1, 0
    ),
    "health_missing_fields": Expectation(
        lambda p: sorted(health_response(p).json),
        ["ekmFleetDetails", "ekmVendor", "xksProxyFleetSize", "xksProxyModel", "xksProxyVendor"],
        ["xksProxyFleetSize", "xksProxyModel", "xksProxyVendor"],
    ),
    "key_usage_ignored": Expectation(crypto_status("decrypt_only_key"), 400, OK),
    "disabled_key_usable": Expectation(crypto_status("disabled_key"), 400, OK),
    "urlsafe_base64": Expectation(tag_is_standard_padded_base64, True, False),
    "unbound_metadata": Expectation(
        metadata_tamper, (400, "InvalidCiphertextException"), (OK, None)
    ),
    "oversized_metadata": Expectation(metadata_length, 13, 36),
    "iv_reused": Expectation(iv_repeats, False, True),
    "wrong_iv_length": Expectation(iv_length, 12, 8),
    "wrong_plaintext": Expectation(round_trip_holds, True, False),
    "missing_cdiv": Expectation(cdiv_present, True, False),
    "wrong_cdiv": Expectation(cdiv_matches, True, False),
    "ciphertext_length_mismatch": Expectation(ciphertext_length, 10, 26),
    "aad_hashed": Expectation(
        empty_aad_for_absent, (OK, None), (400, "InvalidCiphertextException")
    ),
    "tag_prefix_checked": Expectation(last_tag_byte_flipped, BAD_CIPHERTEXT, (OK, None)),
    "metadata_last_byte_unbound": Expectation(
        last_metadata_byte_flipped, BAD_CIPHERTEXT, (OK, None)
    ),
    "aad_tail_unbound": Expectation(last_aad_byte_flipped, BAD_CIPHERTEXT, (OK, None)),
    "long_tag_truncated": Expectation(extended("authenticationTag"), BAD_CIPHERTEXT, (OK, None)),
    "iv_extension_ignored": Expectation(
        extended("initializationVector"), BAD_CIPHERTEXT, (OK, None)
    ),
    "plaintext_buffer_4096": Expectation(long_plaintext_ciphertext_length, 4100, 4096),
    "metadata_21_crash": Expectation(
        metadata_of_21_bytes, (400, "ValidationException"), (500, "InternalException")
    ),
    "iv_17_crash": Expectation(
        extended("initializationVector", 5), BAD_CIPHERTEXT, (500, "InternalException")
    ),
    "key_id_128_refused": Expectation(
        key_id_of_128_chars, (404, "KeyNotFoundException"), (400, "ValidationException")
    ),
    "reencrypt_skips_usage": Expectation(
        encrypt_status_for("decrypt_only_key", "ReEncrypt"), 400, OK
    ),
    "generate_data_key_on_disabled": Expectation(
        encrypt_status_for("disabled_key", "GenerateDataKey"), 400, OK
    ),
    "create_key_reports_enabled": Expectation(
        create_key_status_of_disabled_key, "DISABLED", "ENABLED"
    ),
    "via_service_required": Expectation(encrypt_without_via_service, OK, 400),
    "vpc_fields_crash": Expectation(metadata_through_a_vpc_endpoint, OK, 500),
    "every_tenth_decrypt_wrong": Expectation(ten_round_trips_hold, True, False),
    "health_flaky_schema": Expectation(seven_health_answers_complete, True, False),
    "shared_plaintext_buffer": Expectation(parallel_round_trips_hold, True, False),
    "iv_counter_race": Expectation(parallel_ivs_unique, True, False),
    "signature_prefix_compared": Expectation(last_signature_digit_changed, AUTH, OK),
    "content_sha256_trusted": Expectation(unsigned_payload, AUTH, OK),
    "host_unsigned_accepted": Expectation(host_left_unsigned, AUTH, OK),
    "ciphertext_error_control_chars": Expectation(invalid_ciphertext_message_is_clean, True, False),
    "usage_error_message_too_long": Expectation(key_usage_message_length, True, False),
}


def test_every_fault_in_the_catalog_has_an_expectation() -> None:
    assert list(EXPECTATIONS) == list(FAULTS)
    assert len(FAULTS) >= 20


def test_fault_names_are_unique_snake_case_with_a_summary_and_a_source() -> None:
    for name, fault in FAULTS.items():
        assert fault.name == name and name.replace("_", "").isalnum() and name.islower()
        assert fault.summary and fault.imitates and fault.category


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_changes_exactly_the_observed_behaviour(
    start_proxy: StartProxy, name: str
) -> None:
    expectation = EXPECTATIONS[name]
    config = FakeProxyConfig(**expectation.overrides)
    clean = start_proxy(config=config)
    faulty = start_proxy(name, config=config)
    assert expectation.observe(clean) == expectation.clean
    observed = expectation.observe(faulty)
    if name == "tls_legacy" and observed == "refused":
        pytest.skip("local OpenSSL cannot offer TLS 1.1 even at SECLEVEL=0")
    assert observed == expectation.faulty
