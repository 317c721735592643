"""The description of an XKS proxy under certification: where it is and what it holds.

Checks receive an :class:`XksTarget` through the ``xks_target`` fixture, never a global. It can
be read from the official test client's environment variables (:func:`target_from_env`) or
from a JSON mapping (:func:`target_from_mapping`); bad input raises :class:`XksTargetError`
naming the field and the rule. Secrets are held in :class:`Secret`, whose repr hides them.

>>> from conformance.targets.xks import target_from_env
>>> t = target_from_env({"XKS_PROXY_HOST": "localhost:8443", "URI_PREFIX": "pfx"})
>>> t.base_url, t.uri_prefix, t.key_id
('https://localhost:8443', '/pfx', 'foo')
>>> t.credential.secret
Secret(***)
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The official test client's defaults (digest §9).
TC_DEFAULTS: dict[str, str] = {
    "XKS_PROXY_HOST": "localhost",
    "URI_PREFIX": "example/uri/path/prefix",
    "SIGV4_ACCESS_KEY_ID": "BETWEEN2TENAND3TENCHARACTERS",
    "SIGV4_SECRET_ACCESS_KEY": "PleaseReplaceThisWithSomeSecretOfLength43To64",
    "KEY_ID": "foo",
    "ENCRYPT_ONLY_KEY_ID": "encrypt_only_key",
    "DECRYPT_ONLY_KEY_ID": "decrypt_only_key",
    "IMPOTENT_KEY_ID": "impotent_key",
    "REGION": "us-east-1",
    "SCHEME": "https://",
}

_PREFIX = re.compile(r"(/[A-Za-z0-9/_-]+)?", re.ASCII)
_HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9a-fA-F:]+\](:\d{1,5})?", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+", re.ASCII)


class XksTargetError(ValueError):
    """Invalid target input; the message names the field and the rule broken."""

    def __init__(self, field_name: str, rule: str) -> None:
        self.field_name = field_name
        self.rule = rule
        super().__init__(f"{field_name}: {rule}")


class Secret:
    """A secret string whose repr and str never show it; :meth:`reveal` gives it back.

    >>> s = Secret("abc")
    >>> (repr(s), s.reveal())
    ('Secret(***)', 'abc')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself: only for signing, never for printing."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credential:
    """A SigV4 credential: access key id (not secret, but kept out of reports too) + secret."""

    access_key_id: str
    secret: Secret


@dataclass(frozen=True)
class ClientCertificate:
    """PEM paths of a TLS client certificate and its private key."""

    cert_path: str
    key_path: str


#: Client certificates a proxy with mTLS must refuse (digest §13.10); self_signed is
#: generated on the fly when not given.
BAD_CLIENT_CERTIFICATE_KINDS = ("expired", "self_signed", "wrong_subject")


@dataclass(frozen=True)
class EkmControl:
    """A way to change the EKM fleet a proxy reports (only the fake proxy offers one).

    `baseline` is the fleet as configured, as health entries ``{id, model, healthStatus}``;
    `apply` makes the proxy's fleet look like the given entries from now on; `elapse`, when
    given, moves the proxy's clock for cached health results forward by that many seconds
    (the spec allows a cached result up to 60 s old).
    """

    baseline: tuple[Mapping[str, str], ...]
    apply: Callable[[Sequence[Mapping[str, str]]], None]
    elapse: Callable[[float], None] | None = None


