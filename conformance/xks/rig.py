"""The deployable rig: one TLS listener serving several tenants, each with its own behaviour.

Each tenant (``conformance.xks.rig_config.RigTenant``) gets its own fake-proxy application,
so its faults, EKM fleet and credential touch no other tenant; a :class:`TenantRouter` hands
every request to the tenant whose URI prefix it names. ``GET /ping`` answers 200 without
authentication on the TLS port (for a load balancer's HTTPS health check), as does the
plain-HTTP ping port; any other path gets the clean fake's 404 InvalidUriPathException.

>>> from conformance.xks.config import random_credential
>>> from conformance.xks.rig_config import RigTenant
>>> tenant = RigTenant("/a", "AKID_A", "SECRET_A", random_credential())
>>> with start_rig(RigSettings((tenant,))) as rig:
...     rig.base_url.startswith("https://127.0.0.1:"), [t.uri_path for t in rig.tenants]
(True, ['/a/kms/xks/v1'])
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.model import ExternalKey, ProxyBehaviour
from conformance.xks.app import FakeXksApplication, HttpRequest, HttpResponse
from conformance.xks.certs import make_certificates
from conformance.xks.config import FakeProxyConfig, Tenant, random_credential
from conformance.xks.rig_config import XKS_API_ROOT, RigTenant
from conformance.xks.rig_world import WorldProxyEntry, world_file_text
from conformance.xks.server import (
    PING_PATH,
    BackgroundListeners,
    PingServer,
    XksHttpServer,
    ping_response,
    server_tls_context,
)
from conformance.xks.variants import behaviour_for

_LIMITS = FakeProxyConfig()  # the fake's read timeout, request deadline, caps


@dataclass(frozen=True)
class RigSettings:
    """Where and how the rig listens. Without ``tls_cert``/``tls_key`` it serves a trustme
    certificate for ``localhost``/``127.0.0.1`` (written to ``cert_dir`` or a temporary
    directory). ``ping_port`` None: no plain-HTTP ping listener."""

    tenants: tuple[RigTenant, ...]
    region: str = "us-east-1"
    bind: str = "127.0.0.1"
    port: int = 0
    ping_port: int | None = 0
    tls_cert: Path | None = None
    tls_key: Path | None = None
    cert_dir: Path | None = None


def tenant_config(tenant: RigTenant, region: str) -> FakeProxyConfig:
    """The fake proxy configuration that gives ``tenant`` its behaviour."""
    credential = tenant.credential
    if tenant.behaviour is ProxyBehaviour.WRONG_CREDENTIALS:
        credential = random_credential()  # accepts only a credential nobody is told
    config = FakeProxyConfig(
        region=region,
        tenants=(Tenant(tenant.uri_prefix, (credential,)),),
        faults=tenant.effective_faults,
        variants=tenant.variants,
        ping_port=None,
        slow_delay_seconds=tenant.slow_delay_seconds,
    )
    if tenant.behaviour is ProxyBehaviour.ALL_EKMS_UNAVAILABLE:
        fleet = tuple(
            dataclasses.replace(node, health_status="UNAVAILABLE") for node in config.ekm_fleet
        )
        config = dataclasses.replace(config, ekm_fleet=fleet)
    return config


def external_keys(config: FakeProxyConfig) -> tuple[ExternalKey, ...]:
    """The keys a tenant's EKM holds, as its GetKeyMetadata describes them."""
    behaviour = behaviour_for(config.variants)
    spec = "RSA_0" if "wrong_key_spec" in config.faults else "AES_256"
    return tuple(
        ExternalKey(
            key.key_id,
            key_spec=spec,
            state="ENABLED" if key.enabled else "DISABLED",
            usages=frozenset((*key.usages, *behaviour.extra_usages)),
        )
        for key in (*config.keys, *behaviour.extra_keys)
    )


