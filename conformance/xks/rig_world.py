"""The world file (TOML, format 1) a rig proxy writes for the runs that use it.

One ``[[xks_proxies]]`` entry per tenant: the public endpoint, the tenant's URI path and
behaviour, its credential as the NAMES of the environment variables that hold it (never the
values), and the external keys its EKM holds. The format is the one agreed for
``conformance.worldfile``, whose entry writer and string escaping it uses.

>>> entry = WorldProxyEntry(
...     "https://xks.example.com", "/a/kms/xks/v1", "HEALTHY", (("AKID_A", "SECRET_A"),),
...     (ExternalKey("foo"),),
... )
>>> print(world_file_text([entry], region="us-east-1"))  # doctest: +ELLIPSIS
format = 1
region = "us-east-1"
<BLANKLINE>
[[xks_proxies]]
uri_endpoint = "https://xks.example.com"
uri_path = "/a/kms/xks/v1"
behaviour = "HEALTHY"
[[xks_proxies.credentials]]
access_key_id_env = "AKID_A"
secret_access_key_env = "SECRET_A"
[[xks_proxies.external_keys]]
key_id = "foo"
key_spec = "AES_256"
state = "ENABLED"
usages = ["DECRYPT", "ENCRYPT"]
<BLANKLINE>
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.model import ExternalKey
from conformance.worldfile import proxy_entry_lines, toml_string

WORLD_FORMAT = 1


@dataclass(frozen=True)
class WorldProxyEntry:
    """One ``[[xks_proxies]]`` entry; ``credential_envs`` are (access key id variable,
    secret variable) pairs."""

    uri_endpoint: str
    uri_path: str
    behaviour: str
    credential_envs: tuple[tuple[str, str], ...]
    external_keys: tuple[ExternalKey, ...]


def world_file_text(entries: Sequence[WorldProxyEntry], *, region: str) -> str:
    """The world file for ``entries`` (see the module docstring)."""
    lines = [f"format = {WORLD_FORMAT}", f"region = {toml_string(region)}"]
    for entry in entries:
        place = {
            "uri_endpoint": entry.uri_endpoint,
            "uri_path": entry.uri_path,
            "behaviour": entry.behaviour,
        }
        lines += ["", *proxy_entry_lines(place, entry.credential_envs, entry.external_keys)]
    return "\n".join(lines) + "\n"


def write_world_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a file)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
