"""What the rig self-tests share: the tenants of the self-test rig, its files, and the
running process (the fixtures themselves are in this folder's conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from hermetic import hermetic_environment


@dataclass(frozen=True)
class RigTenantSpec:
    """A tenant of the self-test rig: its file entry and its credential's variables."""

    name: str
    prefix: str
    behaviour: str
    extra: str = ""

    @property
    def akid_env(self) -> str:
        return f"KSCHECK_RIG_{self.name.upper()}_AKID"

    @property
    def secret_env(self) -> str:
        return f"KSCHECK_RIG_{self.name.upper()}_SECRET"

    def toml(self) -> str:
        return (
            f'[[tenant]]\nuri_prefix = "{self.prefix}"\n'
            f'access_key_id_env = "{self.akid_env}"\nsecret_access_key_env = "{self.secret_env}"\n'
            f'behaviour = "{self.behaviour}"\n{self.extra}\n'
        )


TENANTS = (
    RigTenantSpec("healthy", "/healthy", "HEALTHY"),
    RigTenantSpec("garbled", "/garbled", "INVALID_RESPONSE"),
    RigTenantSpec("ekm_down", "/ekm-down", "ALL_EKMS_UNAVAILABLE"),
    RigTenantSpec("bad_errors", "/tenant/bad-errors", "HEALTHY", 'faults = ["bad_error_message"]'),
    RigTenantSpec("slow", "/slow", "TIMEOUT", "slow_delay_ms = 300"),
)


@dataclass(frozen=True)
class RigFiles:
    """Certificate files, the tenants file and the credential environment of the rig."""

    folder: Path
    ca_bundle: Path
    chain: Path
    key: Path
    tenants: Path
    credentials: dict[str, str]

    def environment(self) -> dict[str, str]:
        """A hermetic environment holding the tenants' credential variables."""
        return {**hermetic_environment(), **self.credentials}


def write_server_chain(ca: trustme.CA, folder: Path, *names: str) -> tuple[Path, Path]:
    """A leaf for ``names`` from ``ca``, written as chain and key PEM files."""
    leaf = ca.issue_cert(*names)
    chain, key = folder / f"{names[0]}-chain.pem", folder / f"{names[0]}-key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    return chain, key


def kscheck(*args: str) -> list[str]:
    """The command line of ``kscheck ARGS`` in this interpreter."""
    return [sys.executable, "-m", "conformance.cli", *args]


@dataclass
class RigProcess:
    """The running ``kscheck proxy --tenants`` process and what it printed."""

    process: subprocess.Popen[str]
    banner: str
    described: dict[str, Any]
    world_file: Path

    @property
    def host(self) -> str:
        return str(self.described["url"]).removeprefix("https://")
