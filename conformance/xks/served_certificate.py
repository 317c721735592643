"""The certificate chain and key a deployed proxy serves (``--tls-cert``/``--tls-key``),
checked before anything listens: files readable, a PEM chain, an unencrypted key that
belongs to the first certificate, the certificate valid now. Each refusal is a
:class:`CertificateFileError` whose message is one line naming the flag and the file.

>>> import tempfile, trustme
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> leaf = trustme.CA().issue_cert("xks.example.com")
>>> leaf.cert_chain_pems[0].write_to_path(str(folder / "chain.pem"))
>>> leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
>>> served = check_certificate_pair(folder / "chain.pem", folder / "key.pem")
>>> served.names, served.covers("xks.example.com"), served.covers("other.example.com")
(('xks.example.com',), True, False)
"""

from __future__ import annotations

import datetime
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

CERT_FLAG = "--tls-cert"
KEY_FLAG = "--tls-key"


class CertificateFileError(ValueError):
    """A refused certificate or key file; ``str()`` is one line: flag, file, rule."""

    def __init__(self, flag: str, path: Path, rule: str) -> None:
        self.flag, self.path, self.rule = flag, path, rule
        super().__init__(f"{flag} {path}: {rule}")


@dataclass(frozen=True)
class ServedCertificate:
    """A checked chain and key: the paths, the DNS names and expiry of the first certificate."""

    cert_path: Path
    key_path: Path
    names: tuple[str, ...]
    not_after: datetime.datetime

    def covers(self, host: str) -> bool:
        """Whether a client reaching ``host`` accepts this certificate's names (one-label
        wildcards as in RFC 6125)."""
        host = host.lower().rstrip(".")
        for name in (n.lower().rstrip(".") for n in self.names):
            if name == host:
                return True
            if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
                return True
        return False


def _read(flag: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CertificateFileError(flag, path, "no such file") from None
    except IsADirectoryError:
        raise CertificateFileError(flag, path, "is a directory, not a PEM file") from None
    except OSError as error:
        raise CertificateFileError(flag, path, f"cannot be read ({error.strerror})") from None


def _names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        common = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return tuple(str(attribute.value) for attribute in common)
    names = extension.value.get_values_for_type(x509.DNSName)
    addresses = extension.value.get_values_for_type(x509.IPAddress)
    return (*names, *(str(address) for address in addresses))


def check_certificate_pair(
    cert_path: Path, key_path: Path, *, now: datetime.datetime | None = None
) -> ServedCertificate:
    """Check the pair as described in the module docstring; return what was found."""
    chain_pem, key_pem = _read(CERT_FLAG, cert_path), _read(KEY_FLAG, key_path)
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise CertificateFileError(CERT_FLAG, cert_path, "holds no PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise CertificateFileError(
            KEY_FLAG, key_path, "the key is encrypted; give it unencrypted (keep the file 0600)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise CertificateFileError(KEY_FLAG, key_path, "holds no PEM private key") from None
    leaf = chain[0]
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != leaf.public_key().public_bytes(der, spki):
        raise CertificateFileError(
            KEY_FLAG, key_path, f"does not belong to the first certificate of {cert_path}"
        )
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    if moment > leaf.not_valid_after_utc:
        raise CertificateFileError(
            CERT_FLAG, cert_path, f"the certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d}"
        )
    if moment < leaf.not_valid_before_utc:
        raise CertificateFileError(
            CERT_FLAG,
            cert_path,
            f"the certificate is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
        )
    try:  # whatever else OpenSSL objects to (e.g. a key type it cannot serve)
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(str(cert_path), str(key_path))
    except ssl.SSLError as error:
        raise CertificateFileError(
            CERT_FLAG, cert_path, f"OpenSSL refuses the pair ({error.reason or error})"
        ) from None
    return ServedCertificate(cert_path, key_path, _names(leaf), leaf.not_valid_after_utc)
