"""World files: the TOML description of what a target can reach, secrets left in the environment.

A world file lists XKS proxy places (endpoint, path, behaviour, credentials, external keys),
VPC endpoint services and CloudHSM clusters (format: ``docs/world.md``). Secrets are never in
the file, only the names of the environment variables that hold them.
:func:`load_world_file` reads one into :class:`~conformance.targets.backends.Backends`;
:func:`world_file_text` writes one, returning the text and the variables to export.

>>> from conformance.model import ProxyBehaviour, ProxyCredential, World, XksProxy
>>> proxy = XksProxy("https://xks.example.com", "/kms/xks/v1",
...                  credentials=(ProxyCredential("A" * 20, "s" * 43),))
>>> backends = Backends.of_world(World(proxies=(proxy,)))
>>> written = world_file_text(backends)
>>> sorted(written.environment)
['KSCHECK_XKS_1_1_ACCESS_KEY_ID', 'KSCHECK_XKS_1_1_SECRET_ACCESS_KEY']
>>> "s" * 43 in written.text
False
>>> parse_world_text(written.text, written.environment) == backends
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TypeVar

from conformance.model import (
    CloudHsmCluster,
    ExternalKey,
    KmsUserState,
    ProxyBehaviour,
    ProxyCredential,
    VpcEndpointService,
    World,
)
from conformance.model.world import DEFAULT_ACCOUNT, DEFAULT_REGION
from conformance.targets.backends import Backends, ProxyPlace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FORMAT = 1
T = TypeVar("T")


class WorldFileError(ValueError):
    """A world file that cannot be used; the message names the file, the table, the key and
    the rule, on one line."""


class WrittenWorld(NamedTuple):
    """A world file's text and the environment variables (name -> secret) it refers to."""

    text: str
    environment: dict[str, str]


# ---------------------------------------------------------------------------- reading
class _Table:
    """One TOML table being read: every key must be known, every value of its type."""

    def __init__(self, source: str, where: str, data: Any, known: tuple[str, ...]) -> None:
        self.source, self.where = source, where
        if not isinstance(data, dict):
            self.fail("", "must be a table")
        self.data: dict[str, Any] = data
        for key in data:
            if key not in known:
                self.fail(key, f"unknown key (known: {', '.join(known)})")

    def fail(self, key: str, rule: str) -> NoReturn:
        at = f"{self.where} {key}".strip() if key else self.where
        raise WorldFileError(f"{self.source}: {at}: {rule}")

    def get(self, key: str, kind: type[T], default: T | None = None) -> T:
        if key not in self.data:
            if default is None:
                self.fail(key, "required")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"must be a {_KIND_NAMES[kind]}")
        return value

    def tables(self, key: str, known: tuple[str, ...]) -> list[_Table]:
        items = self.get(key, list, [])
        return [
            _Table(self.source, f"{self.where}.{key}[{index}]".lstrip("."), item, known)
            for index, item in enumerate(items)
        ]

    def secret(self, key: str, environ: Mapping[str, str]) -> str:
        name = self.get(key, str)
        if name not in environ:
            self.fail(key, f"the environment variable {name} is not set")
        return environ[name]

    def enum(self, key: str, kind: type[Any], default: str) -> Any:
        name = self.get(key, str, default)
        try:
            return kind[name]
        except KeyError:
            names = ", ".join(member.name for member in kind)
            self.fail(key, f"{name!r} is not one of {names}")


_KIND_NAMES: dict[type[Any], str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    list: "list",
    dict: "table",
}

_TOP = (
    "format",
    "region",
    "account_id",
    "reset_path",
    "xks_proxies",
    "vpc_endpoint_services",
    "cloudhsm_clusters",
    "foreign_vpc_endpoints",
)
_PROXY = ("uri_endpoint", "uri_path", "behaviour", "credentials", "external_keys", "fixture")
_CREDENTIAL = ("access_key_id_env", "secret_access_key_env")
_KEY = ("key_id", "key_spec", "state", "usages")
_SERVICE = (
    "service_name",
    "owner",
    "private_dns_name",
    "exists",
    "conformant",
    "allows_kms_principal",
)
_CLUSTER = (
    "cluster_id",
    "trust_anchor",
    "trust_anchor_file",
    "kmsuser_password_env",
    "active",
    "hsm_count",
    "availability_zones",
    "network_ok",
    "backup_family",
    "kmsuser",
)


