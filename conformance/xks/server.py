"""The fake XKS proxy as a real threaded HTTPS server on loopback.

Built on :mod:`conformance.xks.guarded_http` (``http.server`` with deadlines, a thread cap and
strict body framing) rather than werkzeug's development server, because werkzeug 3 sends
``Connection: close`` on every response (serving.py, run_wsgi) and performs the TLS handshake
in the accept loop, so one silent client would stall every other one. Here each connection
gets its own thread, its TLS handshake runs in that thread under the read timeout, and
HTTP/1.1 keep-alive works. werkzeug still does the routing (``conformance.xks.app``).

>>> with start_fake_proxy() as proxy:
...     proxy.base_url.startswith("https://localhost:"), proxy.uri_prefix
(True, '/example/uri/path/prefix')
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import socket
import ssl
import tempfile
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from conformance.xks.app import FakeXksApplication, HttpRequest, HttpResponse, Responder
from conformance.xks.certs import CertificateSet, make_certificates
from conformance.xks.config import Credential, EkmNode, FakeProxyConfig, Tenant
from conformance.xks.faults import validate_fault_names
from conformance.xks.guarded_http import GuardedHttpServer, GuardedRequestHandler
from conformance.xks.variants import validate_variant_names

logger = logging.getLogger("conformance.xks.proxy")

PING_PATH = "/ping"
PING_BODY = b"pong from kscheck fake xks-proxy"


def _json_error(status: int, name: str, message: str) -> HttpResponse:
    # errorMessage must be printable ASCII [SPEC §3]; a bad request line may hold anything
    printable = "".join(c if " " <= c <= "~" else "?" for c in message)
    body = json.dumps({"errorName": name, "errorMessage": printable}).encode()
    return HttpResponse(status, body, close=True)


class _ProxyRequestHandler(GuardedRequestHandler):
    server_version = "kscheck-fake-xks-proxy"


class XksHttpServer(GuardedHttpServer):
    """The XKS API over TLS: the handshake runs in the connection's thread, bounded by the
    read timeout (OpenSSL's whole handshake shares one deadline in CPython's ssl module)."""

    too_large_status = 400  # the XKS API answers every malformed request with 400 [SPEC §3]

    def __init__(
        self,
        address: tuple[str, int],
        app: Responder,
        ssl_context: ssl.SSLContext | None,
        *,
        client_subject: str | None = None,
        **limits: Any,
    ) -> None:
        self.app = app
        self.ssl_context = ssl_context
        self.client_subject = client_subject
        super().__init__(address, _ProxyRequestHandler, **limits)

    def wrap_connection(self, connection: socket.socket) -> socket.socket:
        if self.ssl_context is None:
            return connection
        return self.ssl_context.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        )

    def prepare_connection(self, connection: socket.socket) -> None:
        if isinstance(connection, ssl.SSLSocket):
            connection.do_handshake()
            self.check_client_certificate(connection)

    def check_client_certificate(self, connection: ssl.SSLSocket) -> None:
        """With mTLS, the chain was verified by OpenSSL; here the subject must match too."""
        if self.client_subject is None:
            return
        peer: Any = connection.getpeercert() or {}
        names = {value for kind, value in peer.get("subjectAltName", ()) if kind == "DNS"}
        names |= {
            value for rdn in peer.get("subject", ()) for key, value in rdn if key == "commonName"
        }
        if self.client_subject not in names:
            raise ssl.SSLError("client certificate subject does not match")

    def respond(self, request: HttpRequest) -> HttpResponse:
        return self.app.handle(request)

    def error_response(self, status: int, message: str) -> HttpResponse:
        return _json_error(status, "ValidationException", message)


def ping_response(request: HttpRequest) -> HttpResponse:
    """The load balancer's ``GET /ping``: 200 without authentication, 405 for other methods,
    404 for other paths."""
    if request.path != PING_PATH:
        return HttpResponse(404, b"not found", "text/plain")
    if request.method != "GET":
        return HttpResponse(405, b"method not allowed", "text/plain", [("Allow", "GET")])
    return HttpResponse(200, PING_BODY, "text/plain")


class PingServer(GuardedHttpServer):
    """Plain-HTTP ``GET /ping`` for load balancers, as the reference proxy offers [REF]."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return ping_response(request)

    def error_response(self, status: int, message: str) -> HttpResponse:
        return HttpResponse(status, message.encode("ascii", "replace"), "text/plain", close=True)


