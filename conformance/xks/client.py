"""An XKS proxy client: typed helpers for the four operations plus a raw mode for abuse.

Typed helpers sign with requests-aws4auth (service ``kms-xks-proxy``) over one keep-alive
``requests.Session``. :meth:`XksClient.raw` sends anything: malformed bodies, other
methods, and SigV4 variations (another key, a date offset, another service or region,
chosen signed headers, no signature).

>>> from conformance.xks.server import start_fake_proxy
>>> with start_fake_proxy() as proxy, XksClient.for_proxy(proxy) as client:
...     sealed = client.encrypt(proxy.normal_key_id, b"hello")
...     client.decrypt_plaintext(proxy.normal_key_id, sealed.json)
b'hello'
"""

from __future__ import annotations

import base64
import datetime
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests
from requests.structures import CaseInsensitiveDict
from requests_aws4auth import AWS4Auth

from conformance.xks.sigv4 import SERVICE, redact_headers, sign_request

if TYPE_CHECKING:
    from conformance.xks.server import RunningProxy

#: requestMetadata like the official test client's [TC].
PRINCIPAL_ARN = "arn:aws:iam::123456789012:user/Alice"
KMS_KEY_ARN = "arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab"


def b64(data: bytes) -> str:
    """Standard base64 with padding, as the API wants.

    >>> b64(b"hi")
    'aGk='
    """
    return base64.b64encode(data).decode()


def health_metadata(kms_operation: str = "KmsHealthCheck") -> dict[str, str]:
    """requestMetadata for GetHealthStatus with a fresh kmsRequestId."""
    return {"kmsRequestId": str(uuid.uuid4()), "kmsOperation": kms_operation}


def key_metadata(kms_operation: str) -> dict[str, str]:
    """requestMetadata for the key operations, with the test client's fixed values."""
    metadata = {
        "awsPrincipalArn": PRINCIPAL_ARN,
        "kmsOperation": kms_operation,
        "kmsRequestId": str(uuid.uuid4()),
    }
    if kms_operation != "CreateKey" and kms_operation != "DescribeKey":
        metadata |= {"kmsKeyArn": KMS_KEY_ARN, "kmsViaService": "ebs"}
    return metadata