@dataclass(frozen=True)
class XksTarget:
    """One XKS proxy and the inputs the checks need (only base_url, prefix, credential and
    the main key id are required; a missing optional input makes its checks SKIPPED)."""

    base_url: str
    uri_prefix: str
    credential: Credential
    region: str = "us-east-1"
    key_id: str = "foo"
    encrypt_only_key_id: str | None = None
    decrypt_only_key_id: str | None = None
    impotent_key_id: str | None = None
    disabled_key_id: str | None = None
    ca_bundle: str | None = None
    client_certificate: ClientCertificate | None = None
    bad_client_certificates: Mapping[str, ClientCertificate] = field(default_factory=dict)
    second_credential: Credential | None = None
    other_tenant_prefix: str | None = None
    other_tenant_credential: Credential | None = None
    ping_url: str | None = None
    description: str = "external proxy"
    faults: tuple[str, ...] = field(default=())
    variants: tuple[str, ...] = field(default=())
    ekm_control: EkmControl | None = None

    @property
    def host(self) -> str:
        """The host name of base_url (no port; an IPv6 literal without its brackets, as
        sockets and TLS server names want it)."""
        netloc = self.base_url.split("://", 1)[1]
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return host.strip("[]")

    @property
    def port(self) -> int:
        """The TCP port of base_url (443 when absent)."""
        netloc = self.base_url.split("://", 1)[1]
        if ":" in netloc and not netloc.endswith("]"):
            return int(netloc.rsplit(":", 1)[1])
        return 443

    def secrets(self) -> list[str]:
        """Every secret string of this target (SigV4 secrets, and the access key ids that
        go with them), for the report redactor."""
        found = []
        for each in (self.credential, self.second_credential, self.other_tenant_credential):
            if each is not None:
                found += [each.secret.reveal(), each.access_key_id]
        return found

    def public_description(self) -> dict[str, Any]:
        """The inputs minus secrets (credentials shown as present/absent), for reports."""
        return {
            "base_url": self.base_url,
            "uri_prefix": self.uri_prefix,
            "region": self.region,
            "key_id": self.key_id,
            "encrypt_only_key_id": self.encrypt_only_key_id,
            "decrypt_only_key_id": self.decrypt_only_key_id,
            "impotent_key_id": self.impotent_key_id,
            "disabled_key_id": self.disabled_key_id,
            "ca_bundle": self.ca_bundle,
            "mtls_client_certificate": self.client_certificate is not None,
            "mtls_bad_client_certificates": sorted(self.bad_client_certificates),
            "second_credential": self.second_credential is not None,
            "other_tenant": self.other_tenant_prefix is not None,
            "ping_url": self.ping_url,
            "description": self.description,
            "faults": list(self.faults),
            "variants": list(self.variants),
        }


def normalize_prefix(prefix: str) -> str:
    """``example/pfx`` or ``/example/pfx/`` -> ``/example/pfx``; ``""`` stays ``""``."""
    stripped = prefix.strip().strip("/")
    normalized = f"/{stripped}" if stripped else ""
    if _PREFIX.fullmatch(normalized) is None:
        raise XksTargetError("URI_PREFIX", "only letters, digits, '/', '-' and '_' are allowed")
    if len(normalized) > 128:
        raise XksTargetError("URI_PREFIX", "at most 128 characters")
    return normalized


def _require_file(field_name: str, path: str | None) -> str | None:
    if path is not None and not Path(path).is_file():
        raise XksTargetError(field_name, f"file {path!r} does not exist")
    return path


def _credential(field_name: str, akid: str | None, secret: str | None) -> Credential | None:
    if akid is None and secret is None:
        return None
    if not akid or not secret:
        raise XksTargetError(field_name, "needs both an access key id and a secret")
    return Credential(akid, Secret(secret))


