"""Raw TLS handshakes for the TLS checks: pick versions and suites, report what happened.

>>> from conformance.checks.xks.tls_probes import HandshakeResult
>>> HandshakeResult(None, None, "SSLError: alert").describe()
'no session (SSLError: alert)'
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.x509.oid import NameOID

from conformance.targets.xks import ClientCertificate, XksTarget

#: TLS 1.2 suites the spec lists (OpenSSL names).
TLS12_SUITES = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384"
#: TLS 1.3 suites the spec lists (IANA names, as ``SSLSocket.cipher()`` reports them).
TLS13_SUITES = frozenset({"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
HANDSHAKE_TIMEOUT_SECONDS = 5.0


#: OpenSSL reasons that mean this client could not even offer what was asked: the proxy
#: was never tested, so a "refused" verdict would be meaningless.
LOCAL_REFUSALS = frozenset({"NO_CIPHERS_AVAILABLE", "NO_PROTOCOLS_AVAILABLE"})


@dataclass(frozen=True)
class HandshakeResult:
    """The negotiated version and suite, or why no session came up (`local`: this client
    could not offer the version or suites asked for, so the proxy was never asked)."""

    version: str | None
    cipher: str | None
    error: str | None = None
    local: bool = False

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
        return HandshakeResult(None, None, f"client cannot offer this: {exc.reason}", local=True)
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
        return HandshakeResult(
            None, None, f"{type(exc).__name__}: {reason}", local=reason in LOCAL_REFUSALS
        )


#: TLS 1.3 suite codes (RFC 8446 §B.4) of the two suites the spec lists.
_TLS13_CODES = {0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256"}
_SIGNATURE_SCHEMES = (0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601)


def _extension(kind: int, data: bytes) -> bytes:
    return struct.pack("!HH", kind, len(data)) + data


def _tls13_client_hello(host: str) -> bytes:
    """A TLS 1.3 ClientHello offering only the spec's two TLS 1.3 suites (RFC 8446 §4.1.2).
    Python's ssl module cannot restrict TLS 1.3 suites, so the hello is built by hand."""
    share = x25519.X25519PrivateKey.generate().public_key().public_bytes_raw()
    suites = b"".join(struct.pack("!H", code) for code in _TLS13_CODES)
    schemes = b"".join(struct.pack("!H", code) for code in _SIGNATURE_SCHEMES)
    extensions = [
        _extension(0x000A, struct.pack("!HHH", 4, 0x001D, 0x0017)),  # groups: x25519, P-256
        _extension(0x000D, struct.pack("!H", len(schemes)) + schemes),
        _extension(0x002B, b"\x02\x03\x04"),  # supported_versions: TLS 1.3 only
        _extension(0x0033, struct.pack("!HHH", len(share) + 4, 0x001D, len(share)) + share),
    ]
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:  # a DNS name: send SNI, as KMS does
        name = host.encode("ascii")
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        extensions.insert(0, _extension(0x0000, struct.pack("!H", len(entry)) + entry))
    joined = b"".join(extensions)
    body = (
        b"\x03\x03"
        + os.urandom(32)
        + b"\x20"
        + os.urandom(32)
        + struct.pack("!H", len(suites))
        + suites
        + b"\x01\x00"
        + struct.pack("!H", len(joined))
        + joined
    )
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def _read_record(sock: socket.socket) -> bytes:
    data = b""
    while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def tls13_listed_suite(target: XksTarget) -> HandshakeResult:
    """Offer TLS 1.3 with only TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 and
    report the suite the proxy's ServerHello picks (or why it picked none). Unlike a normal
    handshake, the proxy's own suite preference cannot hide a listed suite it supports."""
    try:
        with socket.create_connection(
            (target.host, target.port), timeout=HANDSHAKE_TIMEOUT_SECONDS
        ) as raw:
            raw.sendall(_tls13_client_hello(target.host))
            record = _read_record(raw)
    except OSError as exc:
        return HandshakeResult(None, None, f"{type(exc).__name__}")
    if len(record) >= 7 and record[0] == 0x15:
        return HandshakeResult(None, None, f"TLS alert {record[6]} (handshake refused)")
    if len(record) < 9 or record[0] != 0x16 or record[5] != 0x02:
        return HandshakeResult(None, None, "no ServerHello in reply")
    session_id_length = record[9 + 2 + 32] if len(record) > 43 else 0
    at = 9 + 2 + 32 + 1 + session_id_length
    if len(record) < at + 2:
        return HandshakeResult(None, None, "truncated ServerHello")
    code = int.from_bytes(record[at : at + 2], "big")
    return HandshakeResult("TLSv1.3", _TLS13_CODES.get(code, f"suite 0x{code:04x}"))


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
