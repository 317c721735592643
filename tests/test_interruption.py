"""An interrupted run is never green: real SIGINT/SIGTERM sent to real `kscheck` processes.

Each case starts the command in a subprocess with its own TMPDIR, waits until checks are
running (progress on stdout, then optionally a later moment), sends the signal, and asserts
exit 130/143, INTERRUPTED in the console and in every report, and that nothing is left
behind: no process carrying the case's marker, no temporary directory (the fake proxies'
private keys live there), and the proxy's port closed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

EXIT_FOR = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Running:
    """A kscheck subprocess whose stdout is collected line by line as it comes."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        self.marker = uuid.uuid4().hex
        self.scratch = tmp_path / "tmp"
        self.scratch.mkdir()
        env = dict(os.environ, TMPDIR=str(self.scratch), KSCHECK_TEST_MARKER=self.marker)
        env.pop("XKS_PROXY_HOST", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        self.lines: list[str] = []
        self.started = time.monotonic()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}:\n{''.join(self.lines)[-2000:]}")

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


def processes_carrying(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"KSCHECK_TEST_MARKER={marker}".encode() in environ:
            found.append(int(entry.name))
    return found


def port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0


CASES = [
    # command, arguments, signal, seconds after the first progress to wait
    ("certify", ["certify"], signal.SIGINT, 0.0),
    ("certify", ["certify"], signal.SIGTERM, 0.0),
    ("certify", ["certify", "--profile", "thorough"], signal.SIGTERM, 10.0),
    ("run", ["run", "--profile", "ci", "--seed", "5"], signal.SIGINT, 0.0),
    ("run", ["run", "--profile", "ci", "--seed", "5"], signal.SIGTERM, 0.0),
    ("run", ["run", "--profile", "ci", "--seed", "5"], signal.SIGINT, 10.0),
]


@pytest.mark.parametrize(
    "command, args, sent, later",
    CASES,
    ids=[f"{c}-{s.name}-{'late' if w else 'early'}" for c, _, s, w in CASES],
)
def test_a_signal_ends_the_run_interrupted_with_reports_and_no_leftovers(
    tmp_path: Path, command: str, args: list[str], sent: signal.Signals, later: float
) -> None:
    reports = tmp_path / "reports"
    running = Running([*args, "--report-dir", str(reports)], tmp_path)
    try:
        if command == "certify":
            port = int(running.wait_for(r"at https://[^:]+:(\d+)/").group(1))
            running.wait_for(r"^crypto\s+\S")  # a check has been graded
        else:
            port = int(running.wait_for(r"target emulator at http://[^:]+:(\d+)").group(1))
            # the checks start right after this line; the first module's progress line can
            # take a minute on the self-tests' generous proxy budget, so "early" is 1 s in
            later = later or 1.0
        if later:
            remaining = running.started + later - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)  # the moment to interrupt at, not a wait for a result
        assert running.process.poll() is None, "the run ended before it could be interrupted"
        running.process.send_signal(sent)
        code = running.finish()
    finally:
        if running.process.poll() is None:
            running.process.kill()
    assert code == EXIT_FOR[sent], running.output[-3000:]
    assert f"INTERRUPTED by {sent.name}" in running.output
    results = json.loads((reports / "results.json").read_text())
    assert results["verdict"]["word"] == "INTERRUPTED" and results["interrupted"] is True
    assert results["verdict"]["exit_code"] == EXIT_FOR[sent]
    assert results.get("certified", False) is False
    assert "INTERRUPTED" in (reports / "summary.md").read_text().splitlines()[0]
    assert 'name="verdict" value="INTERRUPTED"' in (reports / "junit.xml").read_text()
    unreached = [r for r in results["requirements"] if "interrupted" in r["reason"]]
    assert unreached, "the requirements the run did not reach are listed as such"
    assert processes_carrying(running.marker) == []
    assert sorted(p.name for p in running.scratch.iterdir()) == []
    assert port_is_closed(port)
