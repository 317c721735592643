"""Raw TLS handshakes for the TLS checks: pick versions and suites, report what happened.

>>> from conformance.checks.xks.tls_probes import HandshakeResult
>>> HandshakeResult(None, None, "SSLError: alert").describe()
'no session (SSLError: alert)'
"""

from __future__ import annotations

import datetime
import socket
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conformance.spec.xks_target import ClientCertificate, XksTarget

#: TLS 1.2 suites the spec lists (OpenSSL names).
TLS12_SUITES = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384"
#: TLS 1.3 suites the spec lists (IANA names, as ``SSLSocket.cipher()`` reports them).
TLS13_SUITES = frozenset({"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
HANDSHAKE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class HandshakeResult:
    """The negotiated version and suite, or why no session came up."""

    version: str | None
    cipher: str | None
    error: str | None = None

    def describe(self) -> str:
        """One line for reports."""
        if self.version is None:
            return f"no session ({self.error})"
        return f"{self.version} with {self.cipher}"


def _context(
    target: XksTarget, verify: bool, only: ssl.TLSVersion | None, ciphers: str | None
) -> ssl.SSLContext:
    if verify:
        context = ssl.create_default_context(cafile=target.ca_bundle)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if only is not None:
        if only < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("ALL:@SECLEVEL=0")  # let OpenSSL offer legacy versions at all
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = only
            context.maximum_version = only
    if ciphers is not None:
        context.set_ciphers(ciphers)
    if target.client_certificate is not None:
        cert = target.client_certificate
        context.load_cert_chain(cert.cert_path, cert.key_path)
    return context


def handshake(
    target: XksTarget,
    *,
    verify: bool,
    only: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
) -> HandshakeResult:
    """Connect to the target, handshake with the given constraints, and hang up."""
    try:
        context = _context(target, verify, only, ciphers)
    except ssl.SSLError as exc:
        return HandshakeResult(None, None, f"client cannot offer this: {exc.reason}")
    try:
        with (
            socket.create_connection(
                (target.host, target.port), timeout=HANDSHAKE_TIMEOUT_SECONDS
            ) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            cipher = tls.cipher()
            return HandshakeResult(tls.version(), cipher[0] if cipher else None)
    except ssl.SSLCertVerificationError as exc:
        return HandshakeResult(None, None, f"certificate rejected: {exc.verify_message}")
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        return HandshakeResult(None, None, f"{type(exc).__name__}: {reason}")


def fetch_server_certificate(target: XksTarget) -> bytes | None:
    """The DER server certificate, fetched without verification (None if no session)."""
    try:
        context = _context(target, False, None, None)
        with (
            socket.create_connection(
                (target.host, target.port), timeout=HANDSHAKE_TIMEOUT_SECONDS
            ) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            return tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None


def write_self_signed_client_certificate(directory: Path, region: str) -> ClientCertificate:
    """A self-signed client certificate with the subject KMS presents (digest §5)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"cks.kms.{region}.amazonaws.com")]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "self-signed.pem", directory / "self-signed.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ClientCertificate(str(cert_path), str(key_path))
