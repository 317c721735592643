"""HTTP exchanges with the proxy under test: sign, send, and describe them safely.

:class:`XksWire` sends one request per call over a keep-alive ``requests`` session and returns
an :class:`Exchange`, which pairs a redacted description of the request (the report's
"Input" line) with the response, and knows how to turn an unmet expectation into a
:class:`~conformance.report.outcomes.RequirementViolation`. A transport failure (refused
connection, TLS error, timeout) is a response with ``status=None``, never an exception.

>>> from conformance.checks.xks.wire import WireResponse
>>> WireResponse(None, {}, b"", None, 0.0, "read timed out").describe()
'no HTTP response (read timed out)'
"""

from __future__ import annotations

import datetime
import http.client
import json
import ssl
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import requests

from conformance.checks.xks.sigv4_signer import SigningParams, sign
from conformance.report.evidence import judged_step, reached
from conformance.report.outcomes import RequirementViolation, UnsupportedByTarget
from conformance.report.redaction import describe_json
from conformance.spec.xks_protocol import ERROR_STATUS, MAX_ERROR_MESSAGE_CHARS, api_path
from conformance.targets.xks import Credential, XksTarget

DEFAULT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WireResponse:
    """What came back: status (None when no HTTP response), headers, body, parsed JSON."""

    status: int | None
    headers: Mapping[str, str]
    body: bytes
    json: Any
    elapsed_seconds: float
    transport_error: str | None = None

    @property
    def error_name(self) -> str | None:
        """The errorName of a JSON error body, if any."""
        if isinstance(self.json, dict) and isinstance(self.json.get("errorName"), str):
            return str(self.json["errorName"])
        return None

    def __repr__(self) -> str:
        return f"WireResponse({self.describe()!r})"

    def describe(self) -> str:
        """A one-line, secret-free description: status and a structural body summary."""
        if self.status is None:
            return f"no HTTP response ({self.transport_error})"
        if self.json is not None:
            return f"HTTP {self.status} {describe_json(self.json)}"
        kind = self.headers.get("content-type", "no content-type")
        return f"HTTP {self.status} non-JSON body ({len(self.body)} B, {kind})"


@dataclass(frozen=True)
class Exchange:
    """A request (described safely in `input`) and its response, with expectation helpers."""

    input: str
    response: WireResponse

    def fail(self, requirement_id: str, expected: str) -> NoReturn:
        """Raise the violation of `requirement_id`: `expected` versus this response."""
        raise RequirementViolation(requirement_id, expected, self.response.describe(), self.input)

    def expect_ok(self, requirement_id: str) -> dict[str, Any]:
        """The JSON object of a 200 response, or a violation of `requirement_id`."""
        if self.response.status != 200 or not isinstance(self.response.json, dict):
            self.fail(requirement_id, "HTTP 200 with a JSON object body")
        reached(requirement_id)
        return dict(self.response.json)

    def expect_error(
        self,
        requirement_id: str,
        error_names: str | Collection[str],
        *,
        allow_unsupported: bool = False,
    ) -> str:
        """Expect an error whose errorName is one of `error_names`, each with the status the
        spec's table gives it; returns the errorName seen. With `allow_unsupported`, a 501
        UnsupportedOperationException raises UnsupportedByTarget instead of failing."""
        names = (error_names,) if isinstance(error_names, str) else tuple(error_names)
        seen = self.response.error_name
        if (
            allow_unsupported
            and self.response.status == 501
            and seen == "UnsupportedOperationException"
        ):
            raise UnsupportedByTarget(requirement_id, self.input)
        if seen in names and self.response.status == ERROR_STATUS[seen]:
            self.expect_error_body_schema()
            reached(requirement_id)
            return seen
        wanted = " or ".join(f"HTTP {ERROR_STATUS[n]} {n}" for n in names)
        self.fail(requirement_id, wanted)

    def expect_error_body_schema(self) -> None:
        """Every expected error's body is checked, not only those of the ERR checks: an
        errorMessage, when present, must be a string of under 512 printable ASCII
        characters (XKS-ERR-002; the errorName was matched by the caller)."""
        body = self.response.json
        message = body.get("errorMessage") if isinstance(body, dict) else None
        if message is None:
            return
        printable = isinstance(message, str) and all(0x20 <= ord(c) <= 0x7E for c in message)
        if not printable or len(message) > MAX_ERROR_MESSAGE_CHARS:
            self.fail("XKS-ERR-002", "errorMessage under 512 printable ASCII characters")

    def expect_client_error(self, requirement_id: str) -> None:
        """Expect some 4xx refusal (any JSON error body); 2xx, 5xx or no answer fail."""
        status = self.response.status
        if status is None or not 400 <= status < 500:
            self.fail(requirement_id, "an HTTP 4xx refusal")
        reached(requirement_id)


