"""The rig's tenants file: URI prefixes, each with a credential from the environment and a
behaviour, read and checked before anything listens.

A tenant names the environment variables that hold its SigV4 credential, never the values;
its ``behaviour`` is the world model's name for how KMS sees it (``conformance.model.
ProxyBehaviour``) and ``faults`` add defects from the fake proxy's catalogue. Every refusal is
a :class:`RigConfigError` whose message is one line naming the file and the field.

>>> text = '''
... [[tenant]]
... uri_prefix = "/healthy"
... access_key_id_env = "RIG_AKID"
... secret_access_key_env = "RIG_SECRET"
... behaviour = "HEALTHY"
... '''
>>> env = {"RIG_AKID": "A" * 20, "RIG_SECRET": "s" * 43}
>>> [(t.uri_path, t.behaviour.value) for t in parse_tenants(text, "rig.toml", env)]
[('/healthy/kms/xks/v1', 'HEALTHY')]
>>> try:
...     parse_tenants(text.replace("HEALTHY", "GARBLED"), "rig.toml", env)
... except RigConfigError as error:
...     print(str(error)[:54])
rig.toml: tenant[1].behaviour: 'GARBLED' is not one of
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.model import ProxyBehaviour
from conformance.xks.config import Credential, Tenant
from conformance.xks.faults import FAULTS
from conformance.xks.variants import validate_variant_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

XKS_API_ROOT = "/kms/xks/v1"

#: Behaviours a tenant can have -> the catalogue faults that produce them (as the emulator's
#: scenario makes its sites). ALL_EKMS_UNAVAILABLE is an EKM fleet reported UNAVAILABLE;
#: WRONG_CREDENTIALS a tenant that accepts only a credential nobody knows.
BEHAVIOUR_FAULTS: Mapping[ProxyBehaviour, frozenset[str]] = MappingProxyType(
    {
        ProxyBehaviour.HEALTHY: frozenset(),
        ProxyBehaviour.ALL_EKMS_UNAVAILABLE: frozenset(),
        ProxyBehaviour.INVALID_RESPONSE: frozenset({"invalid_json_responses"}),
        ProxyBehaviour.TIMEOUT: frozenset({"slow"}),
        ProxyBehaviour.ACCESS_DENIED: frozenset({"health_requires_authz"}),
        ProxyBehaviour.WRONG_CREDENTIALS: frozenset(),
    }
)
#: Behaviours no tenant can have, and why.
NOT_A_TENANT_BEHAVIOUR: Mapping[ProxyBehaviour, str] = MappingProxyType(
    {
        ProxyBehaviour.UNREACHABLE: "an unreachable proxy is a host nothing answers on",
        ProxyBehaviour.BAD_TLS: "the certificate belongs to the whole endpoint, not a prefix",
        ProxyBehaviour.WRONG_URI_PATH: "a wrong path is one no tenant serves",
    }
)
#: How late a TIMEOUT tenant answers by default: four of KMS's 250 ms budgets, as the
#: emulator's slow site.
DEFAULT_TIMEOUT_DELAY_MS = 1000
MAX_DELAY_MS = 60_000

TENANT_KEYS = (
    "uri_prefix",
    "access_key_id_env",
    "secret_access_key_env",
    "behaviour",
    "faults",
    "variants",
    "slow_delay_ms",
)
_REQUIRED_KEYS = ("uri_prefix", "access_key_id_env", "secret_access_key_env")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ACCESS_KEY_ID = re.compile(r"[A-Z2-7]{20,30}")
_SECRET = re.compile(r"[A-Za-z0-9/+=]{43,64}")


class RigConfigError(ValueError):
    """A refused tenants file; ``str()`` is one line: file, field, rule."""

    def __init__(self, source: str, where: str, rule: str) -> None:
        self.source, self.where, self.rule = source, where, rule
        super().__init__(f"{source}: {where}: {rule}" if where else f"{source}: {rule}")


@dataclass(frozen=True)
class RigTenant:
    """One tenant of the rig; its repr shows the variable names, never the secret."""

    uri_prefix: str
    access_key_id_env: str
    secret_access_key_env: str
    credential: Credential
    behaviour: ProxyBehaviour = ProxyBehaviour.HEALTHY
    faults: frozenset[str] = frozenset()
    variants: frozenset[str] = frozenset()
    slow_delay_seconds: float = DEFAULT_TIMEOUT_DELAY_MS / 1000

    @property
    def uri_path(self) -> str:
        """The ``XksProxyUriPath`` KMS is given for this tenant."""
        return self.uri_prefix + XKS_API_ROOT

    @property
    def effective_faults(self) -> frozenset[str]:
        """The file's faults plus those the behaviour stands for."""
        return self.faults | BEHAVIOUR_FAULTS[self.behaviour]