@dataclass(frozen=True)
class XksResponse:
    """What came back: status, headers (case-insensitive), raw body, JSON (None if not), time.

    The repr shows the status and errorName only (bodies may hold plaintext).
    """

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    json: Any = field(repr=False)
    elapsed_seconds: float = field(repr=False)

    @property
    def error_name(self) -> str | None:
        """``errorName`` of a JSON error body, else None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("errorName"), str):
            return str(self.json["errorName"])
        return None

    def __repr__(self) -> str:
        return f"XksResponse(status={self.status}, errorName={self.error_name!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis would otherwise print the body (plaintext)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None


class XksClient:
    """A client for one proxy URI prefix and one credential.

    ``client_cert`` is a PEM path or a (cert, key) pair for mTLS. The repr never shows the
    secret.
    """

    def __init__(
        self,
        base_url: str,
        uri_prefix: str,
        access_key_id: str,
        secret_access_key: str,
        region: str,
        ca_bundle: str | Path | bool,
        client_cert: str | tuple[str, str] | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.uri_prefix = uri_prefix.rstrip("/")
        self.access_key_id = access_key_id
        self._secret = secret_access_key
        self.region = region
        self.timeout = timeout
        self.session = requests.Session()
        # REQUESTS_CA_BUNDLE and *_PROXY from the environment must not override our CA
        self.session.trust_env = False
        self.session.verify = str(ca_bundle) if isinstance(ca_bundle, Path) else ca_bundle
        if client_cert is not None:
            self.session.cert = client_cert
        self._auth = AWS4Auth(access_key_id, secret_access_key, region, SERVICE)

    @classmethod
    def for_proxy(cls, proxy: RunningProxy, credential_index: int = 0, **kwargs: Any) -> XksClient:
        """A client for a running fake proxy's first tenant."""
        akid, secret = proxy.credentials[credential_index]
        cert = None
        if proxy.client_cert_path is not None and proxy.client_key_path is not None:
            cert = (str(proxy.client_cert_path), str(proxy.client_key_path))
        return cls(
            proxy.base_url,
            proxy.uri_prefix,
            akid,
            secret,
            proxy.region,
            proxy.ca_bundle_path,
            client_cert=cert,
            **kwargs,
        )

    def __repr__(self) -> str:
        return (
            f"XksClient({self.base_url!r}, {self.uri_prefix!r}, "
            f"access_key_id={self.access_key_id!r}, secret_access_key='<redacted>')"
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> XksClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ---------------------------------------------------------------- typed operations
    def health(self, kms_operation: str = "KmsHealthCheck") -> XksResponse:
        """POST ``health``."""
        return self.raw("POST", "health", {"requestMetadata": health_metadata(kms_operation)})

    def get_key_metadata(self, key_id: str, kms_operation: str = "DescribeKey") -> XksResponse:
        """POST ``keys/{key_id}/metadata``."""
        body = {"requestMetadata": key_metadata(kms_operation)}
        return self.raw("POST", f"keys/{key_id}/metadata", body)

    def encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        aad: bytes | None = None,
        cdiv: bool = False,
        kms_operation: str = "Encrypt",
    ) -> XksResponse:
        """POST ``keys/{key_id}/encrypt``; ``cdiv`` asks for a SHA_256 integrity value."""
        body: dict[str, Any] = {
            "requestMetadata": key_metadata(kms_operation),
            "plaintext": b64(plaintext),
            "encryptionAlgorithm": "AES_GCM",
        }
        if aad is not None:
            body["additionalAuthenticatedData"] = b64(aad)
        if cdiv:
            body["ciphertextDataIntegrityValueAlgorithm"] = "SHA_256"
        return self.raw("POST", f"keys/{key_id}/encrypt", body)

    def decrypt(
        self,
        key_id: str,
        ciphertext: bytes | str,
        iv: bytes | str,
        tag: bytes | str,
        aad: bytes | None = None,
        metadata: bytes | str | None = None,
        kms_operation: str = "Decrypt",
    ) -> XksResponse:
        """POST ``keys/{key_id}/decrypt``; str arguments are sent as given (base64)."""

        def text(value: bytes | str) -> str:
            return value if isinstance(value, str) else b64(value)

        body: dict[str, Any] = {
            "requestMetadata": key_metadata(kms_operation),
            "ciphertext": text(ciphertext),
            "encryptionAlgorithm": "AES_GCM",
            "initializationVector": text(iv),
            "authenticationTag": text(tag),
        }
        if aad is not None:
            body["additionalAuthenticatedData"] = b64(aad)
        if metadata is not None:
            body["ciphertextMetadata"] = text(metadata)
        return self.raw("POST", f"keys/{key_id}/decrypt", body)

    def decrypt_plaintext(
        self, key_id: str, encrypted: Mapping[str, Any], aad: bytes | None = None
    ) -> bytes:
        """Decrypt an Encrypt response body and return the plaintext (raises on error)."""
        response = self.decrypt(
            key_id,
            encrypted["ciphertext"],
            encrypted["initializationVector"],
            encrypted["authenticationTag"],
            aad,
            encrypted.get("ciphertextMetadata"),
        )
        if response.status != 200 or not isinstance(response.json, dict):
            raise RuntimeError(f"decrypt failed: {response!r}")
        return base64.b64decode(response.json["plaintext"])

    # --------------------------------------------------------------------- raw mode
    def url_for(self, path_suffix_or_full_path: str) -> str:
        """``health`` -> ``<base><prefix>/kms/xks/v1/health``; a path with '/' is kept."""
        if path_suffix_or_full_path.startswith("/"):
            return f"{self.base_url}{path_suffix_or_full_path}"
        return f"{self.base_url}{self.uri_prefix}/kms/xks/v1/{path_suffix_or_full_path}"

    def raw(
        self,
        method: str,
        path_suffix_or_full_path: str,
        body: bytes | Mapping[str, Any] | None,
        headers: Mapping[str, str] | None = None,
        sign: bool = True,
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
        service: str = SERVICE,
        date_offset: datetime.timedelta = datetime.timedelta(0),
        signed_headers: Sequence[str] | None = None,
        include_date: bool = True,
        scope_date: str | None = None,
        after_signing: Mapping[str, str] | None = None,
        body_after_signing: bytes | None = None,
    ) -> XksResponse:
        """Send any request. A dict body is JSON-encoded; ``sign=False`` sends no SigV4.

        With only the defaults the request is signed by requests-aws4auth; any SigV4
        keyword (other key or secret, ``date_offset``, ``service``, ``region``,
        ``signed_headers``, ``include_date=False``, ``scope_date``) signs with botocore's
        signer instead. ``after_signing`` replaces headers (e.g. Host) and
        ``body_after_signing`` replaces the body after the signature was computed.
        """
        url = self.url_for(path_suffix_or_full_path)
        data = json.dumps(body).encode() if isinstance(body, Mapping) else (body or b"")
        sent_headers = {"Content-Type": "application/json", **(headers or {})}
        custom = (
            any(
                value is not None
                for value in (access_key_id, secret_access_key, region, signed_headers, scope_date)
            )
            or service != SERVICE
            or date_offset
            or not include_date
        )
        auth: AWS4Auth | None = None
        if sign and custom:
            sent_headers = sign_request(
                method,
                url,
                sent_headers,
                data,
                access_key_id=access_key_id or self.access_key_id,
                secret_access_key=secret_access_key or self._secret,
                region=region or self.region,
                service=service,
                when=datetime.datetime.now(datetime.timezone.utc) + date_offset,
                signed_headers=signed_headers,
                include_date=include_date,
                scope_date=scope_date,
            )
        elif sign and not after_signing and body_after_signing is None:
            auth = self._auth
        elif sign:
            sent_headers = sign_request(
                method,
                url,
                sent_headers,
                data,
                access_key_id=self.access_key_id,
                secret_access_key=self._secret,
                region=self.region,
                when=datetime.datetime.now(datetime.timezone.utc),
            )
        sent_headers.update(after_signing or {})
        if body_after_signing is not None:
            data = body_after_signing
        started = time.perf_counter()
        reply = self.session.request(
            method,
            url,
            data=data,
            headers=sent_headers,
            auth=auth,
            timeout=self.timeout,
            allow_redirects=False,
            verify=self.session.verify,
        )
        elapsed = time.perf_counter() - started
        return XksResponse(
            reply.status_code,
            CaseInsensitiveDict(reply.headers),
            reply.content,
            _parse_json(reply.content),
            elapsed,
        )


__all__ = ["XksClient", "XksResponse", "b64", "redact_headers"]
