"""`kscheck emulator`: serve the reference emulator on loopback until Ctrl-C.

The emulator speaks KMS's JSON 1.1 protocol for the custom key store operations, CreateKey
and ScheduleKeyDeletion, answers as the reference model does, and reaches the scenario's
fake TLS XKS proxies for real. Point any AWS SDK at the printed endpoint, e.g.::

    kscheck emulator --port 4599 &
    aws kms describe-custom-key-stores --endpoint-url http://127.0.0.1:4599

The scenario (which host names answer as healthy, slow, badly-certified... proxies, which
VPC endpoint services and CloudHSM clusters exist) is printed as JSON, proxy secrets
included: they are the emulator's own throw-away test credentials.

``--world-out FILE`` also writes the scenario as a world file (docs/world.md) whose secrets
are environment variable names, and prints the ``export`` lines that set them
(``--world-env-out FILE`` writes those lines to a mode-0600 file instead), so that
``kscheck run --target <url> --world FILE`` checks this emulator with its backends.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType
from typing import Any

from conformance.commands import checks_of_flags as flags
from conformance.commands import emulator_aws_like as aws_like
from conformance.commands import world_out
from conformance.emulator import RunningEmulator, start_emulator
from conformance.emulator.faults import (
    EMULATOR_FAULTS,
    UnknownEmulatorFaultError,
    validate_emulator_faults,
)
from conformance.session import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.add_argument("--port", type=int, default=0, help="HTTP port (default: any free)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on an emulator defect (repeatable); see --list-faults",
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    world_out.configure(parser)
    aws_like.configure(parser)


def describe(emulator: RunningEmulator) -> dict[str, Any]:
    """The endpoint and the scenario a client can use (includes the test secrets)."""
    running = emulator.scenario
    sites = []
    for site in running.scenario.sites:
        paths = running.site_paths(site.hostname)
        sites.append(
            {
                "endpoint": site.endpoint,
                "behaviour": site.behaviour.value,
                "paths": {
                    path: [
                        {
                            "AccessKeyId": c.access_key_id,
                            "RawSecretAccessKey": c.raw_secret_access_key,
                        }
                        for c in running.site_credentials(site.hostname, path)
                    ]
                    for path in paths
                },
            }
        )
    world = running.world
    return {
        "endpoint_url": emulator.url,
        "region": world.region,
        "account_id": world.account_id,
        "xks_proxies": sites,
        "vpc_endpoint_services": [
            {"name": s.service_name, "owner": s.owner, "private_dns_name": s.private_dns_name}
            for s in world.vpc_endpoint_services
        ],
        "cloudhsm_clusters": [
            {"id": c.cluster_id, "active": c.active, "trust_anchor": c.trust_anchor}
            for c in world.clusters
        ],
    }


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def validate(args: argparse.Namespace) -> None:
    """Check every flag before anything starts (UsageError names the flag and the rule)."""
    flags.port("--port", args.port)
    world_out.validate(args)
    aws_like.validate(args)
    try:
        validate_emulator_faults(args.fault)
    except UnknownEmulatorFaultError as error:
        raise UsageError(f"--fault: {error}") from None


def execute(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the exit code."""
    if args.list_faults:
        for fault in EMULATOR_FAULTS.values():
            print(f"{fault.name:<28} {fault.summary}")
        return 0
    try:
        validate(args)
    except UsageError as error:
        print(f"kscheck emulator: {error}", file=sys.stderr)
        return 2
    try:
        context = start_emulator(faults=args.fault, port=args.port, **aws_like.start_options(args))
        emulator = context.__enter__()
    except UnknownEmulatorFaultError as error:
        print(f"kscheck emulator: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"kscheck emulator: cannot listen on port {args.port}: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        print(f"# kscheck emulator at {emulator.url}", flush=True)
        print(json.dumps(describe(emulator), sort_keys=True), flush=True)
        world_out.write(args, emulator, sys.stdout)
        print("# press Ctrl-C to stop", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("# stopped", flush=True)
    finally:
        context.__exit__(None, None, None)
    return 0
