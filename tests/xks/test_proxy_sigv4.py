"""SigV4 on the fake proxy: every tampering gets 401, every legitimate signer gets in."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conformance.xks.client import XksClient, XksResponse, health_metadata, key_metadata
from conformance.xks.config import Credential, FakeProxyConfig, Tenant, random_credential
from conformance.xks.server import RunningProxy
from conformance.xks.sigv4 import SignatureError, parse_authorization, sign_request

StartProxy = Callable[..., RunningProxy]


def health_body() -> dict[str, Any]:
    return {"requestMetadata": health_metadata()}


def assert_authentication_failed(response: XksResponse) -> None:
    assert (response.status, response.error_name) == (401, "AuthenticationFailedException")


# ----------------------------------------------------------------------- refused (401)
UNSIGNED_CASES: dict[str, dict[str, Any]] = {
    "wrong access key id": {"access_key_id": "INVALID" + "A" * 17},
    "wrong secret": {"secret_access_key": "Invalid" + "s" * 40},
    "skew beyond 5 minutes ahead": {"date_offset": datetime.timedelta(minutes=5, seconds=30)},
    "skew beyond 5 minutes behind": {"date_offset": -datetime.timedelta(minutes=5, seconds=30)},
    "missing X-Amz-Date": {"include_date": False},
    "wrong service": {"service": "kms"},
    "other region": {"region": "eu-west-1"},
    "scope date differs from X-Amz-Date": {"scope_date": "20200101"},
    "host not signed": {"signed_headers": ["x-amz-date"]},
    "altered body": {"body_after_signing": json.dumps(health_body()).encode()},
    "altered host": {"after_signing": {"Host": "127.0.0.1:1"}},
    "no signature at all": {"sign": False},
}


@pytest.mark.parametrize("case", UNSIGNED_CASES, ids=list(UNSIGNED_CASES))
def test_tampered_or_wrongly_signed_requests_get_401(client: XksClient, case: str) -> None:
    assert_authentication_failed(
        client.raw("POST", "health", health_body(), **UNSIGNED_CASES[case])
    )


def test_an_altered_path_gets_401(client: XksClient, proxy: RunningProxy) -> None:
    """Signed for foo's metadata, sent to encrypt_only_key's: the signature no longer fits."""
    body = json.dumps({"requestMetadata": key_metadata("DescribeKey")}).encode()
    akid, secret = proxy.credentials[0]

    def send(signed_path: str, sent_path: str) -> requests.Response:
        headers = sign_request(
            "POST",
            client.url_for(signed_path),
            {"Content-Type": "application/json"},
            body,
            access_key_id=akid,
            secret_access_key=secret,
            region=proxy.region,
            when=datetime.datetime.now(datetime.timezone.utc),
        )
        return client.session.post(
            client.url_for(sent_path), data=body, headers=headers, verify=str(proxy.ca_bundle_path)
        )

    assert send("keys/foo/metadata", "keys/foo/metadata").status_code == 200
    altered = send("keys/foo/metadata", "keys/encrypt_only_key/metadata")
    assert (altered.status_code, altered.json()["errorName"]) == (
        401,
        "AuthenticationFailedException",
    )


def test_a_malformed_authorization_header_gets_401(client: XksClient) -> None:
    response = client.raw(
        "POST",
        "health",
        health_body(),
        sign=False,
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=garbage", "X-Amz-Date": "x"},
    )
    assert_authentication_failed(response)


def test_credentials_of_one_prefix_do_not_work_on_another(proxy: RunningProxy) -> None:
    other_tenant = proxy.tenants[1]
    akid, secret = other_tenant.credentials[0]
    with XksClient(
        proxy.base_url, proxy.uri_prefix, akid, secret, proxy.region, proxy.ca_bundle_path
    ) as intruder:
        assert_authentication_failed(intruder.health())
    with XksClient(
        proxy.base_url, other_tenant.uri_prefix, akid, secret, proxy.region, proxy.ca_bundle_path
    ) as owner:
        assert owner.health().status == 200


# ----------------------------------------------------------------------- accepted (200)
def test_both_live_credentials_of_a_prefix_are_accepted(proxy: RunningProxy) -> None:
    assert len(proxy.credentials) >= 2
    for index in range(len(proxy.credentials)):
        with XksClient.for_proxy(proxy, index) as xks:
            assert xks.health().status == 200


@pytest.mark.parametrize(
    "signed_headers",
    [["host", "x-amz-date"], ["content-type", "host", "x-amz-date"]],
    ids=["kms-choice", "curl-choice"],
)
def test_kms_and_curl_signed_header_choices_are_accepted(
    client: XksClient, signed_headers: list[str]
) -> None:
    assert client.raw("POST", "health", health_body(), signed_headers=signed_headers).status == 200


def test_skew_within_five_minutes_is_accepted(client: XksClient) -> None:
    for offset in (datetime.timedelta(minutes=4), -datetime.timedelta(minutes=4)):
        assert client.raw("POST", "health", health_body(), date_offset=offset).status == 200


def test_a_request_signed_by_botocore_sigv4auth_is_accepted(proxy: RunningProxy) -> None:
    akid, secret = proxy.credentials[0]
    body = json.dumps(health_body()).encode()
    request = AWSRequest(
        method="POST",
        url=proxy.url("health"),
        data=body,
        headers={"Content-Type": "application/json", "User-Agent": "botocore-test"},
    )
    SigV4Auth(Credentials(akid, secret), "kms-xks-proxy", proxy.region).add_auth(request)
    assert "content-type" in request.headers["Authorization"]
    session = requests.Session()
    session.trust_env = False
    response = session.post(
        proxy.url("health"),
        data=body,
        headers=dict(request.headers),
        verify=str(proxy.ca_bundle_path),
    )
    assert response.status_code == 200, response.text


def test_secrets_of_43_and_64_chars_and_ids_of_20_and_30_chars_work(
    start_proxy: StartProxy,
) -> None:
    credentials = (Credential("A" * 20, "x" * 43), Credential("B" * 30, "y/+=" * 16))
    running = start_proxy(config=FakeProxyConfig(tenants=(Tenant("", credentials),)))
    for akid, secret in credentials:
        with XksClient(
            running.base_url, "", akid, secret, running.region, running.ca_bundle_path
        ) as xks:
            assert xks.health().status == 200


# ----------------------------------------------------------------------- unit level
def test_authorization_headers_with_unsorted_signed_headers_are_rejected() -> None:
    with pytest.raises(SignatureError, match="sorted"):
        parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20240515/us-east-1/kms-xks-proxy/aws4_request, "
            "SignedHeaders=x-amz-date;host, Signature=" + "0" * 64
        )


def test_credentials_rotate_while_running(start_proxy: StartProxy) -> None:
    running = start_proxy()
    old, kept = running.credentials
    fresh = random_credential()
    running.set_credentials([kept, fresh])
    for credential, status in ((old, 401), (kept, 200), (fresh, 200)):
        with XksClient(
            running.base_url,
            running.uri_prefix,
            *credential,
            running.region,
            running.ca_bundle_path,
        ) as xks:
            assert xks.health().status == status