def _strings(table: _Table, key: str) -> list[str]:
    values = table.get(key, list, [])
    if not all(isinstance(v, str) for v in values):
        table.fail(key, "must be a list of strings")
    return values


def _place(table: _Table, environ: Mapping[str, str]) -> ProxyPlace:
    credentials = tuple(
        ProxyCredential(
            c.secret("access_key_id_env", environ), c.secret("secret_access_key_env", environ)
        )
        for c in table.tables("credentials", _CREDENTIAL)
    )
    keys = tuple(
        ExternalKey(
            k.get("key_id", str),
            k.get("key_spec", str, "AES_256"),
            k.get("state", str, "ENABLED"),
            frozenset(_strings(k, "usages")) if "usages" in k.data else ExternalKey("").usages,
        )
        for k in table.tables("external_keys", _KEY)
    )
    return ProxyPlace(
        table.get("uri_endpoint", str),
        table.get("uri_path", str),
        table.enum("behaviour", ProxyBehaviour, "HEALTHY"),
        credentials,
        keys,
        table.get("fixture", bool, False),
    )


def _service(table: _Table, account: str) -> VpcEndpointService:
    return VpcEndpointService(
        table.get("service_name", str),
        table.get("owner", str, account),
        table.get("private_dns_name", str, ""),
        table.get("exists", bool, True),
        table.get("conformant", bool, True),
        table.get("allows_kms_principal", bool, True),
    )


def _trust_anchor(table: _Table, base: Path) -> str:
    if ("trust_anchor" in table.data) == ("trust_anchor_file" in table.data):
        table.fail("trust_anchor", "give exactly one of trust_anchor and trust_anchor_file")
    if "trust_anchor" in table.data:
        return table.get("trust_anchor", str)
    name = table.get("trust_anchor_file", str)
    try:
        return (base / name).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        table.fail("trust_anchor_file", f"cannot read {base / name}: {reason}")


def _cluster(table: _Table, environ: Mapping[str, str], base: Path) -> CloudHsmCluster:
    return CloudHsmCluster(
        table.get("cluster_id", str),
        _trust_anchor(table, base),
        table.get("active", bool, True),
        table.get("hsm_count", int, 2),
        table.get("availability_zones", int, 2),
        table.get("network_ok", bool, True),
        table.get("backup_family", str, ""),
        table.secret("kmsuser_password_env", environ),
        table.enum("kmsuser", KmsUserState, "OK"),
    )


def parse_world_text(
    text: str,
    environ: Mapping[str, str],
    *,
    source: str = "<world>",
    base: Path = Path("."),
    region: str = DEFAULT_REGION,
) -> Backends:
    """The backends a world file's `text` describes (`region` when it names none); relative
    trust anchor files are read from `base`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WorldFileError(f"{source}: not TOML: {error}") from None
    top = _Table(source, "", data, _TOP)
    if top.get("format", int) != FORMAT:
        top.fail("format", f"must be {FORMAT}")
    account = top.get("account_id", str, DEFAULT_ACCOUNT)
    reset_path = top.get("reset_path", str, "") or None
    if reset_path is not None and not reset_path.startswith("/"):
        top.fail("reset_path", "must start with /")
    places = tuple(_place(t, environ) for t in top.tables("xks_proxies", _PROXY))
    world = World(
        account_id=account,
        region=top.get("region", str, region),
        proxies=tuple(
            p.as_proxy() for p in places if p.behaviour is not ProxyBehaviour.UNREACHABLE
        ),
        vpc_endpoint_services=tuple(
            _service(t, account) for t in top.tables("vpc_endpoint_services", _SERVICE)
        ),
        clusters=tuple(
            _cluster(t, environ, base) for t in top.tables("cloudhsm_clusters", _CLUSTER)
        ),
        foreign_vpc_endpoints=frozenset(_strings(top, "foreign_vpc_endpoints")),
    )
    return Backends(world, places, reset_path)


def load_world_file(
    path: Path | str, environ: Mapping[str, str], *, region: str = DEFAULT_REGION
) -> Backends:
    """Read the world file at `path`, its secrets from `environ` (see the module docstring).

    Raises :class:`WorldFileError` naming the file, table, key and rule.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise WorldFileError(f"{path}: cannot read the world file: {reason}") from None
    return parse_world_text(text, environ, source=str(path), base=path.parent, region=region)