def target_from_mapping(values: Mapping[str, Any]) -> XksTarget:
    """Build a target from a flat mapping of field names (the JSON form of ``--xks-target``).

    >>> t = target_from_mapping({"base_url": "https://h:1", "uri_prefix": "",
    ...     "access_key_id": "A" * 20, "secret_access_key": "s" * 43})
    >>> (t.port, t.uri_prefix, t.encrypt_only_key_id)
    (1, '', None)
    """
    base_url = str(values.get("base_url", "")).rstrip("/")
    scheme, sep, netloc = base_url.partition("://")
    if not sep or scheme not in ("https", "http") or _HOST.fullmatch(netloc) is None:
        raise XksTargetError("base_url", "must be https://HOST[:PORT] with no path")
    _, colon, port = netloc.rsplit("]", 1)[-1].rpartition(":")
    if colon and not 1 <= int(port) <= 65535:
        raise XksTargetError("base_url", f"port {port} is not between 1 and 65535")
    region = str(values.get("region") or "us-east-1")
    if _REGION.fullmatch(region) is None:
        raise XksTargetError("region", f"{region!r} is not an AWS region name like us-east-1")
    credential = _credential(
        "credential", values.get("access_key_id"), values.get("secret_access_key")
    )
    if credential is None:
        raise XksTargetError("credential", "an access key id and a secret are required")
    for name in ("key_id", "encrypt_only_key_id", "decrypt_only_key_id", "impotent_key_id"):
        value = values.get(name)
        if value is not None and not str(value):
            raise XksTargetError(name, "must not be empty when given")

    def cert(cert_field: str, key_field: str) -> ClientCertificate | None:
        cert_path, key_path = values.get(cert_field), values.get(key_field)
        if cert_path is None and key_path is None:
            return None
        if not cert_path or not key_path:
            raise XksTargetError(cert_field, f"{cert_field} and {key_field} go together")
        return ClientCertificate(
            str(_require_file(cert_field, str(cert_path))),
            str(_require_file(key_field, str(key_path))),
        )

    other_prefix = values.get("other_tenant_prefix")
    ping_url = values.get("ping_url")
    if ping_url is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", str(ping_url)):
        raise XksTargetError(
            "ping_url", "must be an http:// or https:// URL, e.g. http://host/ping"
        )
    return XksTarget(
        base_url=base_url,
        uri_prefix=normalize_prefix(str(values.get("uri_prefix", ""))),
        credential=credential,
        region=region,
        key_id=str(values.get("key_id") or "foo"),
        encrypt_only_key_id=values.get("encrypt_only_key_id"),
        decrypt_only_key_id=values.get("decrypt_only_key_id"),
        impotent_key_id=values.get("impotent_key_id"),
        disabled_key_id=values.get("disabled_key_id"),
        ca_bundle=_require_file("ca_bundle", values.get("ca_bundle")),
        client_certificate=cert("client_cert", "client_key"),
        bad_client_certificates={
            kind: pair
            for kind in BAD_CLIENT_CERTIFICATE_KINDS
            if (pair := cert(f"{kind}_client_cert", f"{kind}_client_key")) is not None
        },
        second_credential=_credential(
            "second_credential",
            values.get("second_access_key_id"),
            values.get("second_secret_access_key"),
        ),
        other_tenant_prefix=None if other_prefix is None else normalize_prefix(other_prefix),
        other_tenant_credential=_credential(
            "other_tenant_credential",
            values.get("other_tenant_access_key_id"),
            values.get("other_tenant_secret_access_key"),
        ),
        ping_url=ping_url,
        description=str(values.get("description") or "external proxy"),
        faults=tuple(values.get("faults") or ()),
    )


def target_from_env(env: Mapping[str, str], **extra: Any) -> XksTarget:
    """Build a target from the official test client's variables (digest §9), TC defaults
    filling the gaps; `extra` adds or overrides mapping fields (e.g. ``ca_bundle``)."""
    get = {name: env.get(name, default) for name, default in TC_DEFAULTS.items()}
    scheme = get["SCHEME"] or "http://"
    if scheme not in ("https://", "http://"):
        raise XksTargetError("SCHEME", "must be 'https://' or empty (plain http)")
    values: dict[str, Any] = {
        "base_url": f"{scheme}{get['XKS_PROXY_HOST']}",
        "uri_prefix": get["URI_PREFIX"],
        "access_key_id": get["SIGV4_ACCESS_KEY_ID"],
        "secret_access_key": get["SIGV4_SECRET_ACCESS_KEY"],
        "region": get["REGION"],
        "key_id": get["KEY_ID"],
        "encrypt_only_key_id": get["ENCRYPT_ONLY_KEY_ID"],
        "decrypt_only_key_id": get["DECRYPT_ONLY_KEY_ID"],
        "impotent_key_id": get["IMPOTENT_KEY_ID"],
    }
    for optional in ("encrypt_only_key_id", "decrypt_only_key_id", "impotent_key_id"):
        if not values[optional]:  # set but empty: the vendor has no such key (checks SKIPPED)
            values[optional] = None
    values.update({k: v for k, v in extra.items() if v is not None})
    return target_from_mapping(values)


