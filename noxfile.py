"""nox sessions: tests, lint, typecheck, certify, bench.

Run ``nox -l`` to list them; ``nox -s tests`` is what CI runs.
"""

from __future__ import annotations

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


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the installable packages."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def certify(session: nox.Session) -> None:
    """Certify an XKS proxy (default: the embedded clean fake proxy)."""
    session.install("-e", ".")
    session.run("kscheck", "certify", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks under benchmarks/: they print figures, they assert nothing."""
    session.install("-e", ".[dev]")
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
