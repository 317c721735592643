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
import shlex
import sys
from pathlib import Path
from typing import Any, TextIO

from conformance.commands import checks_of_flags as flags
from conformance.commands import proxy_rig
from conformance.commands.foreground import say, serve_until_stopped
from conformance.session import UsageError
from conformance.xks.config import DEFAULT_URI_PREFIX, FakeProxyConfig, Tenant
from conformance.xks.faults import FAULTS, UnknownFaultError, validate_fault_names
from conformance.xks.server import RunningProxy, start_fake_proxy
from conformance.xks.variants import VARIANTS, validate_variant_names


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
    proxy_rig.configure(parser)
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


def _list_faults() -> int:
    width = max(len(name) for name in FAULTS)
    say(
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
        say(text)
    else:
        out.write(text + "\n")
    return 0


def validate(args: argparse.Namespace) -> None:
    """Check every flag before anything starts (UsageError names the flag and the rule)."""
    _check_flags(args)
    proxy_rig.rig_settings(args, os.environ)


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


def execute(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit code."""
    if args.list_faults:
        return _list_faults()
    if args.list_variants:
        return list_variants()
    try:
        _check_flags(args)
        settings = proxy_rig.rig_settings(args, os.environ)
    except UsageError as error:
        print(f"kscheck proxy: {error}", file=sys.stderr)
        return 2
    if settings is not None:
        return proxy_rig.run_rig(args, settings)
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
        say(
            f"# kscheck fake XKS proxy at {proxy.base_url} (faults: {faults_text}"
            f"{variants_text})\n"
            f"{json.dumps(describe(proxy), sort_keys=True)}\n"
            "# environment for the official test client (test-xks-proxy):\n"
            + "\n".join(shell_lines(proxy))
            + "\n# press Ctrl-C to stop"
        )
        serve_until_stopped()
    return 0