def target_from_running_proxy(proxy: Any) -> XksTarget:
    """Describe a running fake proxy (:class:`conformance.xks.server.RunningProxy`, read by
    attribute so this module imports nothing of it) as a target with every input filled."""
    config = proxy.config
    node_type = type(config.ekm_fleet[0])

    def apply(entries: Sequence[Mapping[str, str]]) -> None:
        proxy.set_ekm_fleet([node_type(e["id"], e["model"], e["healthStatus"]) for e in entries])

    baseline = tuple(
        {"id": n.id, "model": n.model, "healthStatus": n.health_status} for n in config.ekm_fleet
    )
    first, *rest = proxy.credentials
    other = proxy.tenants[1] if len(proxy.tenants) > 1 else None
    mtls = proxy.client_cert_path is not None
    bad = proxy.certificates.bad_clients if mtls else {}
    return XksTarget(
        base_url=proxy.base_url,
        uri_prefix=proxy.uri_prefix,
        credential=Credential(first[0], Secret(first[1])),
        region=proxy.region,
        key_id=proxy.normal_key_id or "foo",
        encrypt_only_key_id=proxy.encrypt_only_key_id,
        decrypt_only_key_id=proxy.decrypt_only_key_id,
        impotent_key_id=proxy.impotent_key_id,
        disabled_key_id=proxy.disabled_key_id,
        ca_bundle=str(proxy.ca_bundle_path),
        client_certificate=ClientCertificate(
            str(proxy.client_cert_path), str(proxy.client_key_path)
        )
        if mtls
        else None,
        bad_client_certificates={
            kind: ClientCertificate(str(pair.cert_path), str(pair.key_path))
            for kind, pair in bad.items()
            if kind in BAD_CLIENT_CERTIFICATE_KINDS
        },
        second_credential=Credential(rest[0][0], Secret(rest[0][1])) if rest else None,
        other_tenant_prefix=other.uri_prefix if other is not None else None,
        other_tenant_credential=Credential(other.credentials[0][0], Secret(other.credentials[0][1]))
        if other is not None
        else None,
        ping_url=proxy.ping_url,
        description="kscheck fake XKS proxy (built in)",
        faults=tuple(sorted(proxy.faults)),
        variants=tuple(sorted(getattr(proxy, "variants", ()))),
        ekm_control=EkmControl(baseline, apply, getattr(proxy, "let_health_cache_age", None)),
    )


@contextlib.contextmanager
def chosen_xks_target(
    env: Mapping[str, str],
    *,
    extra: Mapping[str, Any] | None = None,
    faults: Iterable[str] = (),
    variants: Iterable[str] = (),
    mtls: bool = True,
) -> Iterator[XksTarget]:
    """The one place a proxy under test is chosen, for ``kscheck certify`` and for the plugin
    under plain pytest: the proxy the official client's variables in `env` name (with the
    `extra` inputs of :func:`target_from_env`), or else the built-in fake proxy with these
    faults and variants, stopped on exit. Faults and variants with an external proxy, or
    unknown names, raise XksTargetError.
    """
    faults, variants = tuple(faults), tuple(variants)
    if env.get("XKS_PROXY_HOST"):
        if faults or variants:
            raise XksTargetError(
                "fault" if faults else "variant",
                "only for the built-in fake proxy (no XKS_PROXY_HOST)",
            )
        yield target_from_env(env, **dict(extra or {}))
        return
    from conformance.xks.faults import UnknownFaultError
    from conformance.xks.server import start_fake_proxy
    from conformance.xks.variants import validate_variant_names

    try:
        chosen = validate_variant_names(variants)
    except ValueError as exc:  # unknown names, or a set that contradicts itself
        raise XksTargetError("variant", str(exc)) from None
    try:
        proxy = start_fake_proxy(faults=faults, variants=chosen, mtls=mtls)
    except UnknownFaultError as exc:
        raise XksTargetError("fault", str(exc)) from None
    with proxy:
        yield target_from_running_proxy(proxy)
