"""A target that is not there is said in one line within seconds; one that goes away mid-run
stops the run with TARGET LOST instead of thousands of errors.

Servers here are real sockets on loopback: a port nobody listens on, a TLS server whose
certificate the client does not trust, a socket that accepts and never answers, and a real
``kscheck emulator`` process killed while a run is using it.
"""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from conformance.targets.preflight import TLS_FAILURE, http_preflight


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def untrusted_tls_port() -> Iterator[int]:
    """A TLS server whose certificate comes from a CA the client has never heard of."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_preflight_names_a_refused_port() -> None:
    port = free_port()
    assert http_preflight(f"http://127.0.0.1:{port}/") == (
        f"nothing listens at 127.0.0.1:{port} (connection refused)"
    )


def test_preflight_names_a_silent_port(silent_port: int) -> None:
    found = http_preflight(f"http://127.0.0.1:{silent_port}/", timeout=1)
    assert found is not None and "sends no answer" in found


def test_preflight_names_an_untrusted_certificate(untrusted_tls_port: int) -> None:
    found = http_preflight(f"https://127.0.0.1:{untrusted_tls_port}/", timeout=2)
    assert found is not None and found.startswith(TLS_FAILURE)


def run_against(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", url]
    command += ["--report-dir", str(tmp_path / "r")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("kind", ["refused", "silent", "untrusted"])
def test_run_against_a_missing_target_says_so_in_one_line(
    kind: str, tmp_path: Path, silent_port: int, untrusted_tls_port: int
) -> None:
    url = {
        "refused": f"http://127.0.0.1:{free_port()}",
        "silent": f"http://127.0.0.1:{silent_port}",
        "untrusted": f"https://127.0.0.1:{untrusted_tls_port}",
    }[kind]
    done = run_against(url, tmp_path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0], done.stderr
    assert done.stdout.count("\n") <= 1  # no checks ran, nothing was printed for them


def test_a_target_that_goes_away_mid_run_is_reported_lost(tmp_path: Path) -> None:
    emulator = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "emulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        url = emulator.stdout.readline().split(" at ", 1)[1].strip()
        command = [sys.executable, "-m", "conformance.cli", "run", "--target", url]
        command += ["--profile", "ci", "--seed", "9", "--report-dir", str(tmp_path / "r")]
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert run.stdout is not None
        seen = []
        for line in run.stdout:  # the run has started checking: take the target away
            seen.append(line)
            if line.startswith("kscheck run: target"):
                break
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=30)
        rest, _ = run.communicate(timeout=240)
    finally:
        for process in (emulator,):
            if process.poll() is None:
                process.kill()
    output = "".join(seen) + rest
    assert run.returncode == 1, output[-3000:]
    assert "TARGET LOST" in output
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["verdict"]["word"] == "TARGET LOST"
    assert results["duration_seconds"] > 0
    assert len(output.splitlines()) < 200  # one line per reason, not one block per error
