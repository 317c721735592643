"""`kscheck proxy`: run the fake TLS XKS proxy on loopback until Ctrl-C.

It prints its URL, CA bundle, credentials and key ids once as one JSON line and once as
shell lines using the official test client's variable names, so
``eval "$(kscheck proxy ... | grep ^export)"`` style set-ups work. The secrets printed are
the proxy's own throw-away test credentials; they are never logged.

With ``--tenants FILE`` it is the deployable rig (docs/proxy.md): several URI prefixes, each
with its own credential (read from environment variables the file names) and behaviour,
optionally a real certificate chain (``--tls-cert``/``--tls-key``), and ``--world-out`` writes
the world file a run uses to reach it. The rig never prints a secret.

Examples:
  kscheck proxy --port 8443 --fault slow --fault iv_reused
  kscheck proxy --bind 0.0.0.0 --port 8443 --tls-cert chain.pem --tls-key key.pem \\
      --tenants rig.toml --world-out world.toml --public-host xks.example.com
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from conformance.commands import checks_of_flags as flags
from conformance.session import UsageError
from conformance.xks.config import DEFAULT_URI_PREFIX, FakeProxyConfig, Tenant
from conformance.xks.faults import FAULTS, UnknownFaultError, validate_fault_names
from conformance.xks.rig import RigSettings, RunningRig, start_rig
from conformance.xks.rig_config import RigConfigError, load_tenants_file
from conformance.xks.rig_world import write_world_file
from conformance.xks.served_certificate import CertificateFileError, check_certificate_pair
from conformance.xks.server import RunningProxy, key_roles, start_fake_proxy
from conformance.xks.variants import VARIANTS, validate_variant_names

_PUBLIC_HOST = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(?P<port>\d{1,5}))?"
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument("--port", type=int, default=0, help="HTTPS port (default: any free)")
    parser.add_argument(
        "--ping-port", type=int, default=0, help="plain-HTTP GET /ping port (default: any free)"
    )
    parser.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="IPv4 address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
    )
    parser.add_argument(
        "--prefix",
        default=None,
        help=f"URI path prefix of the tenant (default: {DEFAULT_URI_PREFIX}; '' for none)",
    )
    parser.add_argument("--region", default="us-east-1", help="SigV4 region (default us-east-1)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault (repeatable); see --list-faults",
    )
    parser.add_argument(
        "--cert-dir", type=Path, help="write the PEM files here (default: a temporary directory)"
    )
    parser.add_argument("--mtls", action="store_true", help="require a client certificate")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a permitted variant (repeatable); see --list-variants",
    )
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
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument(
        "--list-variants", action="store_true", help="list the permitted variants and exit"
    )


def describe(proxy: RunningProxy) -> dict[str, Any]:
    """Everything a client needs to reach ``proxy`` (includes the test secrets)."""
    return {
        "url": proxy.base_url,
        "xks_proxy_host": proxy.host,
        "uri_prefix": proxy.uri_prefix,
        "region": proxy.region,
        "ca_bundle": str(proxy.ca_bundle_path),
        "client_cert": str(proxy.client_cert_path) if proxy.client_cert_path else None,
        "client_key": str(proxy.client_key_path) if proxy.client_key_path else None,
        "ping_url": proxy.ping_url,
        "credentials": [
            {"access_key_id": akid, "secret_access_key": secret}
            for akid, secret in proxy.credentials
        ],
        "key_ids": proxy.key_ids,
        "faults": sorted(proxy.faults),
        "variants": sorted(proxy.variants),
    }


def shell_lines(proxy: RunningProxy) -> list[str]:
    """``export`` lines with the official test client's variable names [TC]."""
    akid, secret = proxy.credentials[0]
    values = {
        "XKS_PROXY_HOST": proxy.host,
        "URI_PREFIX": proxy.uri_prefix.lstrip("/"),
        "SCHEME": "https://",
        "REGION": proxy.region,
        "SIGV4_ACCESS_KEY_ID": akid,
        "SIGV4_SECRET_ACCESS_KEY": secret,
        "KEY_ID": proxy.normal_key_id or "",
        "ENCRYPT_ONLY_KEY_ID": proxy.encrypt_only_key_id or "",
        "DECRYPT_ONLY_KEY_ID": proxy.decrypt_only_key_id or "",
        "IMPOTENT_KEY_ID": proxy.impotent_key_id or "",
        "CURL_CA_BUNDLE": str(proxy.ca_bundle_path),
    }
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def _say(text: str) -> None:
    """Print and flush; a reader that went away (``| head``) must not crash the proxy."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _list_faults() -> int:
    width = max(len(name) for name in FAULTS)
    _say(
        "\n".join(
            f"{fault.name:<{width}}  [{fault.category}] {fault.summary}"
            + (" (informational)" if fault.informational else "")
            for fault in FAULTS.values()
        )
    )
    return 0


def list_variants(out: TextIO | None = None) -> int:
    """Print the permitted-variant catalogue (name, behaviour, spec reference, grading)."""
    width = max(len(name) for name in VARIANTS)
    text = "\n".join(
        f"{v.name:<{width}}  {v.summary}\n{'':<{width}}  allowed by: {v.spec_reference}\n"
        f"{'':<{width}}  graded: {v.grading}"
        for v in VARIANTS.values()
    )
    if out is None:
        _say(text)
    else:
        out.write(text + "\n")
    return 0


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def validate(args: argparse.Namespace) -> None:
    """Check every flag before anything starts (UsageError names the flag and the rule)."""
    _check_flags(args)
    rig_settings(args, os.environ)


def _check_flags(args: argparse.Namespace) -> None:
    flags.port("--port", args.port)
    flags.port("--ping-port", args.ping_port)
    flags.region("--region", args.region)
    try:
        ipaddress.IPv4Address(args.bind)
    except ValueError:
        raise UsageError(
            f"--bind {args.bind!r}: must be an IPv4 address such as 127.0.0.1 or 0.0.0.0"
        ) from None
    try:
        validate_fault_names(args.fault)
    except UnknownFaultError as error:
        raise UsageError(f"--fault: {error}") from None
    try:
        validate_variant_names(args.variant)
    except ValueError as error:  # unknown names, or a set that contradicts itself
        raise UsageError(f"--variant: {error}") from None


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
    if (args.world_out is None) != (args.public_host is None):
        present, missing = ("--world-out", "--public-host")[
            :: 1 if args.public_host is None else -1
        ]
        raise UsageError(f"{missing}: required with {present}")
    if args.public_host is not None:
        _public_host_name(args.public_host)
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


def _public_host_name(value: str) -> str:
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
            host = _public_host_name(args.public_host)
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


def _serve_forever() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        _say("# stopped")


def _run_rig(args: argparse.Namespace, settings: RigSettings) -> int:
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
        _say(
            f"# kscheck XKS rig at {rig.base_url} ({summary})\n"
            f"{json.dumps(describe_rig(rig, args.world_out), sort_keys=True)}\n"
            "# press Ctrl-C to stop"
        )
        _serve_forever()
    return 0


def execute(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit code."""
    if args.list_faults:
        return _list_faults()
    if args.list_variants:
        return list_variants()
    try:
        _check_flags(args)
        settings = rig_settings(args, os.environ)
    except UsageError as error:
        print(f"kscheck proxy: {error}", file=sys.stderr)
        return 2
    if settings is not None:
        return _run_rig(args, settings)
    try:
        faults = validate_fault_names(args.fault)
        try:
            variants = validate_variant_names(args.variant)
        except ValueError as error:
            raise ValueError(f"--variant: {error}") from None
        prefix = (DEFAULT_URI_PREFIX if args.prefix is None else args.prefix).strip("/")
        prefix = f"/{prefix}" if prefix else ""
        config = FakeProxyConfig(
            region=args.region,
            tenants=(Tenant(prefix),),
            faults=faults,
            variants=variants,
            mtls=args.mtls,
            host=args.bind,
            port=args.port,
            ping_port=args.ping_port,
        )
    except (UnknownFaultError, ValueError) as error:
        print(f"kscheck proxy: {error}", file=sys.stderr)
        return 2
    try:
        proxy = start_fake_proxy(config, cert_dir=args.cert_dir)
    except OSError as error:
        print(f"kscheck proxy: cannot listen on port {args.port}: {error}", file=sys.stderr)
        return 2
    with proxy:
        faults_text = ", ".join(sorted(faults)) or "none"
        variants_text = f"; variants: {', '.join(sorted(variants))}" if variants else ""
        _say(
            f"# kscheck fake XKS proxy at {proxy.base_url} (faults: {faults_text}"
            f"{variants_text})\n"
            f"{json.dumps(describe(proxy), sort_keys=True)}\n"
            "# environment for the official test client (test-xks-proxy):\n"
            + "\n".join(shell_lines(proxy))
            + "\n# press Ctrl-C to stop"
        )
        _serve_forever()
    return 0