def server_tls_context(
    cert_path: Path, key_path: Path, *, legacy: bool = False, client_ca: Path | None = None
) -> ssl.SSLContext:
    """A server TLS context for a PEM chain and key: TLS 1.2-1.3 with AEAD suites (1.0+ when
    ``legacy``); with ``client_ca``, a client certificate from that CA is required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert_path), str(key_path))
    if legacy:
        with warnings.catch_warnings():  # the deprecation is the point of this fault
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(str(client_ca))
    return context


def build_tls_context(config: FakeProxyConfig, certificates: CertificateSet) -> ssl.SSLContext:
    """The server TLS context: TLS 1.2-1.3 with AEAD suites (1.0+ under ``tls_legacy``)."""
    pair = certificates.server[config.effective_cert_variant]
    enforce_mtls = config.mtls and "mtls_not_enforced" not in config.faults
    return server_tls_context(
        pair.cert_path,
        pair.key_path,
        legacy="tls_legacy" in config.faults,
        client_ca=certificates.client_ca_path if enforce_mtls else None,
    )


def serve_in_background(servers: Iterable[GuardedHttpServer | None]) -> list[threading.Thread]:
    """Run each server's accept loop in a daemon thread; returns the threads."""
    threads = []
    for server in servers:
        if server is not None:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fake-xks-proxy-{server.server_address[1]}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    return threads


def shut_down(
    servers: Iterable[GuardedHttpServer | None], threads: Iterable[threading.Thread]
) -> None:
    """Stop accepting, close open connections and free the ports of ``servers``."""
    for server in servers:
        if server is not None:
            server.shutdown()
            server.close_all_connections()
            server.server_close()
    for thread in threads:
        thread.join(timeout=5)


_Listening = TypeVar("_Listening", bound="BackgroundListeners")


