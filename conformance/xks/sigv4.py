"""SigV4 for the XKS proxy API: verify a received request, sign a request under test.

Both directions reuse botocore's signer (``botocore.auth.SigV4Auth``: canonical request,
string to sign, signing key) restricted to exactly the headers that ``SignedHeaders``
lists, because clients differ: KMS signs ``host;x-amz-date``, curl adds ``content-type``,
botocore signs almost everything [SPEC App. A, digest §5].

>>> import datetime
>>> when = datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.timezone.utc)
>>> headers = {"Host": "localhost:8443", "Content-Type": "application/json"}
>>> auth = sign_request("POST", "https://localhost:8443/kms/xks/v1/health", headers, b"{}",
...     access_key_id="AKIDAKIDAKIDAKIDAKID", secret_access_key="s" * 43,
...     region="us-east-1", when=when)
>>> verified = verify_request("POST", "/kms/xks/v1/health", list(auth.items()), b"{}",
...     secrets={"AKIDAKIDAKIDAKIDAKID": ["s" * 43]}, region="us-east-1", now=when)
>>> verified
'AKIDAKIDAKIDAKIDAKID'
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

SERVICE = "kms-xks-proxy"
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=5)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
#: Headers a KMS-like request must sign; see module docs of the fake proxy.
REQUIRED_SIGNED_HEADERS = frozenset({"host", "x-amz-date"})

_AUTH_PATTERN = re.compile(
    r"AWS4-HMAC-SHA256 +Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/([^/,\s]+) *, *"
    r"SignedHeaders=([a-z0-9;!#$%&'*+.^_`|~-]+) *, *Signature=([0-9a-f]{64})",
    re.ASCII,
)
_AMZ_DATE_PATTERN = re.compile(r"\d{8}T\d{6}Z", re.ASCII)


class SignatureError(Exception):
    """Why a request failed SigV4 verification (safe to show: holds no secret)."""


@dataclass(frozen=True)
class ParsedAuthorization:
    """The parts of an ``Authorization: AWS4-HMAC-SHA256 ...`` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization:
    """Split an Authorization header; raises :class:`SignatureError` when malformed.

    >>> parse_authorization("AWS4-HMAC-SHA256 Credential=AK/20240515/us-east-1/"
    ...     "kms-xks-proxy/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    ... ).signed_headers
    ('host', 'x-amz-date')
    """
    match = _AUTH_PATTERN.fullmatch(value.strip())
    if match is None:
        raise SignatureError("Authorization header is not a well-formed AWS4-HMAC-SHA256 value")
    akid, date, region, service, terminator, signed, signature = match.groups()
    names = tuple(signed.split(";"))
    if list(names) != sorted(set(names)):
        raise SignatureError("SignedHeaders must be sorted and unique")
    return ParsedAuthorization(akid, date, region, service, terminator, names, signature)


class _ExactHeadersSigner(SigV4Auth):  # type: ignore[misc]
    """botocore's SigV4 over exactly the given header names, nothing added or dropped."""

    def __init__(
        self, credentials: Credentials, service: str, region: str, signed_headers: Sequence[str]
    ) -> None:
        super().__init__(credentials, service, region)
        self._signed_names = tuple(signed_headers)

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        selected = HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or ():
                selected[name] = value
        return selected


def _signature(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    secret_access_key: str,
    region: str,
    service: str,
    amz_date: str,
    signed_headers: Sequence[str],
) -> str:
    request = AWSRequest(method=method, url=url, data=body)
    request.headers = HTTPHeaders()
    for name, value in headers:
        request.headers[name] = value
    request.context["timestamp"] = amz_date
    request.context["payload_signing_enabled"] = True
    signer = _ExactHeadersSigner(
        Credentials("unused", secret_access_key), service, region, signed_headers
    )
    canonical = signer.canonical_request(request)
    signature: str = signer.signature(signer.string_to_sign(request, canonical), request)
    return signature


def _header_values(headers: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]


