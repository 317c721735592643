"""nox sessions: tests, lint, typecheck, emulators, aws, certify, bench, mutation.

Run ``nox -l`` to list them; ``nox -s tests`` is what CI runs.
"""

from __future__ import annotations

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


@nox.session
def emulators(session: nox.Session) -> None:
    """`kscheck run` against the embedded emulator, then moto server (which has no CKS yet:
    UNSUPPORTED, exit 1, accepted here until moto implements the operations)."""
    session.install("-e", ".[server]")
    session.run("kscheck", "run", "--target", "emulator", *session.posargs)
    session.run("kscheck", "run", "--target", "moto-server", *session.posargs, success_codes=[0, 1])


@nox.session
def aws(session: nox.Session) -> None:
    """The nightly real-AWS run; needs KSCHECK_AWS_OPT_IN=1 and KSCHECK_AWS_ACCOUNT_ALLOWLIST."""
    session.install("-e", ".")
    session.run("kscheck", "run", "--target", "aws", "--profile", "aws", *session.posargs)


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
def mutation(session: nox.Session) -> None:
    """Delete one model rule at a time in a copy of the repository; a self-test must fail
    for each (benchmarks/mutation_check.py; a few minutes, not part of `tests`)."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/mutation_check.py", *session.posargs)
