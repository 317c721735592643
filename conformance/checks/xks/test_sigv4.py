"""SigV4 authentication: what must be accepted and every way a signature must be refused."""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
from typing import Any

import pytest

from conformance.checks.xks.bodies import (
    Sealed,
    decrypt_body,
    encrypt_body,
    health_body,
    metadata_body,
)
from conformance.checks.xks.flows import key_suffix
from conformance.checks.xks.wire import Exchange, XksWire, now_utc
from conformance.report.evidence import reached
from conformance.targets.xks import XksTarget

AUTH_FAILED = "AuthenticationFailedException"
OPERATIONS = ("health", "metadata", "encrypt", "decrypt")


def _suffix(wire: XksWire, operation: str) -> str:
    return "health" if operation == "health" else key_suffix(wire.target.key_id, operation)


#: A well-formed (if undecryptable) Decrypt input, so that no check depends on whether a
#: proxy validates the body before or after the signature (order unspecified, digest §8.4).
_SHAPED = Sealed(bytes(12), bytes(12), bytes(16), None, None)


def _body(operation: str) -> dict[str, Any]:
    """A body valid for `operation`: only the signature is wrong in the negative checks."""
    if operation == "health":
        return health_body()
    if operation == "encrypt":
        return encrypt_body(b"Hello World!", None)
    if operation == "decrypt":
        return decrypt_body(_SHAPED, None)
    return metadata_body()


def _refused(exchange: Exchange, requirement_id: str) -> None:
    exchange.expect_error(requirement_id, AUTH_FAILED)


@pytest.mark.requirement("XKS-AUTH-001")
def test_a_kms_style_signature_is_accepted(wire: XksWire) -> None:
    wire.post("health", health_body()).expect_ok("XKS-AUTH-001")
    wire.post(key_suffix(wire.target.key_id, "metadata"), metadata_body()).expect_ok("XKS-AUTH-001")


@pytest.mark.requirement("XKS-AUTH-002")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_unknown_access_key_id_is_refused_with_401(wire: XksWire, operation: str) -> None:
    signing = wire.signing(access_key_id="Invalid" + wire.target.credential.access_key_id)
    exchange = wire.post(
        _suffix(wire, operation), _body(operation), signing=signing, note="unknown AKID"
    )
    _refused(exchange, "XKS-AUTH-002")


@pytest.mark.requirement("XKS-AUTH-003")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_wrong_secret_is_refused_with_401(wire: XksWire, operation: str) -> None:
    wrong = "Invalid" + wire.target.credential.secret.reveal()
    exchange = wire.post(
        _suffix(wire, operation),
        _body(operation),
        signing=wire.signing(secret_access_key=wrong),
        note="signed with a wrong secret",
    )
    _refused(exchange, "XKS-AUTH-003")


@pytest.mark.requirement("XKS-AUTH-004")
def test_a_request_without_authorization_is_refused_with_401(wire: XksWire) -> None:
    exchange = wire.post(
        "health",
        health_body(),
        tamper={"drop_headers": ["authorization"]},
        note="no Authorization header",
    )
    _refused(exchange, "XKS-AUTH-004")


MALFORMED_AUTHORIZATIONS = (
    "AWS4-HMAC-SHA256",
    "Bearer abc",
    "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256 Credential=A/B, SignedHeaders=host, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms-xks-proxy/aws4_request",
)


@pytest.mark.requirement("XKS-AUTH-005")
@pytest.mark.parametrize("value", MALFORMED_AUTHORIZATIONS)
def test_a_malformed_authorization_is_refused_with_401(wire: XksWire, value: str) -> None:
    exchange = wire.post(
        "health",
        health_body(),
        sign_request=False,
        headers={"authorization": value},
        note="malformed Authorization",
    )
    _refused(exchange, "XKS-AUTH-005")


@pytest.mark.requirement("XKS-AUTH-006")
def test_a_body_altered_after_signing_is_refused_with_401(wire: XksWire) -> None:
    body = health_body()
    altered = dict(body, requestMetadata=dict(body["requestMetadata"], kmsRequestId="other"))
    exchange = wire.post(
        "health",
        body,
        tamper={"body": json.dumps(altered).encode()},
        note="body changed after signing",
    )
    _refused(exchange, "XKS-AUTH-006")


@pytest.mark.requirement("XKS-AUTH-007")
def test_a_request_sent_to_another_uri_than_signed_is_refused_with_401(wire: XksWire) -> None:
    # Both URIs exist and the body suits the one it is sent to, so only the signature is
    # wrong whatever a proxy checks first; no second key is needed.
    signed = wire.path("health")
    sent = wire.path(key_suffix(wire.target.key_id, "metadata"))
    exchange = wire.send(
        "POST",
        signed,
        metadata_body(),
        tamper={"path": sent},
        note=f"signed for {signed}",
    )
    _refused(exchange, "XKS-AUTH-007")


