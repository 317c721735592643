"""The rig self-tests' world: a trustme CA standing in for a public one, a server chain for
127.0.0.1/localhost, a tenants file, credentials in environment variables, and one
``kscheck proxy --tenants`` started as a real process for the module."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
import trustme
from rig_support import TENANTS, RigFiles, RigProcess, kscheck, write_server_chain

from conformance.xks.config import random_credential


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