# ---------------------------------------------------------------------------- writing
def toml_string(value: str) -> str:
    """`value` as a TOML basic string.

    >>> print(toml_string('a "b"\\n\\\\'))
    "a \\"b\\"\\n\\\\"
    """
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for char in value:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    return "[" + ", ".join(_value(v) for v in value) + "]"


def _lines(pairs: Mapping[str, Any]) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in pairs.items()]


def proxy_entry_lines(
    place: Mapping[str, Any],
    credential_variables: Iterable[tuple[str, str]],
    external_keys: Iterable[ExternalKey],
) -> list[str]:
    """One ``[[xks_proxies]]`` entry: `place`'s members (uri_endpoint, uri_path, behaviour,
    optionally fixture), each credential as its (access key ID, secret) variable names, and
    the external keys. Shared by this module's writer and the rig proxy's."""
    lines = ["[[xks_proxies]]", *_lines(place)]
    for access_key_id_env, secret_access_key_env in credential_variables:
        lines += ["[[xks_proxies.credentials]]"]
        lines += _lines(
            {"access_key_id_env": access_key_id_env, "secret_access_key_env": secret_access_key_env}
        )
    for key in external_keys:
        lines += ["[[xks_proxies.external_keys]]"]
        lines += _lines(
            {
                "key_id": key.key_id,
                "key_spec": key.key_spec,
                "state": key.state,
                "usages": sorted(key.usages),
            }
        )
    return lines


def world_file_text(backends: Backends, prefix: str = "KSCHECK") -> WrittenWorld:
    """The world file of `backends`, each secret replaced by the name of a variable
    (``{prefix}_XKS_<place>_<credential>_...``, ``{prefix}_HSM_<cluster>_PASSWORD``)."""
    world = backends.world
    environment: dict[str, str] = {}
    top: dict[str, Any] = {"format": FORMAT, "region": world.region}
    top["account_id"] = world.account_id
    if backends.reset_path:
        top["reset_path"] = backends.reset_path
    top["foreign_vpc_endpoints"] = sorted(world.foreign_vpc_endpoints)
    lines = ["# kscheck world file (docs/world.md); secrets are in environment variables", ""]
    lines += _lines(top)
    for number, place in enumerate(backends.places, 1):
        variables = []
        for index, credential in enumerate(place.credentials, 1):
            name = f"{prefix}_XKS_{number}_{index}"
            environment[f"{name}_ACCESS_KEY_ID"] = credential.access_key_id
            environment[f"{name}_SECRET_ACCESS_KEY"] = credential.raw_secret_access_key
            variables.append((f"{name}_ACCESS_KEY_ID", f"{name}_SECRET_ACCESS_KEY"))
        members = {
            "uri_endpoint": place.uri_endpoint,
            "uri_path": place.uri_path,
            "behaviour": place.behaviour.name,
            **({"fixture": True} if place.fixture else {}),
        }
        lines += ["", *proxy_entry_lines(members, variables, place.external_keys)]
    for service in world.vpc_endpoint_services:
        lines += ["", "[[vpc_endpoint_services]]"]
        lines += _lines(
            {
                "service_name": service.service_name,
                "owner": service.owner,
                "private_dns_name": service.private_dns_name,
                "exists": service.exists,
                "conformant": service.conformant,
                "allows_kms_principal": service.allows_kms_principal,
            }
        )
    for number, cluster in enumerate(world.clusters, 1):
        password = f"{prefix}_HSM_{number}_PASSWORD"
        environment[password] = cluster.kmsuser_password
        lines += ["", "[[cloudhsm_clusters]]"]
        lines += _lines(
            {
                "cluster_id": cluster.cluster_id,
                "trust_anchor": cluster.trust_anchor,
                "kmsuser_password_env": password,
                "active": cluster.active,
                "hsm_count": cluster.hsm_count,
                "availability_zones": cluster.availability_zones,
                "network_ok": cluster.network_ok,
                "backup_family": cluster.backup_family,
                "kmsuser": cluster.kmsuser.name,
            }
        )
    return WrittenWorld("\n".join(lines) + "\n", environment)


def export_lines(environment: Mapping[str, str]) -> str:
    """Shell ``export NAME='value'`` lines for `environment` (single quotes escaped).

    >>> print(export_lines({"A": "it's"}), end="")
    export A='it'\\''s'
    """
    return "".join(
        f"export {name}='{value.replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'\n"
        for name, value in environment.items()
    )