class XksWire:
    """Sends signed (or deliberately mis-signed) requests to one target.

    >>> from conformance.targets.xks import target_from_env
    >>> wire = XksWire(target_from_env({"XKS_PROXY_HOST": "localhost:1"}))
    >>> wire.path("health")
    '/example/uri/path/prefix/kms/xks/v1/health'
    """

    def __init__(
        self,
        target: XksTarget,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        client_certificate: tuple[str, str] | None = None,
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.session = requests.Session()
        # No proxies, netrc or REQUESTS_CA_BUNDLE from the environment: talk to the target
        # directly and trust exactly the CA bundle given.
        self.session.trust_env = False
        self.session.verify = target.ca_bundle if target.ca_bundle else True
        if client_certificate is not None:
            self.session.cert = client_certificate
        elif target.client_certificate is not None:
            cert = target.client_certificate
            self.session.cert = (cert.cert_path, cert.key_path)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    @property
    def host_header(self) -> str:
        """The Host value a client sends: ``host`` or ``host:port`` off the default port."""
        netloc = self.target.base_url.split("://", 1)[1]
        default = "443" if self.target.base_url.startswith("https") else "80"
        return netloc[: -len(default) - 1] if netloc.endswith(f":{default}") else netloc

    def path(self, suffix: str, *, uri_prefix: str | None = None) -> str:
        """The API path of `suffix` under the target's (or the given) prefix."""
        prefix = self.target.uri_prefix if uri_prefix is None else uri_prefix
        return api_path(prefix, suffix)

    def signing(self, credential: Credential | None = None, **overrides: Any) -> SigningParams:
        """Signing parameters for the target's credential (or `credential`), overridable."""
        chosen = credential or self.target.credential
        params = SigningParams(chosen.access_key_id, chosen.secret.reveal(), self.target.region)
        return replace(params, **overrides) if overrides else params

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        signing: SigningParams | None = None,
        sign_request: bool = True,
        raw_body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        tamper: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        note: str = "",
    ) -> Exchange:
        """Send one request and describe it. `body` is JSON-encoded unless `raw_body` is
        given. `tamper` changes what is sent after signing: keys ``body`` (bytes), ``path``,
        ``host``, ``method``, ``drop_headers`` (names), ``set_headers`` (name -> value, or a
        function of the signed value). `note` is appended to the Input description."""
        payload = raw_body if raw_body is not None else json.dumps(body).encode()
        base_headers = {"host": self.host_header, "content-type": "application/json"}
        base_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        if sign_request:
            base_headers = sign(method, path, base_headers, payload, signing or self.signing())
        tamper = tamper or {}
        sent_path = str(tamper.get("path", path))
        sent_body = bytes(tamper.get("body", payload))
        if "host" in tamper:
            base_headers["host"] = str(tamper["host"])
        for name in tamper.get("drop_headers", ()):
            base_headers.pop(str(name).lower(), None)
        for name, value in dict(tamper.get("set_headers", {})).items():
            old = base_headers.get(name.lower(), "")
            base_headers[name.lower()] = value(old) if callable(value) else str(value)
        method = str(tamper.get("method", method))
        shown = describe_json(body) if raw_body is None else f"<raw body, {len(raw_body)} B>"
        description = f"{method} {sent_path} {shown}" + (f" ({note})" if note else "")
        response = self._transmit(method, sent_path, base_headers, sent_body, timeout)
        judged_step()
        return Exchange(description, response)

    def _transmit(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        timeout: float | None,
    ) -> WireResponse:
        url = f"{self.target.base_url}{path}"
        started = time.perf_counter()
        try:
            reply = self.session.request(
                method,
                url,
                data=body,
                headers=dict(headers),
                timeout=timeout or self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            elapsed = time.perf_counter() - started
            return WireResponse(None, {}, b"", None, elapsed, _transport_error(exc))
        elapsed = time.perf_counter() - started
        content = reply.content
        try:
            parsed = json.loads(content) if content else None
        except ValueError:
            parsed = None
        lowered = {k.lower(): v for k, v in reply.headers.items()}
        return WireResponse(reply.status_code, lowered, content, parsed, elapsed)

    def post(
        self, suffix: str, body: Any, *, uri_prefix: str | None = None, **options: Any
    ) -> Exchange:
        """POST `body` to the API path of `suffix` (``health`` or ``keys/<id>/<op>``)."""
        return self.send("POST", self.path(suffix, uri_prefix=uri_prefix), body, **options)


def http11_connection(
    target: XksTarget, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> http.client.HTTPConnection:
    """A bare ``http.client`` connection to the target (ALPN http/1.1, target's CA and
    client certificate), for checks that must see HTTP/1.1 and connection reuse directly."""
    if not target.base_url.startswith("https"):
        return http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    context = ssl.create_default_context(cafile=target.ca_bundle)
    if target.client_certificate is not None:
        cert = target.client_certificate
        context.load_cert_chain(cert.cert_path, cert.key_path)
    context.set_alpn_protocols(["http/1.1"])
    return http.client.HTTPSConnection(target.host, target.port, timeout=timeout, context=context)


def signed_health_request(wire: XksWire) -> tuple[str, bytes, dict[str, str]]:
    """Path, body and signed headers of a health call, for use over a bare connection."""
    path = wire.path("health")
    payload = json.dumps(
        {"requestMetadata": {"kmsRequestId": "kscheck-raw", "kmsOperation": "KmsHealthCheck"}}
    ).encode()
    base = {"host": wire.host_header, "content-type": "application/json"}
    return path, payload, sign("POST", path, base, payload, wire.signing())


def _innermost(exc: BaseException) -> BaseException:
    """Follow causes and wrapped reasons (urllib3 keeps them in args/reason) to the root."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        nested = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        reason = getattr(current, "reason", None)
        following = (
            current.__cause__
            or (reason if isinstance(reason, BaseException) else None)
            or (nested[0] if nested else None)
            or current.__context__
        )
        if following is None:
            break
        current = following
    return current


def _transport_error(exc: requests.RequestException) -> str:
    """The failure's class and root cause in a few words, without URLs or headers."""
    root = _innermost(exc)
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"{type(exc).__name__}: certificate rejected ({root.verify_message})"
    if isinstance(root, ssl.SSLError):
        return f"{type(exc).__name__}: {root.reason or type(root).__name__}"
    if root is exc:
        return type(exc).__name__
    return f"{type(exc).__name__}: {type(root).__name__}"


def now_utc() -> datetime.datetime:
    """The current UTC time (checks shift it for clock-skew cases)."""
    return datetime.datetime.now(datetime.timezone.utc)
