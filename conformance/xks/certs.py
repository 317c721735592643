"""Certificates for the fake XKS proxy, made with trustme and written as PEM files.

One call makes every variant a check needs: a trusted server certificate for ``localhost``
and ``127.0.0.1``, an expired one, one for the wrong host, one from an untrusted CA, and
for mTLS a client CA with a good client certificate (subject ``cks.kms.<region>.amazonaws.com``,
as KMS presents [SPEC §5]) plus bad ones (expired, self-signed, wrong subject) [TC bogus-mtls].

>>> import tempfile
>>> certs = make_certificates(tempfile.mkdtemp())
>>> certs.ca_bundle_path.name, sorted(certs.server)
('ca.pem', ['expired', 'untrusted_ca', 'valid', 'wrong_hostname'])
>>> certs.client_subject
'cks.kms.us-east-1.amazonaws.com'
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_IDENTITIES = ("localhost", "127.0.0.1")
WRONG_HOSTNAME = "wrong-host.example"


@dataclass(frozen=True)
class CertKeyPair:
    """Paths of a PEM certificate chain and its PEM private key."""

    cert_path: Path
    key_path: Path


@dataclass(frozen=True)
class CertificateSet:
    """Every certificate the fake proxy and its tests use, as PEM file paths.

    ``ca_bundle_path`` is what a client should trust. ``server[variant]`` is the server
    certificate for a variant of ``conformance.xks.config.CERT_VARIANTS``.
    ``client_ca_path`` is the CA the proxy trusts for mTLS; ``client`` is KMS's good client
    certificate; ``bad_clients`` are certificates the proxy must refuse.
    """

    directory: Path
    ca_bundle_path: Path
    untrusted_ca_path: Path
    server: dict[str, CertKeyPair]
    client_ca_path: Path
    client_subject: str
    client: CertKeyPair
    bad_clients: dict[str, CertKeyPair]


def _write_leaf(cert: trustme.LeafCert, directory: Path, stem: str) -> CertKeyPair:
    cert_path = directory / f"{stem}.pem"
    key_path = directory / f"{stem}.key"
    cert_path.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(key_path))
    key_path.chmod(0o600)
    return CertKeyPair(cert_path, key_path)


def make_certificates(directory: str | Path, *, region: str = "us-east-1") -> CertificateSet:
    """Create all certificate variants under ``directory`` (created if missing).

    >>> import tempfile
    >>> make_certificates(tempfile.mkdtemp()).server["valid"].cert_path.exists()
    True
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    yesterday, last_week = now - datetime.timedelta(days=1), now - datetime.timedelta(days=7)

    ca, other_ca = trustme.CA(), trustme.CA()
    ca_bundle = out / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    untrusted_ca = out / "untrusted-ca.pem"
    other_ca.cert_pem.write_to_path(str(untrusted_ca))

    server = {
        "valid": _write_leaf(ca.issue_cert(*SERVER_IDENTITIES), out, "server"),
        "expired": _write_leaf(
            ca.issue_cert(*SERVER_IDENTITIES, not_before=last_week, not_after=yesterday),
            out,
            "server-expired",
        ),
        "wrong_hostname": _write_leaf(ca.issue_cert(WRONG_HOSTNAME), out, "server-wrong-host"),
        "untrusted_ca": _write_leaf(
            other_ca.issue_cert(*SERVER_IDENTITIES), out, "server-untrusted-ca"
        ),
    }

    subject = f"cks.kms.{region}.amazonaws.com"
    client_ca, rogue_ca = trustme.CA(), trustme.CA()
    client_ca_path = out / "client-ca.pem"
    client_ca.cert_pem.write_to_path(str(client_ca_path))
    client = _write_leaf(client_ca.issue_cert(subject, common_name=subject), out, "client")
    bad_clients = {
        "expired": _write_leaf(
            client_ca.issue_cert(
                subject, common_name=subject, not_before=last_week, not_after=yesterday
            ),
            out,
            "client-expired",
        ),
        "self_signed": _write_leaf(
            rogue_ca.issue_cert(subject, common_name=subject), out, "client-self-signed"
        ),
        "wrong_subject": _write_leaf(
            client_ca.issue_cert(f"beta.{subject}", common_name=f"beta.{subject}"),
            out,
            "client-wrong-subject",
        ),
    }
    return CertificateSet(
        directory=out,
        ca_bundle_path=ca_bundle,
        untrusted_ca_path=untrusted_ca,
        server=server,
        client_ca_path=client_ca_path,
        client_subject=subject,
        client=client,
        bad_clients=bad_clients,
    )