def load_tenants_file(path: Path, environ: Mapping[str, str]) -> tuple[RigTenant, ...]:
    """Read and check the tenants file at ``path``; credentials come from ``environ``."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RigConfigError(source, "", "no such file") from None
    except IsADirectoryError:
        raise RigConfigError(source, "", "is a directory, not a TOML file") from None
    except UnicodeDecodeError:
        raise RigConfigError(source, "", "not UTF-8 text") from None
    except OSError as error:
        raise RigConfigError(source, "", f"cannot be read ({error.strerror})") from None
    return parse_tenants(text, source, environ)


def parse_tenants(text: str, source: str, environ: Mapping[str, str]) -> tuple[RigTenant, ...]:
    """Check the TOML ``text`` (named ``source`` in errors) and return its tenants."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RigConfigError(source, "", f"not valid TOML: {error}") from None
    unknown = sorted(set(document) - {"tenant"})
    if unknown:
        raise RigConfigError(source, unknown[0], "unknown key (the file holds [[tenant]] tables)")
    tables = document.get("tenant")
    if not isinstance(tables, list) or not tables:
        raise RigConfigError(source, "tenant", "at least one [[tenant]] table is needed")
    tenants: list[RigTenant] = []
    for number, table in enumerate(tables, start=1):
        label = f"tenant[{number}]"
        if not isinstance(table, dict):
            raise RigConfigError(source, label, "must be a table ([[tenant]])")
        tenant = _tenant(table, _Where(source, label), environ)
        clash = next((i for i, t in enumerate(tenants, 1) if t.uri_prefix == tenant.uri_prefix), 0)
        if clash:
            raise RigConfigError(
                source,
                f"{label}.uri_prefix",
                f"{tenant.uri_prefix!r} is already tenant[{clash}]'s (one tenant per prefix)",
            )
        tenants.append(tenant)
    return tuple(tenants)


@dataclass(frozen=True)
class _Where:
    source: str
    label: str

    def error(self, key: str, rule: str) -> RigConfigError:
        return RigConfigError(self.source, f"{self.label}.{key}" if key else self.label, rule)


def _tenant(table: dict[str, Any], where: _Where, environ: Mapping[str, str]) -> RigTenant:
    unknown = sorted(set(table) - set(TENANT_KEYS))
    if unknown:
        raise where.error(unknown[0], f"unknown key (known: {', '.join(TENANT_KEYS)})")
    for key in _REQUIRED_KEYS:
        if key not in table:
            raise where.error(key, "missing (every tenant needs it)")
    prefix = _uri_prefix(table["uri_prefix"], where)
    credential = Credential(
        _credential_part(table, "access_key_id_env", _ACCESS_KEY_ID, where, environ),
        _credential_part(table, "secret_access_key_env", _SECRET, where, environ),
    )
    behaviour = _behaviour(table.get("behaviour", ProxyBehaviour.HEALTHY.value), where)
    faults = _faults(_names(table, "faults", where), behaviour, where)
    try:
        variants = validate_variant_names(_names(table, "variants", where))
    except ValueError as error:
        raise where.error("variants", str(error)) from None
    return RigTenant(
        uri_prefix=prefix,
        access_key_id_env=table["access_key_id_env"],
        secret_access_key_env=table["secret_access_key_env"],
        credential=credential,
        behaviour=behaviour,
        faults=faults,
        variants=variants,
        slow_delay_seconds=_slow_delay(table.get("slow_delay_ms"), behaviour, where),
    )