def verify_request(
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    secrets: Mapping[str, Sequence[str]],
    region: str,
    now: datetime.datetime,
    service: str = SERVICE,
    check_skew: bool = True,
    check_region: bool = True,
    lax: frozenset[str] = frozenset(),
) -> str:
    """Verify SigV4 on a received request; returns the access key id or raises SignatureError.

    ``target`` is the request target as received (path and query); ``secrets`` maps each
    accepted access key id to its live secrets (rotation allows several). ``lax`` names
    fake-proxy faults that loosen one step (``signature_prefix_compared``,
    ``content_sha256_trusted``, ``host_unsigned_accepted``).
    """
    authorization = _header_values(headers, "authorization")
    if len(authorization) != 1:
        raise SignatureError("exactly one Authorization header is required")
    parsed = parse_authorization(authorization[0])
    if parsed.access_key_id not in secrets:
        raise SignatureError("unknown access key id")
    required = REQUIRED_SIGNED_HEADERS - ({"host"} if "host_unsigned_accepted" in lax else set())
    missing = required - set(parsed.signed_headers)
    if missing:
        raise SignatureError(f"SignedHeaders must include {', '.join(sorted(missing))}")
    amz_dates = _header_values(headers, "x-amz-date")
    if len(amz_dates) != 1 or not _AMZ_DATE_PATTERN.fullmatch(amz_dates[0]):
        raise SignatureError("X-Amz-Date header is missing or not YYYYMMDD'T'HHMMSS'Z'")
    amz_date = amz_dates[0]
    try:
        signed_at = datetime.datetime(
            int(amz_date[0:4]),
            int(amz_date[4:6]),
            int(amz_date[6:8]),
            int(amz_date[9:11]),
            int(amz_date[11:13]),
            int(amz_date[13:15]),
            tzinfo=datetime.timezone.utc,
        )
    except ValueError as error:
        raise SignatureError("X-Amz-Date is not a valid date") from error
    if check_skew and abs(now - signed_at) > MAX_SKEW:
        raise SignatureError("X-Amz-Date is more than 5 minutes from the server clock")
    if parsed.date != amz_date[:8]:
        raise SignatureError("credential scope date differs from X-Amz-Date")
    if parsed.service != service or parsed.terminator != "aws4_request":
        raise SignatureError(f"credential scope must name service {service}/aws4_request")
    if check_region and parsed.region != region:
        raise SignatureError(f"credential scope must name region {region}")
    for name in parsed.signed_headers:
        if not _header_values(headers, name):
            raise SignatureError(f"signed header {name} is not in the request")
    # botocore's canonical request takes a present x-amz-content-sha256 as the payload hash,
    # so the header must equal the body's hash, signed or not (UNSIGNED-PAYLOAD included).
    declared_hashes = _header_values(headers, "x-amz-content-sha256")
    if (
        declared_hashes
        and declared_hashes != [hashlib.sha256(body).hexdigest()]
        and "content_sha256_trusted" not in lax
    ):
        raise SignatureError("x-amz-content-sha256 does not match the body")
    host = (_header_values(headers, "host") or ["localhost"])[0]
    for secret in secrets[parsed.access_key_id]:
        expected = _signature(
            method,
            f"https://{host}{target}",
            headers,
            body,
            secret_access_key=secret,
            region=parsed.region,
            service=parsed.service,
            amz_date=amz_date,
            signed_headers=parsed.signed_headers,
        )
        if "signature_prefix_compared" in lax:
            expected, given = expected[:63], parsed.signature[:63]
        else:
            given = parsed.signature
        if hmac.compare_digest(expected, given):
            return parsed.access_key_id
    raise SignatureError("signature does not match")


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    when: datetime.datetime,
    service: str = SERVICE,
    signed_headers: Sequence[str] | None = None,
    include_date: bool = True,
    scope_date: str | None = None,
) -> dict[str, str]:
    """Return ``headers`` plus ``X-Amz-Date`` and ``Authorization`` for a signed request.

    ``signed_headers`` defaults to every header given plus ``host`` and ``x-amz-date``
    (KMS signs just those two). ``include_date=False`` signs without sending X-Amz-Date;
    ``scope_date`` forces another date into the credential scope.
    """
    out = dict(headers)
    lowered = {name.lower() for name in out}
    if "host" not in lowered:
        out["Host"] = url.split("/", 3)[2]
    amz_date = when.astimezone(datetime.timezone.utc).strftime(AMZ_DATE_FORMAT)
    out["X-Amz-Date"] = amz_date
    names = sorted(
        {name.lower() for name in out}
        if signed_headers is None
        else {name.lower() for name in signed_headers}
    )
    signature = _signature(
        method,
        url,
        list(out.items()),
        body,
        secret_access_key=secret_access_key,
        region=region,
        service=service,
        amz_date=amz_date,
        signed_headers=names,
    )
    scope = f"{scope_date or amz_date[:8]}/{region}/{service}/aws4_request"
    out["Authorization"] = (
        f"{ALGORITHM} Credential={access_key_id}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    if not include_date:
        del out["X-Amz-Date"]
    return out


def redact_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``headers`` with Authorization and security tokens replaced by '<redacted>'.

    >>> redact_headers({"Authorization": "AWS4-HMAC-SHA256 ...", "Host": "h"})
    {'Authorization': '<redacted>', 'Host': 'h'}
    """
    hidden = {"authorization", "x-amz-security-token"}
    return {k: ("<redacted>" if k.lower() in hidden else v) for k, v in headers.items()}