class BackgroundListeners:
    """The TLS listener and optional ping listener of a started proxy, served from
    background threads, with the temporary certificate folder it owns: :meth:`stop` (once)
    frees them all; a context manager. Shared by the fake proxy and the rig."""

    _server: XksHttpServer
    _ping_server: PingServer | None
    _owned_cert_dir: Path | None

    def _listen(
        self, server: XksHttpServer, ping_server: PingServer | None, owned_cert_dir: Path | None
    ) -> None:
        self._server = server
        self._ping_server = ping_server
        self._owned_cert_dir = owned_cert_dir
        self._threads: list[threading.Thread] = []
        self._stopped = False

    def _start(self) -> None:
        self._threads = serve_in_background((self._server, self._ping_server))

    def stop(self) -> None:
        """Stop accepting, close open connections, free the ports and temp files (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        shut_down((self._server, self._ping_server), self._threads)
        self._threads.clear()
        if self._owned_cert_dir is not None:
            shutil.rmtree(self._owned_cert_dir, ignore_errors=True)
            self._owned_cert_dir = None

    def __enter__(self: _Listening) -> _Listening:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class RunningProxy(BackgroundListeners):
    """A started fake proxy; use as a context manager or call :meth:`stop`.

    Its repr shows the URL and fault names, never a secret.
    """

    def __init__(
        self,
        config: FakeProxyConfig,
        certificates: CertificateSet,
        app: FakeXksApplication,
        server: XksHttpServer,
        ping_server: PingServer | None,
        owned_cert_dir: Path | None,
    ) -> None:
        self.config = config
        self.certificates = certificates
        self.app = app
        self._listen(server, ping_server, owned_cert_dir)
        self.port: int = server.server_address[1]
        self.host = f"localhost:{self.port}"
        self.base_url = f"https://{self.host}"
        self.region = config.region
        self.tenants: tuple[Tenant, ...] = config.tenants
        self.uri_prefix = config.tenants[0].uri_prefix
        self.credentials: list[Credential] = list(config.tenants[0].credentials)
        self.ca_bundle_path: Path = certificates.ca_bundle_path
        self.client_cert_path: Path | None = certificates.client.cert_path if config.mtls else None
        self.client_key_path: Path | None = certificates.client.key_path if config.mtls else None
        self.ping_url: str | None = (
            f"http://127.0.0.1:{ping_server.server_address[1]}{PING_PATH}" if ping_server else None
        )
        self.key_ids: dict[str, str | None] = key_roles(config)
        self.normal_key_id = self.key_ids["normal"]
        self.encrypt_only_key_id = self.key_ids["encrypt_only"]
        self.decrypt_only_key_id = self.key_ids["decrypt_only"]
        self.impotent_key_id = self.key_ids["impotent"]
        self.disabled_key_id = self.key_ids["disabled"]

    def __repr__(self) -> str:
        variants = f", variants={sorted(self.variants)!r}" if self.variants else ""
        return f"RunningProxy({self.base_url!r}, faults={sorted(self.config.faults)!r}{variants})"

    @property
    def faults(self) -> frozenset[str]:
        return self.config.faults

    @property
    def variants(self) -> frozenset[str]:
        """The permitted variants switched on (``conformance.xks.variants``)."""
        return self.config.variants

    def let_health_cache_age(self, seconds: float) -> None:
        """Move the health cache's clock forward (``health_cached_60s``; else a no-op), so
        a check can see the cache expire without waiting for it."""
        if self.app.health_cache is not None:
            self.app.health_cache.elapse(seconds)

    @property
    def api_root(self) -> str:
        """``<prefix>/kms/xks/v1`` of the first tenant."""
        return f"{self.uri_prefix}/kms/xks/v1"

    def url(self, suffix: str) -> str:
        """Full URL of an API path of the first tenant, e.g. ``url("health")``."""
        return f"{self.base_url}{self.api_root}/{suffix.lstrip('/')}"

    def set_ekm_fleet(self, fleet: Iterable[EkmNode]) -> None:
        """Change what health reports from now on (``stale_health`` ignores this)."""
        self.app.set_ekm_fleet(tuple(fleet))

    def set_credentials(
        self, credentials: Iterable[Credential], uri_prefix: str | None = None
    ) -> None:
        """Rotate a tenant's live credentials (default: the first tenant's) while running."""
        prefix = self.uri_prefix if uri_prefix is None else uri_prefix
        chosen = tuple(Credential(*credential) for credential in credentials)
        self.app.set_credentials(prefix, chosen)
        if prefix == self.uri_prefix:
            self.credentials = list(chosen)


def key_roles(config: FakeProxyConfig) -> dict[str, str | None]:
    """The first key id for each role a client needs (normal, encrypt_only, ...) or None."""

    def first(predicate: Any) -> str | None:
        return next((key.key_id for key in config.keys if predicate(key)), None)

    return {
        "normal": first(lambda k: k.enabled and {"ENCRYPT", "DECRYPT"} <= set(k.usages)),
        "encrypt_only": first(
            lambda k: k.enabled and set(k.usages) & {"ENCRYPT", "DECRYPT"} == {"ENCRYPT"}
        ),
        "decrypt_only": first(
            lambda k: k.enabled and set(k.usages) & {"ENCRYPT", "DECRYPT"} == {"DECRYPT"}
        ),
        "impotent": first(lambda k: k.enabled and not set(k.usages) & {"ENCRYPT", "DECRYPT"}),
        "disabled": first(lambda k: not k.enabled),
    }


def start_fake_proxy(
    config: FakeProxyConfig | None = None,
    *,
    faults: Iterable[str] = (),
    variants: Iterable[str] = (),
    cert_dir: str | Path | None = None,
    certificates: CertificateSet | None = None,
    **overrides: Any,
) -> RunningProxy:
    """Start the fake proxy on 127.0.0.1 and return it running.

    ``faults`` are added to ``config.faults`` and ``variants`` to ``config.variants``
    (unknown or contradictory variant names raise ``ValueError``); ``overrides`` replace
    config fields (e.g. ``port=8443``, ``mtls=True``; the ``mtls_not_enforced`` fault turns
    mTLS on). Certificates come from ``certificates``, else are made in ``cert_dir``, else in a
    temporary directory removed on stop.

    >>> with start_fake_proxy(faults=["slow"]) as proxy:
    ...     sorted(proxy.faults)
    ['slow']
    """
    base = config or FakeProxyConfig()
    chosen = validate_fault_names([*base.faults, *faults])
    if "mtls_not_enforced" in chosen:  # the fault only means something with mTLS configured
        overrides.setdefault("mtls", True)
    permitted = validate_variant_names([*base.variants, *variants])
    config = dataclasses.replace(base, faults=chosen, variants=permitted, **overrides)
    owned: Path | None = None
    server: XksHttpServer | None = None
    ping_server: PingServer | None = None
    try:  # a failure half-way (port in use, bad cert dir) must not leak sockets or temp files
        if certificates is None:
            if cert_dir is None:
                owned = Path(tempfile.mkdtemp(prefix="kscheck-proxy-certs-"))
            certificates = make_certificates(cert_dir or owned or ".", region=config.region)
        app = FakeXksApplication(config)
        limits: dict[str, Any] = {
            "read_timeout": config.read_timeout,
            "request_deadline": config.request_deadline,
            "max_connections": config.max_connections,
        }
        server = XksHttpServer(
            (config.host, config.port),
            app,
            build_tls_context(config, certificates),
            client_subject=certificates.client_subject
            if config.mtls and "mtls_not_enforced" not in config.faults
            else None,
            max_body_bytes=config.max_body_bytes,
            **limits,
        )
        if config.ping_port is not None:
            ping_server = PingServer((config.host, config.ping_port), max_body_bytes=0, **limits)
    except BaseException:
        if server is not None:
            server.server_close()
        if owned is not None:
            shutil.rmtree(owned, ignore_errors=True)
        raise
    proxy = RunningProxy(config, certificates, app, server, ping_server, owned)
    proxy._start()
    return proxy