def _uri_prefix(value: object, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error("uri_prefix", 'must be a string such as "/tenant-a" ("" for none)')
    if value.endswith("/"):
        raise where.error("uri_prefix", f"{value!r} must not end with '/'")
    try:
        Tenant(value)
    except ValueError as error:
        raise where.error(
            "uri_prefix", f"{value!r}: " + str(error).removeprefix(f"uri_prefix {value!r}: ")
        ) from None
    return value


def _credential_part(
    table: Mapping[str, Any],
    key: str,
    pattern: re.Pattern[str],
    where: _Where,
    environ: Mapping[str, str],
) -> str:
    name = table[key]
    if not isinstance(name, str) or not _ENV_NAME.fullmatch(name):
        raise where.error(key, "must name an environment variable (letters, digits, _)")
    value = environ.get(name, "")
    if not value:
        raise where.error(key, f"environment variable {name} is not set")
    if not pattern.fullmatch(value):
        what = (
            "20-30 characters of A-Z and 2-7"
            if pattern is _ACCESS_KEY_ID
            else "43-64 characters of A-Za-z0-9/+="
        )
        raise where.error(key, f"the value of {name} is not what KMS accepts ({what})")
    return value


def _behaviour(value: object, where: _Where) -> ProxyBehaviour:
    names = ", ".join(b.value for b in BEHAVIOUR_FAULTS)
    try:
        behaviour = ProxyBehaviour(value)
    except ValueError:
        raise where.error("behaviour", f"{value!r} is not one of {names}") from None
    if behaviour in NOT_A_TENANT_BEHAVIOUR:
        raise where.error(
            "behaviour", f"{value} cannot be a tenant's ({NOT_A_TENANT_BEHAVIOUR[behaviour]})"
        )
    return behaviour


def _names(table: Mapping[str, Any], key: str, where: _Where) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(key, "must be a list of names")
    return value


def _faults(names: list[str], behaviour: ProxyBehaviour, where: _Where) -> frozenset[str]:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise where.error(
            "faults", f"unknown fault {unknown[0]!r} (see kscheck proxy --list-faults)"
        )
    for name in names:
        if FAULTS[name].category == "tls":
            raise where.error(
                "faults", f"{name!r} is a TLS fault: it belongs to the endpoint, not a prefix"
            )
        if name == "cross_tenant_credentials":
            raise where.error("faults", f"{name!r}: the rig keeps every tenant's credential apart")
        implied = next((b for b, f in BEHAVIOUR_FAULTS.items() if name in f), None)
        if implied is not None and implied is not behaviour:
            raise where.error(
                "faults",
                f"{name!r} is what behaviour {implied.value} means; set "
                f'behaviour = "{implied.value}" (the world file records the behaviour)',
            )
    return frozenset(names)


def _slow_delay(value: object, behaviour: ProxyBehaviour, where: _Where) -> float:
    """How late a TIMEOUT tenant answers (the only behaviour with the ``slow`` fault)."""
    if value is None:
        return DEFAULT_TIMEOUT_DELAY_MS / 1000
    if behaviour is not ProxyBehaviour.TIMEOUT:
        raise where.error("slow_delay_ms", 'only with behaviour = "TIMEOUT"')
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_DELAY_MS
    ):
        raise where.error(
            "slow_delay_ms", f"must be a number of milliseconds above 0, at most {MAX_DELAY_MS}"
        )
    return float(value) / 1000
