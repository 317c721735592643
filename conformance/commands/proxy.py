"""`kscheck proxy`: run the fake TLS XKS proxy on loopback until Ctrl-C.

It prints its URL, CA bundle, credentials and key ids once as one JSON line and once as
shell lines using the official test client's variable names, so
``eval "$(kscheck proxy ... | grep ^export)"`` style set-ups work. The secrets printed are
the proxy's own throw-away test credentials; they are never logged.

Example:
  kscheck proxy --port 8443 --fault slow --fault iv_reused
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from conformance.commands import checks_of_flags as flags
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
        "--prefix",
        default=DEFAULT_URI_PREFIX,
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
    flags.port("--port", args.port)
    flags.port("--ping-port", args.ping_port)
    flags.region("--region", args.region)
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
        validate(args)
    except UsageError as error:
        print(f"kscheck proxy: {error}", file=sys.stderr)
        return 2
    try:
        faults = validate_fault_names(args.fault)
        try:
            variants = validate_variant_names(args.variant)
        except ValueError as error:
            raise ValueError(f"--variant: {error}") from None
        prefix = args.prefix.strip("/")
        prefix = f"/{prefix}" if prefix else ""
        config = FakeProxyConfig(
            region=args.region,
            tenants=(Tenant(prefix),),
            faults=faults,
            variants=variants,
            mtls=args.mtls,
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
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
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
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            _say("# stopped")
    return 0
