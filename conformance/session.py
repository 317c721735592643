"""The one runner under ``kscheck run`` and ``kscheck certify``: checks in, a run record out.

A command prepares its target, then hands :func:`run_checks` a :class:`SessionRequest`: which
check package, what to put in the pytest stash for the checks' fixtures, the Hypothesis
profile and seed, a ``-k`` filter. The runner loads the kscheck plugin for this session only,
shows progress, turns SIGINT/SIGTERM into an interruption the verdict reports (never a green
run), stops early when the target is lost, and returns a :class:`SessionResult`.

>>> profile_for("quick", derandomize=True, shrink=False).startswith("quick-")
True
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import pytest
from hypothesis import Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

from conformance import pytest_plugin
from conformance.profiles import register_profiles
from conformance.report.console import PROGRESS_CHARS
from conformance.report.open_questions import ObservedBranch
from conformance.report.outcomes import CheckOutcome, Outcome, worst
from conformance.report.redaction import Redactor

#: Consecutive ERROR checks after which the runner asks whether the target is still there.
LOST_AFTER_ERRORS = 8

#: Exit status of a run ended by a signal (the shell's 128 + signal number).
SIGNAL_EXIT = {"SIGINT": 130, "SIGTERM": 143}


class UsageError(Exception):
    """Bad command-line input; the message names the flag and the rule."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so every ``with`` block cleans up."""


def prepare_report_dir(given: str | Path | None, command: str) -> Path:
    """The report directory, created and proven writable *before* the run, else UsageError.

    >>> try:
    ...     prepare_report_dir("/nonexistent/x", "run")
    ... except UsageError as error:
    ...     print(error)
    --report-dir: cannot create /nonexistent/x (no directory /nonexistent)
    """
    if given is not None and str(given).strip() == "":
        raise UsageError("--report-dir: must name a directory")
    if given is None:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        directory = Path("reports") / "runs" / f"{stamp}-{command}"
    else:
        directory = Path(given)
        parent = directory.absolute().parent
        if not parent.is_dir():  # a typo must not grow a directory tree
            raise UsageError(f"--report-dir: cannot create {directory} (no directory {parent})")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"--report-dir: cannot create {directory} ({reason})") from None
    return directory


def profile_for(name: str, *, derandomize: bool | None = None, shrink: bool = True) -> str:
    """Register and name the variant of profile `name` a command runs: without Hypothesis's
    explain phase (it traces every line of the target's client: minutes per failure), one
    failure reported per check, optionally derandomized and without shrinking."""
    register_profiles()
    parent = settings.get_profile(name)
    chosen = parent.derandomize if derandomize is None else derandomize
    variant = f"{name}-{'derandomized' if chosen else 'seeded'}-{'shrink' if shrink else 'raw'}"
    dropped = {Phase.explain} | (set() if shrink else {Phase.shrink})
    settings.register_profile(
        variant,
        parent=parent,
        derandomize=chosen,
        phases=[phase for phase in Phase if phase not in dropped],
        report_multiple_bugs=False,
    )
    return variant


@dataclass
class SessionRequest:
    """What to run: a check package, the stash for its fixtures, the Hypothesis settings."""

    command: str
    checks_package: str
    stash: Mapping[Any, Any]
    profile: str
    seed: int | None = None
    derandomize: bool | None = None
    shrink: bool = True
    keyword: str | None = None
    verbose: bool = False
    progress: TextIO | None = None
    redactor: Redactor = field(default_factory=Redactor)
    #: Asked after a run of ERRORs: None while the target answers, else why not.
    target_alive: Callable[[], str | None] | None = None


@dataclass
class SessionResult:
    """What a session did: graded outcomes, and how it ended."""

    outcomes: list[CheckOutcome]
    collected: int
    collection_errors: list[str]
    exit_code: int
    started: datetime.datetime
    duration_seconds: float
    interrupted: str | None = None  # "SIGINT" / "SIGTERM"
    target_lost: str | None = None
    #: open-question branches the checks' judged answers took
    open_questions: list[ObservedBranch] = field(default_factory=list)

    @property
    def unusable(self) -> bool:
        """The checks could not even be collected (a bug or a bad -k), not a verdict."""
        return bool(self.collection_errors) or self.exit_code in (
            pytest.ExitCode.USAGE_ERROR,
            pytest.ExitCode.INTERNAL_ERROR,
        )


class _SessionPlugin:
    """The pytest plugin object of one session: hands over the stash, shows progress, keeps
    the graded outcomes, and stops the session when the target is lost."""

    def __init__(self, request: SessionRequest) -> None:
        self.request = request
        self.outcomes: list[CheckOutcome] = []
        self.open_questions: list[ObservedBranch] = []
        self.collected = 0
        self.collection_errors: list[str] = []
        self.target_lost: str | None = None
        self._module = ""
        self._errors_in_a_row = 0
        self._session: pytest.Session | None = None
        self._config: pytest.Config | None = None
        self._consumed = 0

    def pytest_configure(self, config: pytest.Config) -> None:
        self._config = config
        for key, value in self.request.stash.items():
            config.stash[key] = value

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._session = session

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = self.request.redactor.redact(str(report.longrepr))
            self.collection_errors.append(text[-2000:])

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self._config is None:
            return
        graded = self._config.stash.get(pytest_plugin.OUTCOMES_KEY, [])
        fresh, self._consumed = graded[self._consumed :], len(graded)
        if not fresh:
            return
        grade = worst(o.outcome for o in fresh if o.evidence).value
        self._show(report.nodeid, grade)
        self._watch_for_a_lost_target(grade)

    def _show(self, nodeid: str, grade: str) -> None:
        stream = self.request.progress
        if stream is None:
            return
        module = nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module != self._module:
            stream.write("\n" if self._module else "")
            self._module = module
            stream.write(f"{module.removeprefix('test_'):<24}")
        stream.write(PROGRESS_CHARS.get(grade, "?"))
        stream.flush()

    def _watch_for_a_lost_target(self, grade: str) -> None:
        if grade == Outcome.ERROR.value:
            self._errors_in_a_row += 1
        elif grade not in (Outcome.SKIPPED.value, Outcome.UNSUPPORTED.value):
            self._errors_in_a_row = 0  # the target answered something
        alive = self.request.target_alive
        if self._errors_in_a_row < LOST_AFTER_ERRORS or alive is None or self.target_lost:
            return
        self._errors_in_a_row = 0
        why = alive()
        if why is not None and self._session is not None:
            self.target_lost = why
            self._session.shouldstop = f"target lost: {why}"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        collected: list[CheckOutcome] = session.config.stash.get(pytest_plugin.OUTCOMES_KEY, [])
        self.outcomes = list(collected)
        branches: list[ObservedBranch] = []
        self.open_questions = session.config.stash.get(pytest_plugin.OPEN_QUESTIONS_KEY, branches)
        if self.request.progress is not None:
            self.request.progress.write("\n")
            self.request.progress.flush()