class TenantRouter:
    """Hands each request to its tenant's application (see the module docstring)."""

    def __init__(self, applications: Mapping[str, FakeXksApplication], region: str) -> None:
        self._roots = sorted(
            ((prefix + XKS_API_ROOT + "/", app) for prefix, app in applications.items()),
            key=lambda pair: -len(pair[0]),
        )
        every_tenant = tuple(Tenant(prefix) for prefix in applications)
        self._elsewhere = FakeXksApplication(
            FakeProxyConfig(region=region, tenants=every_tenant, ping_port=None)
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; never raises."""
        if request.path == PING_PATH:
            return ping_response(request)
        for root, application in self._roots:
            if request.path.startswith(root):
                return application.handle(request)
        return self._elsewhere.handle(request)


class RunningRig(BackgroundListeners):
    """A started rig; a context manager. Its repr shows the URL and tenants' prefixes."""

    def __init__(
        self,
        settings: RigSettings,
        configs: Mapping[str, FakeProxyConfig],
        server: XksHttpServer,
        ping_server: PingServer | None,
        ca_bundle_path: Path | None,
        owned_cert_dir: Path | None,
    ) -> None:
        self.settings = settings
        self.tenants = settings.tenants
        self.configs = configs
        self._listen(server, ping_server, owned_cert_dir)
        self.port: int = server.server_address[1]
        local = "127.0.0.1" if settings.bind == "0.0.0.0" else settings.bind
        self.base_url = f"https://{local}:{self.port}"
        self.health_url = f"{self.base_url}{PING_PATH}"
        self.ping_url: str | None = (
            f"http://{local}:{ping_server.server_address[1]}{PING_PATH}" if ping_server else None
        )
        self.ca_bundle_path = ca_bundle_path

    def __repr__(self) -> str:
        prefixes = [tenant.uri_prefix for tenant in self.tenants]
        return f"RunningRig({self.base_url!r}, tenants={prefixes!r})"

    def world_entries(self, public_host: str) -> list[WorldProxyEntry]:
        """The world file's proxy entries for this rig reached as ``https://public_host``."""
        return [
            WorldProxyEntry(
                f"https://{public_host}",
                tenant.uri_path,
                tenant.behaviour.value,
                ((tenant.access_key_id_env, tenant.secret_access_key_env),),
                external_keys(self.configs[tenant.uri_prefix]),
            )
            for tenant in self.tenants
        ]

    def world_text(self, public_host: str) -> str:
        """The world file for this rig (no secret values, only variable names)."""
        return world_file_text(self.world_entries(public_host), region=self.settings.region)


def start_rig(settings: RigSettings) -> RunningRig:
    """Listen as ``settings`` say and return the running rig (``OSError`` if a port is taken)."""
    owned: Path | None = None
    server: XksHttpServer | None = None
    try:  # a failure half-way must not leak a socket or a temporary directory
        ca_bundle: Path | None = None
        if settings.tls_cert is not None and settings.tls_key is not None:
            cert_path, key_path = settings.tls_cert, settings.tls_key
        else:
            if settings.cert_dir is None:
                owned = Path(tempfile.mkdtemp(prefix="kscheck-rig-certs-"))
            certificates = make_certificates(settings.cert_dir or owned or ".")
            pair = certificates.server["valid"]
            cert_path, key_path, ca_bundle = (
                pair.cert_path,
                pair.key_path,
                certificates.ca_bundle_path,
            )
        configs = {t.uri_prefix: tenant_config(t, settings.region) for t in settings.tenants}
        router = TenantRouter(
            {prefix: FakeXksApplication(config) for prefix, config in configs.items()},
            settings.region,
        )
        limits: dict[str, Any] = {
            "read_timeout": _LIMITS.read_timeout,
            "request_deadline": _LIMITS.request_deadline,
            "max_connections": _LIMITS.max_connections,
        }
        server = XksHttpServer(
            (settings.bind, settings.port),
            router,
            server_tls_context(cert_path, key_path),
            max_body_bytes=_LIMITS.max_body_bytes,
            **limits,
        )
        ping_server = None
        if settings.ping_port is not None:
            ping_server = PingServer(
                (settings.bind, settings.ping_port), max_body_bytes=0, **limits
            )
    except BaseException:
        if server is not None:
            server.server_close()
        if owned is not None:
            shutil.rmtree(owned, ignore_errors=True)
        raise
    rig = RunningRig(settings, configs, server, ping_server, ca_bundle, owned)
    rig._start()
    return rig
