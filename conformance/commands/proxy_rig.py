"""`kscheck proxy --tenants`: the deployable rig's flags, settings and foreground run.

The flags go together (``--tenants`` for all, cert with key, world file with public host);
every refusal is a :class:`~conformance.session.UsageError` naming the flag, the file and the
field, raised before anything listens. What the rig prints names credential variables,
never their values.

>>> public_host_name("xks.example.com:8443")
'xks.example.com'
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.commands.foreground import say, serve_until_stopped
from conformance.session import UsageError
from conformance.xks.rig import RigSettings, RunningRig, start_rig
from conformance.xks.rig_config import RigConfigError, load_tenants_file
from conformance.xks.rig_world import write_world_file
from conformance.xks.served_certificate import CertificateFileError, check_certificate_pair
from conformance.xks.server import key_roles

_PUBLIC_HOST = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(?P<port>\d{1,5}))?"
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the rig's options to `parser` (the ``kscheck proxy`` parser)."""
    rig = parser.add_argument_group("deployable rig (docs/proxy.md)")
    rig.add_argument(
        "--tenants",
        type=Path,
        metavar="FILE",
        help="TOML file of tenants: URI prefix, credential variables, behaviour, faults",
    )
    rig.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="PEM certificate chain to serve (with --tls-key)",
    )
    rig.add_argument("--tls-key", type=Path, metavar="FILE", help="PEM private key of --tls-cert")
    rig.add_argument(
        "--world-out", type=Path, metavar="FILE", help="write the world file of the rig here"
    )
    rig.add_argument(
        "--public-host",
        metavar="NAME",
        help="host name KMS reaches the rig at, for --world-out (e.g. xks.example.com)",
    )


def _check_rig_flags(args: argparse.Namespace) -> None:
    """The rig's flags go together: --tenants for all of them, cert with key, world with host."""
    if args.tenants is None:
        given = [
            flag
            for flag, value in (
                ("--tls-cert", args.tls_cert),
                ("--tls-key", args.tls_key),
                ("--world-out", args.world_out),
                ("--public-host", args.public_host),
            )
            if value is not None
        ]
        if given:
            raise UsageError(f"{given[0]}: only with --tenants FILE (the deployable rig)")
        return
    single = [("--prefix", args.prefix), ("--fault", args.fault), ("--variant", args.variant)]
    for flag, value in (*single, ("--mtls", args.mtls)):
        if value:
            raise UsageError(f"{flag}: not with --tenants (each tenant's is set in the file)")
    _both_or_neither(("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key))
    if args.tls_cert is not None and args.cert_dir is not None:
        raise UsageError("--cert-dir: not with --tls-cert (no certificate is made)")
    _both_or_neither(("--world-out", args.world_out), ("--public-host", args.public_host))
    if args.public_host is not None:
        public_host_name(args.public_host)
    if args.world_out is not None:
        parent = args.world_out.parent
        if args.world_out.is_dir() or not parent.is_dir():
            raise UsageError(
                f"--world-out {args.world_out}: must be a file in an existing directory"
            )


def _both_or_neither(first: tuple[str, object], second: tuple[str, object]) -> None:
    if first[1] is not None and second[1] is None:
        raise UsageError(f"{second[0]}: required with {first[0]} (both or neither)")
    if second[1] is not None and first[1] is None:
        raise UsageError(f"{first[0]}: required with {second[0]} (both or neither)")


def public_host_name(value: str) -> str:
    """The host name of ``--public-host NAME[:PORT]`` (KMS itself always uses port 443)."""
    match = _PUBLIC_HOST.fullmatch(value)
    port = match and match["port"]
    if match is None or (port is not None and not 1 <= int(port) <= 65535):
        raise UsageError(
            f"--public-host {value!r}: must be a DNS name such as xks.example.com "
            "(optionally :PORT; KMS always uses 443)"
        )
    return match["name"]


def rig_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> RigSettings | None:
    """The rig's settings from the flags, the tenants file and ``environ`` (None without
    --tenants); every refusal is a UsageError naming the flag, the file and the field."""
    _check_rig_flags(args)
    if args.tenants is None:
        return None
    try:
        tenants = load_tenants_file(args.tenants, environ)
    except RigConfigError as error:
        raise UsageError(f"--tenants {error}") from None
    if args.tls_cert is not None:
        try:
            served = check_certificate_pair(args.tls_cert, args.tls_key)
        except CertificateFileError as error:
            raise UsageError(str(error)) from None
        if args.public_host is not None:
            host = public_host_name(args.public_host)
            if not served.covers(host):
                raise UsageError(
                    f"--public-host {host}: not named by the certificate in --tls-cert "
                    f"{args.tls_cert} (it names {', '.join(served.names) or 'nothing'})"
                )
    return RigSettings(
        tenants=tenants,
        region=args.region,
        bind=args.bind,
        port=args.port,
        ping_port=args.ping_port,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        cert_dir=args.cert_dir,
    )


def describe_rig(rig: RunningRig, world_out: Path | None) -> dict[str, Any]:
    """What a client needs to reach ``rig``: URLs, tenants and the NAMES of their
    credential variables (never a secret)."""
    first = rig.configs[rig.tenants[0].uri_prefix]
    return {
        "url": rig.base_url,
        "health_url": rig.health_url,
        "ping_url": rig.ping_url,
        "ca_bundle": str(rig.ca_bundle_path) if rig.ca_bundle_path else None,
        "region": rig.settings.region,
        "key_ids": key_roles(first),
        "world_file": str(world_out) if world_out else None,
        "tenants": [
            {
                "uri_prefix": tenant.uri_prefix,
                "uri_path": tenant.uri_path,
                "behaviour": tenant.behaviour.value,
                "faults": sorted(tenant.faults),
                "variants": sorted(tenant.variants),
                "access_key_id_env": tenant.access_key_id_env,
                "secret_access_key_env": tenant.secret_access_key_env,
            }
            for tenant in rig.tenants
        ],
    }


def run_rig(args: argparse.Namespace, settings: RigSettings) -> int:
    """Start the rig, write its world file, print how to reach it, serve until stopped."""
    try:
        rig = start_rig(settings)
    except OSError as error:
        print(f"kscheck proxy: --bind/--port: cannot listen: {error}", file=sys.stderr)
        return 2
    with rig:
        if args.world_out is not None:
            try:
                write_world_file(args.world_out, rig.world_text(args.public_host))
            except OSError as error:
                print(f"kscheck proxy: --world-out {args.world_out}: {error}", file=sys.stderr)
                return 2
        summary = ", ".join(f"{t.uri_prefix or '/'} {t.behaviour.value}" for t in rig.tenants)
        say(
            f"# kscheck XKS rig at {rig.base_url} ({summary})\n"
            f"{json.dumps(describe_rig(rig, args.world_out), sort_keys=True)}\n"
            "# press Ctrl-C to stop"
        )
        serve_until_stopped()
    return 0