@pytest.mark.requirement("XKS-AUTH-008")
def test_a_request_with_another_host_than_signed_is_refused_with_401(wire: XksWire) -> None:
    exchange = wire.post(
        "health",
        health_body(),
        tamper={"host": f"other-{wire.host_header}"},
        note="Host changed after signing",
    )
    # A front end that serves virtual hosts may turn the unknown name away itself with
    # 421 Misdirected Request (RFC 9110 §15.5.20): refused before SigV4, which is as safe.
    if exchange.response.status == 421:
        return
    _refused(exchange, "XKS-AUTH-008")


#: Above this disagreement between this machine's clock and the proxy's Date header, a
#: skew check would test the clocks rather than the proxy.
MAX_CLOCK_DISAGREEMENT = datetime.timedelta(seconds=60)


@pytest.fixture(scope="module")
def proxy_clock_agrees(wire: XksWire) -> None:
    """Skip the skew checks when the proxy's Date header shows the two clocks disagree: a
    machine 4 minutes off would make the ±7 min probes ±3 min (or ±2 min ones ±6 min)."""
    date = wire.post("health", health_body(), note="clock probe").response.headers.get("date")
    if not date:
        return
    try:
        proxy_now = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return
    if proxy_now.tzinfo is None:
        return
    offset = proxy_now - now_utc()
    if abs(offset) > MAX_CLOCK_DISAGREEMENT:
        pytest.skip(
            f"this machine's clock and the proxy's Date header differ by "
            f"{offset.total_seconds():+.0f} s: sync the clocks to judge clock-skew handling"
        )


@pytest.mark.requirement("XKS-AUTH-009")
@pytest.mark.usefixtures("proxy_clock_agrees")
@pytest.mark.parametrize("minutes", [-7, 7])
def test_a_request_dated_beyond_five_minutes_is_refused(wire: XksWire, minutes: int) -> None:
    when = now_utc() + datetime.timedelta(minutes=minutes)
    exchange = wire.post(
        "health",
        health_body(),
        signing=wire.signing(when=when),
        note=f"X-Amz-Date {minutes:+d} min off",
    )
    _refused(exchange, "XKS-AUTH-009")


@pytest.mark.requirement("XKS-AUTH-010")
@pytest.mark.usefixtures("proxy_clock_agrees")
@pytest.mark.parametrize("minutes", [-2, 2])
def test_a_request_dated_a_little_off_is_accepted(wire: XksWire, minutes: int) -> None:
    when = now_utc() + datetime.timedelta(minutes=minutes)
    wire.post(
        "health",
        health_body(),
        signing=wire.signing(when=when),
        note=f"X-Amz-Date {minutes:+d} min off",
    ).expect_ok("XKS-AUTH-010")


@pytest.mark.requirement("XKS-AUTH-011")
@pytest.mark.parametrize("service", ["kms", "execute-api", "kms-xks-proxy2"])
def test_a_signature_for_another_service_is_refused_with_401(wire: XksWire, service: str) -> None:
    exchange = wire.post(
        "health",
        health_body(),
        signing=wire.signing(service=service),
        note=f"scope service {service}",
    )
    _refused(exchange, "XKS-AUTH-011")


@pytest.mark.requirement("XKS-AUTH-012")
def test_a_scope_date_other_than_the_request_day_is_refused_with_401(wire: XksWire) -> None:
    yesterday = (now_utc() - datetime.timedelta(days=1)).strftime("%Y%m%d")
    exchange = wire.post(
        "health",
        health_body(),
        signing=wire.signing(scope_date=yesterday),
        note="credential scope dated yesterday",
    )
    _refused(exchange, "XKS-AUTH-012")


@pytest.mark.requirement("XKS-AUTH-013")
def test_a_request_without_x_amz_date_is_refused_with_401(wire: XksWire) -> None:
    exchange = wire.post(
        "health",
        health_body(),
        tamper={"drop_headers": ["x-amz-date"]},
        note="X-Amz-Date removed after signing",
    )
    _refused(exchange, "XKS-AUTH-013")


@pytest.mark.requirement("XKS-AUTH-014")
def test_signing_content_type_as_well_is_accepted(wire: XksWire) -> None:
    signing = wire.signing(signed_headers=("content-type", "host", "x-amz-date"))
    wire.post(
        "health", health_body(), signing=signing, note="SignedHeaders content-type;host;x-amz-date"
    ).expect_ok("XKS-AUTH-014")


@pytest.mark.requirement("XKS-AUTH-015")
def test_a_second_credential_for_the_prefix_is_accepted_too(
    wire: XksWire, xks_target: XksTarget
) -> None:
    if xks_target.second_credential is None:
        pytest.skip("no second credential for the prefix given (--second-access-key-id)")
    wire.post(
        "health",
        health_body(),
        signing=wire.signing(xks_target.second_credential),
        note="second credential",
    ).expect_ok("XKS-AUTH-015")
    wire.post("health", health_body(), note="first credential").expect_ok("XKS-AUTH-015")


