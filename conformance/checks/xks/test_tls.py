"""TLS and mTLS: protocol versions, cipher suites, the server certificate, client certificates.

Judged by handshake results and HTTP answers, never by a TLS library's message text.
"""

from __future__ import annotations

import dataclasses
import datetime
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from conformance.checks.xks.bodies import health_body
from conformance.checks.xks.tls_probes import (
    TLS12_SUITES,
    TLS13_SUITES,
    fetch_server_certificate,
    handshake,
    tls13_listed_suite,
    write_self_signed_client_certificate,
)
from conformance.checks.xks.wire import XksWire
from conformance.report.evidence import reached
from conformance.report.outcomes import RequirementViolation
from conformance.targets.xks import ClientCertificate, XksTarget

RENEWAL_MARGIN = datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def _https_only(xks_target: XksTarget) -> None:
    if not xks_target.base_url.startswith("https://"):
        pytest.skip("the target is plain HTTP (SCHEME empty): no TLS to check")


def _where(target: XksTarget, what: str) -> str:
    return f"TLS handshake with {target.host}:{target.port} ({what})"


@pytest.mark.requirement("XKS-TLS-001")
def test_a_default_client_negotiates_tls_12_or_13(xks_target: XksTarget) -> None:
    result = handshake(xks_target, verify=False)
    if result.version not in ("TLSv1.2", "TLSv1.3"):
        raise RequirementViolation(
            "XKS-TLS-001", "TLSv1.2 or TLSv1.3", result.describe(), _where(xks_target, "default")
        )
    reached("XKS-TLS-001")


@pytest.mark.requirement("XKS-TLS-002")
@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=lambda v: v.name
)
def test_tls_10_and_11_are_refused(xks_target: XksTarget, version: ssl.TLSVersion) -> None:
    result = handshake(xks_target, verify=False, only=version)
    if result.local:  # never offered: passing would certify what was not tested
        pytest.skip(f"this machine's TLS library cannot offer {version.name}: {result.error}")
    if result.version is not None:
        raise RequirementViolation(
            "XKS-TLS-002",
            "the handshake refused",
            result.describe(),
            _where(xks_target, f"client offers only {version.name}"),
        )
    reached("XKS-TLS-002")


@pytest.mark.requirement("XKS-TLS-003")
def test_one_of_the_listed_cipher_suites_is_accepted(xks_target: XksTarget) -> None:
    tls12 = handshake(xks_target, verify=False, only=ssl.TLSVersion.TLSv1_2, ciphers=TLS12_SUITES)
    if tls12.version is not None:
        reached("XKS-TLS-003")
        return
    tls13 = tls13_listed_suite(xks_target)
    if tls13.cipher in TLS13_SUITES:
        reached("XKS-TLS-003")
        return
    raise RequirementViolation(
        "XKS-TLS-003",
        "TLS 1.2 with an ECDHE AES-256-GCM suite, or TLS 1.3 with AES-256-GCM/ChaCha20",
        f"TLS 1.2: {tls12.describe()}; TLS 1.3: {tls13.describe()}",
        _where(xks_target, "listed suites"),
    )


@pytest.mark.requirement("XKS-TLS-004")
def test_the_server_certificate_verifies_against_the_ca_and_host(xks_target: XksTarget) -> None:
    result = handshake(xks_target, verify=True)
    if result.version is None:
        raise RequirementViolation(
            "XKS-TLS-004",
            "a certificate valid now, chaining to the CA bundle, naming the host",
            result.describe(),
            _where(xks_target, f"verified against {xks_target.ca_bundle or 'system roots'}"),
        )
    reached("XKS-TLS-004")


@pytest.mark.requirement("XKS-TLS-005")
def test_the_server_certificate_chains_to_a_public_ca(xks_target: XksTarget) -> None:
    result = handshake(dataclasses.replace(xks_target, ca_bundle=None), verify=True)
    if result.version is None:
        raise RequirementViolation(
            "XKS-TLS-005",
            "a chain to a public root KMS trusts",
            result.describe(),
            _where(xks_target, "verified against the system roots"),
        )
    reached("XKS-TLS-005")


@pytest.mark.requirement("XKS-TLS-006")
def test_the_server_certificate_is_not_about_to_expire(xks_target: XksTarget) -> None:
    der = fetch_server_certificate(xks_target)
    if der is None:
        pytest.skip("no certificate could be fetched (see XKS-TLS-001)")
    not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
    left = not_after - datetime.datetime.now(datetime.timezone.utc)
    if left < RENEWAL_MARGIN:
        raise RequirementViolation(
            "XKS-TLS-006",
            "a certificate valid for 30 more days",
            f"expires {not_after:%Y-%m-%d} ({left.days} days left)",
            _where(xks_target, "certificate expiry"),
        )
    reached("XKS-TLS-006")


# --- mTLS -------------------------------------------------------------------------------


def _mtls_target(xks_target: XksTarget) -> XksTarget:
    if xks_target.client_certificate is None:
        pytest.skip("mTLS not configured for the target (--client-cert/--client-key)")
    return xks_target


def _health_with(target: XksTarget, certificate: ClientCertificate | None) -> XksWire:
    return XksWire(dataclasses.replace(target, client_certificate=certificate), timeout=5)


@pytest.mark.requirement("XKS-MTLS-001")
def test_the_configured_client_certificate_is_accepted(xks_target: XksTarget) -> None:
    target = _mtls_target(xks_target)
    wire = _health_with(target, target.client_certificate)
    try:
        wire.post("health", health_body(), note="configured client certificate").expect_ok(
            "XKS-MTLS-001"
        )
    finally:
        wire.close()


def _expect_refused(
    target: XksTarget, certificate: ClientCertificate | None, rid: str, what: str
) -> None:
    wire = _health_with(target, certificate)
    try:
        exchange = wire.post("health", health_body(), note=what)
    finally:
        wire.close()
    if exchange.response.status is not None:
        exchange.fail(rid, "the TLS handshake terminated (no HTTP answer)")
    reached(rid)


@pytest.mark.requirement("XKS-MTLS-002")
def test_a_client_without_certificate_is_refused(xks_target: XksTarget) -> None:
    _expect_refused(_mtls_target(xks_target), None, "XKS-MTLS-002", "no client certificate")


@pytest.mark.requirement("XKS-MTLS-003")
def test_a_self_signed_client_certificate_is_refused(xks_target: XksTarget, tmp_path: Path) -> None:
    target = _mtls_target(xks_target)
    certificate = target.bad_client_certificates.get("self_signed")
    if certificate is None:
        certificate = write_self_signed_client_certificate(tmp_path, target.region)
    _expect_refused(target, certificate, "XKS-MTLS-003", "self-signed client certificate")


@pytest.mark.requirement("XKS-MTLS-004")
def test_an_expired_client_certificate_is_refused(xks_target: XksTarget) -> None:
    target = _mtls_target(xks_target)
    certificate = target.bad_client_certificates.get("expired")
    if certificate is None:
        pytest.skip("no expired client certificate from the trusted CA given")
    _expect_refused(target, certificate, "XKS-MTLS-004", "expired client certificate")


@pytest.mark.requirement("XKS-MTLS-005")
def test_a_client_certificate_with_the_wrong_subject_is_refused(xks_target: XksTarget) -> None:
    target = _mtls_target(xks_target)
    certificate = target.bad_client_certificates.get("wrong_subject")
    if certificate is None:
        pytest.skip("no wrong-subject client certificate from the trusted CA given")
    _expect_refused(target, certificate, "XKS-MTLS-005", "client certificate, wrong subject")
