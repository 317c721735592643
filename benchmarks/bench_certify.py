"""Benchmark of `kscheck certify` against the built-in fake proxy. Prints figures only.

- checks per second and requests per second of the certify checks (one pytest session
  against a clean fake proxy, requests counted on the proxy side);
- wall time of a default ``kscheck certify`` (a fresh process, as a vendor runs it).

Run: ``python benchmarks/bench_certify.py`` (or ``nox -s bench``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance.commands.certify import CHECKS_DIRECTORY, _hypothesis_profile
from conformance.pytest_plugin import OUTCOMES_KEY, XKS_TARGET_KEY
from conformance.targets.xks import TC_DEFAULTS, target_from_running_proxy
from conformance.xks.server import start_fake_proxy


class _Counting:
    """Counts requests by wrapping the fake proxy application's handler."""

    def __init__(self, app: Any) -> None:
        self.count = 0
        self._handle = app.handle
        app.handle = self

    def __call__(self, request: Any) -> Any:
        self.count += 1
        return self._handle(request)


class _Session:
    def __init__(self, target: Any) -> None:
        self.target = target
        self.checks = 0

    def pytest_configure(self, config: Any) -> None:
        config.stash[XKS_TARGET_KEY] = self.target

    def pytest_sessionfinish(self, session: Any) -> None:
        self.checks = len(session.config.stash[OUTCOMES_KEY])


def checks_and_requests_per_second() -> None:
    import pytest

    profile = _hypothesis_profile("certify", 0)
    with start_fake_proxy(mtls=True) as proxy:
        counter = _Counting(proxy.app)
        session = _Session(target_from_running_proxy(proxy))
        started = time.perf_counter()
        pytest.main(
            [str(CHECKS_DIRECTORY), "-c", os.devnull, "--rootdir", str(CHECKS_DIRECTORY),
             "-p", "no:cacheprovider", "-p", "no:terminal", f"--hypothesis-profile={profile}"],
            plugins=[session],
        )  # fmt: skip
        took = time.perf_counter() - started
    print(f"certify checks: {session.checks} graded check outcomes in {took:.2f} s "
          f"= {session.checks / took:.1f} checks/s")  # fmt: skip
    print(f"proxy requests: {counter.count} in {took:.2f} s = {counter.count / took:.0f} req/s "
          "(API requests only; TLS probes not counted)")  # fmt: skip


def default_certify_wall_time(repeats: int = 3) -> None:
    env = {k: v for k, v in os.environ.items() if k not in TC_DEFAULTS}
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "conformance.cli", "certify", "--quiet",
                 "--report-dir", str(Path(out) / "r")],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            times.append(time.perf_counter() - started)
        if result.returncode != 0:
            print(f"kscheck certify exited {result.returncode}:\n{result.stdout[-2000:]}")
    print(f"default `kscheck certify` wall time: min {min(times):.1f} s, "
          f"max {max(times):.1f} s over {repeats} runs (goal < 90 s)")  # fmt: skip


if __name__ == "__main__":
    checks_and_requests_per_second()
    default_certify_wall_time()