def checks_directory(package: str) -> str:
    """The directory of a check package, located without importing it.

    >>> checks_directory("conformance.checks.cks").endswith(os.path.join("checks", "cks"))
    True
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"no check package {package!r}")
    return str(next(iter(spec.submodule_search_locations)))


def pytest_arguments(request: SessionRequest) -> list[str]:
    """The pytest command line of a session: only the check package, no project config,
    the kscheck plugin, the chosen profile and seed."""
    directory = checks_directory(request.checks_package)
    arguments = [
        directory,
        "-c",
        os.devnull,  # never pick up the user's own pytest configuration
        "--rootdir",
        directory,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-p",
        "no:timeout",  # a run is bounded by its profile, not by a per-test timeout
        "-W",
        "ignore::DeprecationWarning",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        f"--hypothesis-profile="
        f"{profile_for(request.profile, derandomize=request.derandomize, shrink=request.shrink)}",
    ]
    arguments += ["-v"] if request.verbose else ["-p", "no:terminal"]
    if request.seed:
        arguments.append(f"--hypothesis-seed={request.seed}")
    if request.keyword:
        arguments += ["-k", request.keyword]
    return arguments


@contextlib.contextmanager
def signals_interrupt(record: list[str]) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise in the main thread (:class:`KeyboardInterrupt`,
    :class:`Terminated`) and `record` gets the signal's name. Outside the main thread, or
    when the caller installed its own handlers, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        record.append(name)
        if len(record) > 1:
            return  # a second signal while the first one unwinds: let it finish
        raise Terminated() if name == "SIGTERM" else KeyboardInterrupt()

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for number in previous:
        signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_checks(request: SessionRequest, signals: list[str] | None = None) -> SessionResult:
    """Run the checks of `request` under pytest; see the module docstring.

    `signals` is the list :func:`signals_interrupt` fills, when the command installed it
    around more than the session (target start-up, report writing).
    """
    plugin = _SessionPlugin(request)
    seen = signals if signals is not None else []
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.perf_counter()
    guard = contextlib.nullcontext() if signals is not None else signals_interrupt(seen)
    with guard, tempfile.TemporaryDirectory(prefix="kscheck-hypothesis-") as scratch:
        set_hypothesis_home_dir(scratch)  # Hypothesis's scratch files never land in the cwd
        try:
            code = pytest.main(pytest_arguments(request), plugins=[pytest_plugin, plugin])
        finally:
            set_hypothesis_home_dir(None)
    interrupted = seen[0] if seen else None
    if code == pytest.ExitCode.INTERRUPTED and interrupted is None and not plugin.target_lost:
        interrupted = "SIGINT"  # pytest saw a KeyboardInterrupt we did not send ourselves
    return SessionResult(
        outcomes=plugin.outcomes,
        collected=plugin.collected,
        collection_errors=plugin.collection_errors,
        exit_code=int(code),
        started=started_at,
        duration_seconds=time.perf_counter() - started,
        interrupted=interrupted,
        target_lost=plugin.target_lost,
        open_questions=plugin.open_questions,
    )


def interrupted_before_checks(signal_name: str) -> SessionResult:
    """The result of a session a signal ended before (or after) its checks ran."""
    return SessionResult(
        outcomes=[],
        collected=0,
        collection_errors=[],
        exit_code=int(pytest.ExitCode.INTERRUPTED),
        started=datetime.datetime.now(datetime.timezone.utc),
        duration_seconds=0.0,
        interrupted=signal_name,
    )


def run_command(
    command: str,
    body: Callable[[list[str]], int],
    *,
    usage_errors: tuple[type[Exception], ...] = (),
    unreachable: tuple[type[Exception], ...] = (),
) -> int:
    """Run a command's `body` with SIGINT/SIGTERM turned into interruptions (the list of
    signals seen is passed in): a usage error prints one line and returns 2, an unreachable
    target one line and 1, and a signal that lands outside the checks 130/143."""
    signals: list[str] = []
    refused: tuple[type[Exception], ...] = (UsageError, *usage_errors)
    try:
        with signals_interrupt(signals):
            return body(signals)
    except refused as error:
        print(f"kscheck {command}: {error}", file=sys.stderr)
        return 2
    except unreachable as error:
        print(f"kscheck {command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # while writing the reports: nothing more to save
        name = signals[0] if signals else "SIGINT"
        print(f"kscheck {command}: INTERRUPTED by {name}", file=sys.stderr)
        return SIGNAL_EXIT.get(name, 130)
