"""An independent SigV4 signer for the checks, with knobs to sign things wrongly on purpose.

Written from the SigV4 description (digest §5, [SPEC] App. A) rather than reusing the fake
proxy's code, so that a misreading shared by signer and verifier cannot hide a defect. Every
knob (`service`, `scope_date`, `signed_headers`, `when`) exists for one negative check.

>>> import datetime
>>> when = datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.timezone.utc)
>>> s = SigningParams("AKIDAKIDAKIDAKIDAKID", "s" * 43, "us-east-1", when=when)
>>> h = sign("POST", "/kms/xks/v1/health", {"host": "localhost:8443"}, b"{}", s)
>>> h["x-amz-date"], h["authorization"].split(",")[0].split("/", 1)[1]
('20240515T120000Z', '20240515/us-east-1/kms-xks-proxy/aws4_request')
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from conformance.spec.xks_protocol import SERVICE_NAME

ALGORITHM = "AWS4-HMAC-SHA256"
KMS_SIGNED_HEADERS = ("host", "x-amz-date")


@dataclass(frozen=True)
class SigningParams:
    """What to sign with. `when` defaults to now; `scope_date` (YYYYMMDD) defaults to the
    day of `when`; `signed_headers` lists lower-case header names (x-amz-date is added)."""

    access_key_id: str
    secret_access_key: str
    region: str
    service: str = SERVICE_NAME
    when: datetime.datetime | None = None
    scope_date: str | None = None
    signed_headers: tuple[str, ...] = KMS_SIGNED_HEADERS
    #: the payload hash to sign instead of the body's (``UNSIGNED-PAYLOAD``, a lie)
    payload_hash: str | None = None

    def __repr__(self) -> str:
        return f"SigningParams(access_key_id=<{len(self.access_key_id)} chars>, secret=***)"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 derived key for one day, region and service."""
    key = _hmac(f"AWS4{secret}".encode(), date)
    return _hmac(_hmac(_hmac(key, region), service), "aws4_request")


def canonical_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    signed: tuple[str, ...],
    body: bytes,
    payload_hash: str | None = None,
) -> str:
    """The canonical request of SigV4 for an empty query string."""
    lowered = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered.get(name, '')}\n" for name in signed)
    return "\n".join(
        [
            method,
            path,
            "",
            canonical_headers,
            ";".join(signed),
            payload_hash or hashlib.sha256(body).hexdigest(),
        ]
    )


def sign(
    method: str, path: str, headers: Mapping[str, str], body: bytes, params: SigningParams
) -> dict[str, str]:
    """`headers` plus ``x-amz-date`` and ``authorization`` (lower-case names).

    `headers` must already hold every header named in ``params.signed_headers`` except
    x-amz-date (host included, with ``:port`` off 443).
    """
    when = params.when or datetime.datetime.now(datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    out = {name.lower(): value for name, value in headers.items()}
    out["x-amz-date"] = amz_date
    signed = tuple(sorted(set(params.signed_headers) | {"x-amz-date"}))
    if "host" not in params.signed_headers:  # the knob for a SignedHeaders without host
        signed = tuple(name for name in signed if name != "host")
    scope_date = params.scope_date or amz_date[:8]
    scope = f"{scope_date}/{params.region}/{params.service}/aws4_request"
    request_hash = hashlib.sha256(
        canonical_request(method, path, out, signed, body, params.payload_hash).encode()
    ).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{request_hash}"
    key = signing_key(params.secret_access_key, scope_date, params.region, params.service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out["authorization"] = (
        f"{ALGORITHM} Credential={params.access_key_id}/{scope}, "
        f"SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return out
