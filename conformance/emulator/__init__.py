"""The embedded reference emulator: a KMS JSON 1.1 server on loopback built on the model,
with real XKS connectivity to the scenario's fake TLS proxies.

>>> from conformance.emulator import start_emulator
>>> with start_emulator() as emulator:
...     emulator.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance.emulator.aws_like import FOREIGN_STORE, INSTANT, EmulatorTiming, RequestLog
from conformance.emulator.http_server import LoopbackServer
from conformance.emulator.scenario import RunningScenario, Scenario, start_scenario
from conformance.emulator.service import EmulatorService
from conformance.emulator.wire import KmsJsonApplication


@dataclass
class RunningEmulator:
    """A started emulator: its endpoint URL, its service, and the scenario behind it."""

    url: str
    service: EmulatorService
    scenario: RunningScenario


@contextmanager
def start_emulator(
    scenario: Scenario | None = None,
    *,
    faults: Iterable[str] = (),
    port: int = 0,
    timing: EmulatorTiming = INSTANT,
    foreign_store: bool = False,
    request_log: Path | None = None,
) -> Iterator[RunningEmulator]:
    """Start the scenario's proxies and the emulator on 127.0.0.1; stop all on exit.

    `timing` makes it AWS-like (:mod:`conformance.emulator.aws_like`); `foreign_store` puts
    a store someone else made before the run in the account; `request_log` appends every
    request served to that JSON-lines file.
    """
    log = RequestLog(request_log)
    try:
        with start_scenario(scenario) as running:
            service = EmulatorService(
                running.world,
                running.network,
                faults=faults,
                timing=timing,
                foreign_stores=(FOREIGN_STORE,) if foreign_store else (),
                log=log,
            )
            with LoopbackServer(
                KmsJsonApplication(service.handle, reset=service.reset), port=port
            ) as server:
                yield RunningEmulator(server.url, service, running)
    finally:
        log.close()


__all__ = ["RunningEmulator", "Scenario", "start_emulator"]
