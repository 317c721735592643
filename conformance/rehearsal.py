"""The nightly real-AWS run, rehearsed on loopback: ``kscheck run --target aws`` with the
fence on, pointed at ``kscheck emulator`` (``AWS_ENDPOINT_URL_KMS``) and at moto server's STS
(``AWS_ENDPOINT_URL_STS``, moto's account on the allow-list), then audited from the
emulator's own request log.

The audit checks what the fence promises, from the server's side: every store created
carries the run prefix (or is the fixture store), the foreign store is never the subject
of a mutating call, no operation exceeds 5 requests per second, and the account ends with
nothing of the run's but the fixture store.

>>> audit_requests([{"operation": "CreateCustomKeyStore", "status": 200, "t": 0.0,
...                  "CustomKeyStoreName": "orders"}], foreign_ids=())
['CreateCustomKeyStore made a store named without the run prefix: orders']
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.emulator.aws_like import FOREIGN_STORE, READ_OPERATIONS, read_request_log
from conformance.targets.aws.account import FIXTURE_STORE_NAME, is_run_store_name

MOTO_ACCOUNT = "123456789012"
"""The account moto's STS reports (put on the allow-list)."""
RATE_LIMIT = 5
"""Requests per second per operation (the custom key store operations' AWS quota)."""
RATE_TOLERANCE = 0.02
"""Server-side arrival times jitter by milliseconds around the client's 200 ms spacing."""
#: The rehearsal's timing flags: fast polls, a re-read window above the emulator's lag.
RUN_TIMING = ("--poll-seconds", "0.5", "--visibility-seconds", "5", "--settle-seconds", "30")


@dataclass
class Rig:
    """A started rehearsal rig: STS, the emulator, its world and request log, the env."""

    workdir: Path
    emulator: subprocess.Popen[str]
    environment: dict[str, str]
    world: Path
    request_log: Path


def _wait_for_line(process: subprocess.Popen[str], prefix: str, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and process.poll() is not None:
            break
    raise RuntimeError(f"kscheck emulator did not print {prefix!r} within {timeout:g} s")


def _exports(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"export ([A-Z0-9_]+)='(.*)'", line.strip())
        if match:
            found[match.group(1)] = match.group(2).replace("'\\''", "'")
    return found


@contextmanager
def rehearsal_rig(
    workdir: Path, *, aws_like: bool, emulator_args: Sequence[str] = ()
) -> Iterator[Rig]:
    """Start moto's STS and ``kscheck emulator`` (AWS-like or instant, with a foreign store
    and moto's account); stop both on exit."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log: noise here
    workdir.mkdir(parents=True, exist_ok=True)
    sts = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    sts.start()
    world, env_file, log = workdir / "world.toml", workdir / "world.env", workdir / "requests.jsonl"
    command = [sys.executable, "-m", "conformance.cli", "emulator", "--foreign-store"]
    command += ["--account-id", MOTO_ACCOUNT, "--request-log", str(log)]
    command += ["--world-out", str(world), "--world-env-out", str(env_file)]
    command += ["--aws-like"] if aws_like else []
    command += list(emulator_args)  # e.g. --route HOST=URL --route-ca FILE for a rig proxy
    emulator = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = _wait_for_line(emulator, "# kscheck emulator at ", 60).split(" at ", 1)[1].strip()
        _wait_for_line(emulator, "# press Ctrl-C", 60)
        host, port = sts.get_host_and_port()
        environment = {
            **os.environ,
            **_exports(env_file),
            "AWS_ENDPOINT_URL_KMS": url,
            "AWS_ENDPOINT_URL_STS": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "rehearsal",
            "AWS_SECRET_ACCESS_KEY": "rehearsal-not-a-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
            "KSCHECK_AWS_OPT_IN": "1",
            "KSCHECK_AWS_ACCOUNT_ALLOWLIST": MOTO_ACCOUNT,
        }
        yield Rig(workdir, emulator, environment, world, log)
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=30)
        except subprocess.TimeoutExpired:
            emulator.kill()
        sts.stop()


def run_command(
    rig: Rig, arguments: Sequence[str], worlds_before: Sequence[Path] = ()
) -> list[str]:
    """``kscheck run --target aws`` against the rig, with the rehearsal's timing; the
    emulator's world comes after `worlds_before` (e.g. a rig proxy's world file)."""
    worlds = [flag for path in (*worlds_before, rig.world) for flag in ("--world", str(path))]
    return [
        sys.executable, "-m", "conformance.cli", "run", "--target", "aws",
        *worlds, *RUN_TIMING, *arguments,
    ]  # fmt: skip


def kscheck(rig: Rig, arguments: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a kscheck command in the rig's environment."""
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *arguments],
        env=rig.environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def audit_requests(
    entries: Iterable[Mapping[str, Any]],
    foreign_ids: Iterable[str] = (FOREIGN_STORE["CustomKeyStoreId"],),
) -> list[str]:
    """What the emulator saw that the fence promised never to send (empty: nothing)."""
    problems = []
    foreign = set(foreign_ids)
    times: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        operation = str(entry["operation"])
        times[operation].append(float(entry["t"]))
        name = entry.get("CustomKeyStoreName")
        created = operation == "CreateCustomKeyStore" and entry.get("status") == 200
        if created and not (
            isinstance(name, str) and (is_run_store_name(name) or name == FIXTURE_STORE_NAME)
        ):
            problems.append(f"{operation} made a store named without the run prefix: {name}")
        if operation not in READ_OPERATIONS and entry.get("CustomKeyStoreId") in foreign:
            problems.append(
                f"{operation} was sent for the foreign store {entry['CustomKeyStoreId']}"
            )
    for operation, seen in sorted(times.items()):
        seen.sort()
        window = 1.0 - RATE_TOLERANCE
        for first, last in zip(seen, seen[RATE_LIMIT:], strict=False):
            if last - first < window:
                problems.append(
                    f"{operation}: {RATE_LIMIT + 1} requests within {last - first:.3f} s "
                    f"(over {RATE_LIMIT}/s)"
                )
                break
    return problems


def audit_log(path: Path) -> list[str]:
    """:func:`audit_requests` over a request-log file."""
    return audit_requests(read_request_log(path))


def stores_left(rig: Rig) -> list[str]:
    """Names of the stores in the emulator's account now (the foreign store included)."""
    import boto3

    kms = boto3.client(
        "kms",
        endpoint_url=rig.environment["AWS_ENDPOINT_URL_KMS"],
        region_name="us-east-1",
        aws_access_key_id="rehearsal",
        aws_secret_access_key="rehearsal-not-a-secret",
    )
    try:
        pages = kms.get_paginator("describe_custom_key_stores").paginate()
        return sorted(s["CustomKeyStoreName"] for p in pages for s in p["CustomKeyStores"])
    finally:
        kms.close()
