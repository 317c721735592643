"""The rig self-tests' world: a trustme CA standing in for a public one, a server chain for
127.0.0.1/localhost, a tenants file, credentials in environment variables, and one
``kscheck proxy --tenants`` started as a real process for the module."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from hermetic import hermetic_environment

from conformance.xks.config import random_credential


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


@pytest.fixture(scope="session")
def rig_files(tmp_path_factory: pytest.TempPathFactory) -> RigFiles:
    folder = tmp_path_factory.mktemp("rig")
    ca = trustme.CA()
    ca_bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_bundle))
    chain, key = write_server_chain(ca, folder, "localhost", "127.0.0.1")
    tenants = folder / "tenants.toml"
    tenants.write_text("\n".join(spec.toml() for spec in TENANTS))
    credentials: dict[str, str] = {}
    for spec in TENANTS:
        credential = random_credential()
        credentials[spec.akid_env] = credential.access_key_id
        credentials[spec.secret_env] = credential.secret_access_key
    return RigFiles(folder, ca_bundle, chain, key, tenants, credentials)


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


@pytest.fixture(scope="module")
def rig(rig_files: RigFiles) -> Iterator[RigProcess]:
    """``kscheck proxy --bind 127.0.0.1 --tls-cert C --tls-key K --tenants T`` as a real
    process on free ports; its JSON line is parsed for the URLs."""
    world_file = rig_files.folder / "world.toml"
    process = subprocess.Popen(
        kscheck(
            "proxy",
            "--bind",
            "127.0.0.1",
            "--tls-cert",
            str(rig_files.chain),
            "--tls-key",
            str(rig_files.key),
            "--tenants",
            str(rig_files.tenants),
            "--world-out",
            str(world_file),
            "--public-host",
            "localhost",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=rig_files.environment(),
        cwd=rig_files.folder,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # blocks until the rig listens (or exits)
        described_line = process.stdout.readline()
        if not described_line.startswith("{"):
            process.kill()
            _, stderr = process.communicate(timeout=10)
            pytest.fail(f"the rig did not start: {banner}{described_line}{stderr}")
        yield RigProcess(process, banner, json.loads(described_line), world_file)
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM, as a container runtime stops it
            process.communicate(timeout=15)
