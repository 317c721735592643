"""TLS of the fake proxy: certificate trust, hostname, protocol versions, mTLS, keep-alive."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.xks.certs import CertificateSet
from conformance.xks.client import XksClient
from conformance.xks.server import RunningProxy

StartProxy = Callable[..., RunningProxy]


def client_context(
    ca: Path | None,
    *,
    maximum: ssl.TLSVersion | None = None,
    cert: tuple[Path, Path] | None = None,
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca is not None:
        context.load_verify_locations(str(ca))
    if maximum is not None:
        with warnings.catch_warnings():  # deprecated versions are what this probes
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            context.maximum_version = maximum
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    return context


def handshake(proxy: RunningProxy, context: ssl.SSLContext, hostname: str = "localhost") -> str:
    """Complete a TLS handshake with the proxy; returns the negotiated version."""
    with (
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=hostname) as tls,
    ):
        return str(tls.version())


def post_health_over(proxy: RunningProxy, context: ssl.SSLContext) -> int:
    """Send an unsigned health POST over ``context``; returns the HTTP status."""
    connection = http.client.HTTPSConnection("localhost", proxy.port, context=context, timeout=5)
    try:
        connection.request("POST", proxy.url("health"), body=b"{}")
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_client_trusting_the_ca_completes_a_signed_call(client: XksClient) -> None:
    assert client.health().status == 200


def test_a_client_trusting_another_ca_refuses_the_certificate(
    proxy: RunningProxy, certificates: CertificateSet
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        handshake(proxy, client_context(certificates.untrusted_ca_path))
    assert refused.value.verify_code == 20  # unable to get local issuer certificate


def test_a_client_expecting_another_hostname_refuses_the_certificate(
    proxy: RunningProxy, certificates: CertificateSet
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        handshake(proxy, client_context(certificates.ca_bundle_path), hostname="kms.example")
    assert refused.value.verify_code == 62  # hostname mismatch


def test_the_certificate_is_valid_for_the_loopback_ip_too(
    proxy: RunningProxy, certificates: CertificateSet
) -> None:
    assert handshake(proxy, client_context(certificates.ca_bundle_path), "127.0.0.1")


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_accepted(
    proxy: RunningProxy, certificates: CertificateSet, version: ssl.TLSVersion
) -> None:
    context = client_context(certificates.ca_bundle_path)
    context.minimum_version = context.maximum_version = version
    assert handshake(proxy, context) == {"TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}[version.name]


def test_tls_1_2_uses_an_aes256_gcm_or_chacha_suite_the_spec_lists(
    proxy: RunningProxy, certificates: CertificateSet
) -> None:
    context = client_context(certificates.ca_bundle_path)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE-ECDSA-AES256-GCM-SHA384")
    assert handshake(proxy, context) == "TLSv1.2"


def test_tls_1_1_is_refused_by_the_clean_proxy(
    proxy: RunningProxy, certificates: CertificateSet, start_proxy: StartProxy
) -> None:
    legacy = client_context(certificates.ca_bundle_path, maximum=ssl.TLSVersion.TLSv1_1)
    try:  # first prove this machine's OpenSSL can speak TLS 1.1 at all
        assert handshake(start_proxy("tls_legacy"), legacy) == "TLSv1.1"
    except ssl.SSLError as error:
        pytest.skip(f"local OpenSSL cannot offer TLS 1.1 even at SECLEVEL=0: {error}")
    with pytest.raises(ssl.SSLError):
        handshake(proxy, legacy)


def test_keep_alive_serves_several_requests_on_one_connection(
    proxy: RunningProxy, certificates: CertificateSet
) -> None:
    context = client_context(certificates.ca_bundle_path)
    connection = http.client.HTTPSConnection("localhost", proxy.port, context=context, timeout=5)
    try:
        statuses, sockets = [], set()
        for _ in range(3):
            connection.request("POST", proxy.url("health"), body=b"{}")
            response = connection.getresponse()
            assert json.loads(response.read())["errorName"] == "AuthenticationFailedException"
            statuses.append(response.status)
            assert response.version == 11
            assert response.getheader("Connection") != "close"
            sockets.add(id(connection.sock))
        assert statuses == [401, 401, 401]
        assert len(sockets) == 1
    finally:
        connection.close()


def test_the_ping_endpoint_answers_plain_http_get(proxy: RunningProxy) -> None:
    assert proxy.ping_url is not None
    host, port = proxy.ping_url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("GET", "/ping")
    response = connection.getresponse()
    assert response.status == 200
    assert response.read().startswith(b"pong")


class TestMutualTls:
    @pytest.fixture
    def mtls_proxy(self, start_proxy: StartProxy) -> RunningProxy:
        return start_proxy(mtls=True)

    def test_the_kms_client_certificate_is_accepted(
        self, mtls_proxy: RunningProxy, certificates: CertificateSet
    ) -> None:
        with XksClient.for_proxy(mtls_proxy) as xks:
            assert xks.health().status == 200

    @pytest.mark.parametrize("bad", ["none", "expired", "self_signed", "wrong_subject"])
    def test_bad_or_missing_client_certificates_end_the_connection(
        self, mtls_proxy: RunningProxy, certificates: CertificateSet, bad: str
    ) -> None:
        pair = certificates.bad_clients.get(bad)
        cert = (pair.cert_path, pair.key_path) if pair else None
        context = client_context(certificates.ca_bundle_path, cert=cert)
        # TLS 1.3 reports a refused client certificate on the first read, not in the handshake
        with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
            post_health_over(mtls_proxy, context)