@pytest.mark.requirement("XKS-AUTH-016")
def test_a_signature_for_another_region_is_refused(wire: XksWire) -> None:
    other = "eu-west-3" if wire.target.region != "eu-west-3" else "us-west-2"
    exchange = wire.post(
        "health",
        health_body(),
        signing=wire.signing(region=other),
        note=f"scope region {other}",
    )
    _refused(exchange, "XKS-AUTH-016")


@pytest.mark.requirement("XKS-AUTH-017")
def test_another_tenants_credential_is_refused_on_this_prefix(
    wire: XksWire, xks_target: XksTarget
) -> None:
    if xks_target.other_tenant_credential is None or xks_target.other_tenant_prefix is None:
        pytest.skip("no second tenant (prefix and credential) given")
    signing = wire.signing(xks_target.other_tenant_credential)
    wire.post(
        "health",
        health_body(),
        uri_prefix=xks_target.other_tenant_prefix,
        signing=signing,
        note="other tenant on its own prefix",
    ).expect_ok("XKS-AUTH-017")
    exchange = wire.post("health", health_body(), signing=signing, note="other tenant's credential")
    _refused(exchange, "XKS-AUTH-017")


def _last_digit_changed(authorization: str) -> str:
    """The Authorization value with the signature's last hex digit replaced."""
    return authorization[:-1] + ("0" if authorization[-1] != "0" else "1")


def _one_second_later(amz_date: str) -> str:
    moved = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ") + datetime.timedelta(seconds=1)
    return moved.strftime("%Y%m%dT%H%M%SZ")


def _altered_plaintext(body: dict[str, Any]) -> bytes:
    """The body with one base64 character of the plaintext changed (still valid base64)."""
    text = body["plaintext"]
    middle = len(text) // 2
    swapped = "B" if text[middle] != "B" else "C"
    return json.dumps(dict(body, plaintext=text[:middle] + swapped + text[middle + 1 :])).encode()


#: Alterations after signing, one component of the canonical request at a time (the
#: signature itself in its last digit; an x-amz-content-sha256 that lies about the body,
#: signed or not; UNSIGNED-PAYLOAD). Every one gets 401 (the method may get 405 first).
CANONICAL_ALTERATIONS = (
    "signature-last-digit",
    "method",
    "path",
    "x-amz-date",
    "content-type-signed",
    "payload",
    "content-sha256-lies-signed",
    "content-sha256-lies-unsigned",
    "unsigned-payload",
)


@pytest.mark.requirement("XKS-AUTH-019")
@pytest.mark.parametrize("alteration", CANONICAL_ALTERATIONS)
def test_every_canonical_request_component_altered_after_signing_gets_401(
    wire: XksWire, alteration: str
) -> None:
    body = encrypt_body(b"Hello World!", None)
    payload = json.dumps(body).encode()
    sha = hashlib.sha256(payload).hexdigest()
    path = wire.path(key_suffix(wire.target.key_id, "encrypt"))
    signing = wire.signing()
    headers: dict[str, str] = {}
    tamper: dict[str, Any] = {}
    if alteration == "signature-last-digit":
        tamper["set_headers"] = {"authorization": _last_digit_changed}
    elif alteration == "method":
        tamper["method"] = "PUT"
    elif alteration == "path":
        tamper["path"] = path  # signed with a trailing slash, sent without
        path = f"{path}/"
    elif alteration == "x-amz-date":
        tamper["set_headers"] = {"x-amz-date": _one_second_later}
    elif alteration == "content-type-signed":
        signing = wire.signing(signed_headers=("content-type", "host", "x-amz-date"))
        tamper["set_headers"] = {"content-type": "application/json; charset=utf-8"}
    elif alteration == "payload":
        tamper["body"] = _altered_plaintext(body)
    elif alteration.startswith("content-sha256-lies"):
        headers["x-amz-content-sha256"] = sha
        if alteration.endswith("-signed"):
            signing = wire.signing(signed_headers=("host", "x-amz-content-sha256", "x-amz-date"))
        tamper["body"] = _altered_plaintext(body)
    else:  # unsigned-payload
        headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
        signing = wire.signing(
            signed_headers=("host", "x-amz-content-sha256", "x-amz-date"),
            payload_hash="UNSIGNED-PAYLOAD",
        )
    exchange = wire.send(
        "POST",
        path,
        body,
        signing=signing,
        headers=headers,
        tamper=tamper,
        note=f"{alteration} altered after signing",
    )
    if alteration == "method" and exchange.response.status == 405:
        reached("XKS-AUTH-019")  # refused by method before SigV4: as safe [SPEC §1]
        return
    _refused(exchange, "XKS-AUTH-019")


@pytest.mark.requirement("XKS-AUTH-020")
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_signature_that_leaves_host_unsigned_is_refused(wire: XksWire, operation: str) -> None:
    exchange = wire.post(
        _suffix(wire, operation),
        _body(operation),
        signing=wire.signing(signed_headers=("x-amz-date",)),
        note="SignedHeaders=x-amz-date",
    )
    _refused(exchange, "XKS-AUTH-020")
