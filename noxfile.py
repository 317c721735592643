"""nox sessions: tests, lint, typecheck, emulators, aws, aws_rehearsal, certify, bench,
publish, localstack, mutation.

Run ``nox -l`` to list them; ``nox -s tests`` is what CI runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The self-tests of the suite, with the bounded `ci` Hypothesis profile."""
    session.install("-e", ".[dev,server]")
    session.run("pytest", *session.posargs, env={"KSCHECK_HYPOTHESIS_PROFILE": "ci"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the installable packages."""
    session.install("-e", ".[dev]")
    session.run("mypy")


EMULATOR_TARGETS = ("emulator", "moto", "moto-server")


@nox.session
def emulators(session: nox.Session) -> None:
    """`kscheck run` against the embedded emulator, moto and moto server (and LocalStack when
    one answers on 127.0.0.1:4566), each judged against reports/expectations/<target>.toml,
    then the matrix of the runs. Fails on any departure from an expectations file."""
    session.install("-e", ".[server]")
    out = Path("reports") / "runs" / "emulators"
    targets = [*EMULATOR_TARGETS, *(("localstack",) if _localstack_kms_ready() else ())]
    for target in targets:
        session.run(
            "kscheck", "run", "--target", target, "--seed", "0",
            "--expectations", f"reports/expectations/{target}.toml",
            "--report-dir", str(out / target), *session.posargs,
        )  # fmt: skip
    session.run(
        "kscheck", "report", "matrix", *(str(out / t) for t in targets),
        "-o", str(out / "matrix.html"),
    )  # fmt: skip


@nox.session
def aws(session: nox.Session) -> None:
    """The nightly real-AWS run; needs KSCHECK_AWS_OPT_IN=1 and KSCHECK_AWS_ACCOUNT_ALLOWLIST."""
    session.install("-e", ".")
    session.run("kscheck", "run", "--target", "aws", "--profile", "aws", *session.posargs)


@nox.session
def aws_rehearsal(session: nox.Session) -> None:
    """The nightly aws run rehearsed on loopback, instant then AWS-like: ``kscheck rehearse``
    (kscheck emulator + moto STS, fence on, audited from the emulator's request log)."""
    session.install("-e", ".[server]")
    out = Path("reports/runs/rehearsal")
    for mode in ("instant", "aws-like"):
        flags = ["--aws-like"] if mode == "aws-like" else []
        session.run(
            "kscheck", "rehearse", *flags, "--report-dir", str(out / mode), *session.posargs
        )


@nox.session
def certify(session: nox.Session) -> None:
    """Certify an XKS proxy (default: the embedded clean fake proxy)."""
    session.install("-e", ".")
    session.run("kscheck", "certify", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks under benchmarks/: they print figures, they assert nothing."""
    session.install("-e", ".[dev]")
    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session
def publish(session: nox.Session) -> None:
    """Regenerate reports/published/ (emulator, moto, moto-server, and LocalStack when one is
    running) and its matrix: `kscheck report publish`. Posargs go to the command."""
    session.install("-e", ".[server]")
    session.run("kscheck", "report", "publish", *session.posargs)


# LocalStack in host mode: its own Python 3.13 virtualenv, never a kscheck dependency.
LOCALSTACK_PINS = (
    "localstack-core[base-runtime]==2026.3.0",
    "cbor2<6",
    "pyopenssl<25",
    "cryptography<45",
    "service_identity",
)
LOCALSTACK_URL = "http://127.0.0.1:4566"
LOCALSTACK_ENV = {
    "SERVICES": "kms",
    "GATEWAY_LISTEN": "127.0.0.1:4566",
    "DISABLE_EVENTS": "1",
    "DNS_ADDRESS": "0",
}


def _localstack_kms_ready() -> bool:
    try:
        with urllib.request.urlopen(LOCALSTACK_URL + "/_localstack/health", timeout=1) as answer:
            state = json.loads(answer.read()).get("services", {}).get("kms")
    except (OSError, ValueError, AttributeError):
        return False
    return state in ("available", "running")


def _python313() -> str:
    """A Python 3.13 interpreter: $LOCALSTACK_PYTHON, pyenv's newest 3.13, or python3.13."""
    if os.environ.get("LOCALSTACK_PYTHON"):
        return os.environ["LOCALSTACK_PYTHON"]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(root.glob("versions/3.13*/bin/python3.13"))
    if found:
        return str(found[-1])
    return shutil.which("python3.13") or "python3.13"


def _localstack_runtime(session: nox.Session) -> str:
    """The python of .nox/localstack-runtime, created and pinned on first use."""
    venv = Path(".nox") / "localstack-runtime"
    python = venv / "bin" / "python"
    marker = venv / "kscheck-pins.txt"
    if not python.exists():
        session.run(_python313(), "-m", "venv", str(venv), external=True)
    if not marker.exists() or marker.read_text() != "\n".join(LOCALSTACK_PINS):
        session.run(str(python), "-m", "pip", "install", "-q", *LOCALSTACK_PINS, external=True)
        marker.write_text("\n".join(LOCALSTACK_PINS))
    return str(python)


def _start_localstack(session: nox.Session) -> subprocess.Popen[bytes]:
    python = _localstack_runtime(session)
    log_path = Path(".nox") / "localstack-runtime" / "localstack.log"
    session.log(f"starting LocalStack (KMS only) on {LOCALSTACK_URL}; log in {log_path}")
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [python, "-m", "localstack.runtime.main"],
            env={**os.environ, **LOCALSTACK_ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while not _localstack_kms_ready():
        if server.poll() is not None or time.monotonic() > deadline:
            _stop_localstack(server)
            tail = log_path.read_text(errors="replace")[-2000:]
            session.error(f"LocalStack did not become ready:\n{tail}")
        time.sleep(0.25)
    return server


def _stop_localstack(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@nox.session
def localstack(session: nox.Session) -> None:
    """`kscheck run --target localstack` against LocalStack, started here (host mode, Python
    3.13, KMS only, stopped at the end) unless one already answers on 127.0.0.1:4566.
    `nox -s localstack -- publish` refreshes reports/published/localstack/ and the matrix
    instead; other posargs go to `kscheck run`."""
    session.install("-e", ".")
    server = None if _localstack_kms_ready() else _start_localstack(session)
    try:
        if session.posargs[:1] == ["publish"]:
            session.run(
                "kscheck", "report", "publish", "--target", "localstack", *session.posargs[1:]
            )
        else:
            session.run(
                "kscheck", "run", "--target", "localstack", *session.posargs, success_codes=[0, 1]
            )
    finally:
        if server is not None:
            _stop_localstack(server)


@nox.session
def mutation(session: nox.Session) -> None:
    """Delete one model rule at a time in a copy of the repository; a self-test must fail
    for each (benchmarks/mutation_check.py; a few minutes, not part of `tests`)."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/mutation_check.py", *session.posargs)
