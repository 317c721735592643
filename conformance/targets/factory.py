"""Build a target from its name on the command line, with the world the checker assumes.

``emulator`` (default) starts the embedded emulator and the scenario's fake proxies;
``moto`` and ``moto-server`` run moto; ``localstack[=URL]`` is a running LocalStack
(:mod:`conformance.targets.localstack`); an ``http(s)://`` URL is any KMS-compatible endpoint;
``aws`` is real KMS behind the fence of :mod:`conformance.targets.aws`.

Every target but the emulator (which has its scenario) reaches the backends it is given
(:class:`~conformance.targets.backends.Backends`, e.g. from a world file); without them the
checks that need a proxy, a VPC service or a cluster skip.

>>> from conformance.targets.factory import TARGET_CHOICES
>>> TARGET_CHOICES
('emulator', 'moto', 'moto-server', 'localstack[=URL]', 'aws', '<http(s) URL>')
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from conformance import __version__
from conformance.emulator import RunningEmulator, start_emulator
from conformance.emulator.scenario import RunningScenario
from conformance.model import STORE_QUOTA, World
from conformance.targets.aws import AwsTarget
from conformance.targets.aws.clients import AwsClients
from conformance.targets.backends import Backends
from conformance.targets.boto import BotoTarget, kms_client
from conformance.targets.localstack import ACCOUNT_ID as LOCALSTACK_ACCOUNT_ID
from conformance.targets.localstack import LocalStackTarget
from conformance.targets.moto_targets import InProcessMotoTarget, MotoServerTarget
from conformance.targets.observation import Observation
from conformance.targets.timing import Timing

TARGET_CHOICES = ("emulator", "moto", "moto-server", "localstack[=URL]", "aws", "<http(s) URL>")


class UnknownTargetError(ValueError):
    """A target name that is none of :data:`TARGET_CHOICES`."""


RESET_TIMEOUT_SECONDS = 10.0


class ResettableUrlTarget(BotoTarget):
    """A KMS endpoint whose account a ``POST`` to `reset_url` empties (a separately started
    ``kscheck emulator``): reset() forgets every store, not only the ones this client made."""

    def __init__(self, name: str, region: str, reset_url: str) -> None:
        super().__init__(
            name,
            kms_client(name, region=region),
            kms_client(name, region=region, parameter_validation=False),
            endpoint_url=name,
        )
        self.reset_url = reset_url

    def reset(self) -> None:
        """POST the reset path; a refusal is an error (the checks would judge a stale account)."""
        import requests

        answer = requests.post(self.reset_url, timeout=RESET_TIMEOUT_SECONDS)
        if answer.status_code != 200:
            raise RuntimeError(f"POST {self.reset_url}: HTTP {answer.status_code}")
        self._created.clear()


class EmulatorTarget(BotoTarget):
    """The embedded emulator reached over HTTP through boto3; it can be reset to empty."""

    def __init__(self, emulator: RunningEmulator, region: str) -> None:
        super().__init__(
            "emulator",
            kms_client(emulator.url, region=region),
            kms_client(emulator.url, region=region, parameter_validation=False),
            endpoint_url=emulator.url,
        )
        self.emulator = emulator
        self.version = f"kscheck {__version__}"

    def reset(self) -> None:
        """Empty the emulator's account (every store and key forgotten)."""
        self.emulator.service.reset()
        self._created.clear()


@dataclass
class PreparedTarget:
    """A target plus what the checker knows of its world.

    `backends` is what the target can reach (the emulator's scenario, or a world file), so
    checks that need a healthy proxy, a VPC service or a cluster can run; without it they
    skip. `scenario` is set for the embedded emulator only (its live fake proxies).
    """

    target: Any
    world: World
    backends: Backends | None = None
    scenario: RunningScenario | None = None
    store_quota: int = STORE_QUOTA
    #: Describe entries of the stores the account held after the last reset (None: not read
    #: yet); the checks' models start from them (pre-existing stores are read-only facts).
    known_stores: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        if self.scenario is not None:
            backends = "scenario"
        else:
            backends = "world file" if self.backends is not None else "no backends"
        return f"PreparedTarget({self.target.name!r}, {backends})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Shorthand for ``target.call``."""
        result: Observation = self.target.call(operation, request)
        return result


@contextmanager
def prepare_target(
    name: str,
    *,
    region: str = "us-east-1",
    emulator_faults: Iterable[str] = (),
    backends: Backends | None = None,
    timing: Timing | None = None,
) -> Iterator[PreparedTarget]:
    """Start or reach the named target; release it on exit.

    `backends` (not for the emulator, which has its own) are what the target can reach;
    `timing` applies to ``aws`` (default :meth:`Timing.aws`).
    """
    if name == "emulator":
        if backends is not None:
            raise UnknownTargetError("the emulator target has its own backends: no world file")
        with start_emulator(faults=emulator_faults) as emulator:
            target = EmulatorTarget(emulator, region)
            running = emulator.scenario
            try:
                yield PreparedTarget(
                    target, running.world, Backends.from_running_scenario(running), running
                )
            finally:
                target.close()
        return
    if emulator_faults:
        raise UnknownTargetError("emulator faults apply only to the emulator target")
    chosen: Any
    if name == "aws":
        chosen = _aws_target(region, timing)
        try:
            yield _prepared(chosen, chosen.account, region, backends)
        finally:
            chosen.close()
        return
    if name == "localstack" or name.startswith("localstack="):
        chosen = LocalStackTarget.reach(name, region)
        try:
            yield _prepared(chosen, LOCALSTACK_ACCOUNT_ID, region, backends)
        finally:
            chosen.close()
        return
    if name == "moto":
        chosen = InProcessMotoTarget(region)
    elif name == "moto-server":
        chosen = MotoServerTarget(region)
    elif name.startswith(("http://", "https://")) and backends and backends.reset_path:
        chosen = ResettableUrlTarget(name, region, name.rstrip("/") + backends.reset_path)
    elif name.startswith(("http://", "https://")):
        chosen = BotoTarget(
            name,
            kms_client(name, region=region),
            kms_client(name, region=region, parameter_validation=False),
            endpoint_url=name,
        )
    else:
        raise UnknownTargetError(f"target {name!r}: choose one of {', '.join(TARGET_CHOICES)}")
    try:
        yield _prepared(chosen, getattr(chosen, "account", None), region, backends)
    finally:
        chosen.close()


def _prepared(
    target: Any, account: str | None, region: str, backends: Backends | None
) -> PreparedTarget:
    """The target in its backends' world; the account a target reports wins over the file's."""
    if backends is None:
        world = World(region=region) if account is None else World(account, region)
        return PreparedTarget(target, world)
    if account is not None and account != backends.world.account_id:
        world = dataclasses.replace(backends.world, account_id=account)
        backends = dataclasses.replace(backends, world=world)
    return PreparedTarget(target, backends.world, backends)


def _aws_target(region: str, timing: Timing | None) -> AwsTarget:
    """Real KMS (or whatever ``AWS_ENDPOINT_URL_KMS`` names) behind the fence; the World's
    account is the one STS reports."""
    clients = AwsClients.for_region(region)
    try:
        return AwsTarget(
            clients.kms,
            clients.sts,
            kms_unvalidated=clients.kms_unvalidated,
            run_id=uuid.uuid4().hex[:12],
            timing=timing,
        )
    except BaseException:
        clients.kms.close()
        clients.kms_unvalidated.close()
        raise
    finally:
        clients.sts.close()
