"""The kscheck pytest plugin: the ``requirement`` marker, evidence, and graded outcomes.

It is inert unless asked for: the kscheck commands load it for their own pytest sessions
(:mod:`conformance.session`), and a plain pytest run loads it with
``-p conformance.pytest_plugin``. It is not an entry point, so it never touches another
project's tests.

Every check names the requirements it tests::

    @pytest.mark.requirement("XKS-AUTH-003")
    def test_wrong_secret_is_refused_with_401(...): ...

Collection fails when a marker names an ID that the registry does not hold; ``-k XKS-AUTH-003``
selects the checks of one requirement.

It also grades outcomes (a :class:`~conformance.report.outcomes.RequirementViolation` of a
SHOULD rule passes with a note, a 501 is a skip; see :mod:`conformance.report.grading`),
collects them in ``config.stash[OUTCOMES_KEY]`` (and the open-question branches the checks'
judged answers took in ``config.stash[OPEN_QUESTIONS_KEY]``), registers the Hypothesis profiles of
:mod:`conformance.profiles`, and provides the ``xks_target`` fixture, so the XKS checks also
run under plain pytest::

    pytest -p conformance.pytest_plugin --pyargs conformance.checks.xks --xks-fault urlsafe_base64

A check is PASS for a requirement only when it recorded, while it ran, that it reached the
rule (:func:`conformance.report.evidence.reached`); a named requirement it did not reach is
SKIPPED "not reached".
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.profiles import register_profiles
from conformance.report.evidence import EvidenceLog, recording
from conformance.report.grading import grade_check
from conformance.report.open_questions import ObservedBranch
from conformance.report.outcomes import CheckOutcome, Outcome, UnsupportedByTarget
from conformance.spec.requirements import registry
from conformance.targets.xks import XksTarget, chosen_xks_target, target_from_mapping

if TYPE_CHECKING:
    from conformance.targets.factory import PreparedTarget


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requirement(*ids): the kscheck requirement IDs (CKS-/XKS-) that this test checks",
    )
    config.addinivalue_line(
        "markers",
        "operations(*names): the KMS operations a control-plane check needs (support is "
        "judged per operation)",
    )


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    """The requirement IDs named by every ``requirement`` marker on `item`."""
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(ids)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    known = registry()
    unknown = sorted(
        {(item.nodeid, rid) for item in items for rid in requirement_ids(item) if rid not in known}
    )
    if unknown:
        lines = "\n".join(f"  {nodeid}: {rid}" for nodeid, rid in unknown)
        raise pytest.UsageError(f"unknown requirement IDs in requirement markers:\n{lines}")
    for item in items:  # `-k XKS-AUTH-003` selects the checks of one requirement
        item.extra_keyword_matches.update(requirement_ids(item))


# --- XKS certification: options, the target fixture, graded outcome collection -------------
# (added for `kscheck certify`; everything below is additive)

register_profiles()

#: The target under certification, when a caller (``kscheck certify``) provides it.
XKS_TARGET_KEY = pytest.StashKey[XksTarget]()
#: The KMS target of the control-plane checks, when ``kscheck run`` provides it.
PREPARED_TARGET_KEY: pytest.StashKey[PreparedTarget] = pytest.StashKey()
#: Graded outcomes of every check with a requirement marker, in run order.
OUTCOMES_KEY = pytest.StashKey[list[CheckOutcome]]()
#: The evidence one check item recorded while it ran.
EVIDENCE_KEY = pytest.StashKey[EvidenceLog]()
#: Open-question branches the checks' judged answers took, each stamped with its check.
OPEN_QUESTIONS_KEY = pytest.StashKey[list[ObservedBranch]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kscheck", "kscheck conformance checks")
    group.addoption(
        "--xks-target",
        metavar="PATH",
        default=None,
        help="JSON file describing the XKS proxy to certify (default: the official test "
        "client's environment variables if XKS_PROXY_HOST is set, else the fake proxy)",
    )
    group.addoption(
        "--xks-fault",
        metavar="NAME",
        action="append",
        default=[],
        help="fault of the built-in fake proxy (only when no target is given); repeatable",
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash.setdefault(OUTCOMES_KEY, [])
    session.config.stash.setdefault(OPEN_QUESTIONS_KEY, [])


#: The UnsupportedByTarget a check or its fixtures raised (pytest turns it into a plain skip).
UNSUPPORTED_KEY = pytest.StashKey[UnsupportedByTarget]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except UnsupportedByTarget as unsupported:
        item.stash[UNSUPPORTED_KEY] = unsupported
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with recording() as log:
        item.stash[EVIDENCE_KEY] = log
        try:
            return (yield)
        except UnsupportedByTarget as unsupported:
            item.stash[UNSUPPORTED_KEY] = unsupported
            raise


def _level_of(requirement_id: str) -> str:
    return registry()[requirement_id].level.value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        _collect_branches(item)
    ids = requirement_ids(item)
    if not ids or (report.when != "call" and report.outcome == "passed"):
        return report
    if report.when == "teardown" and report.outcome == "skipped":
        return report
    raised: BaseException | None = call.excinfo.value if call.excinfo is not None else None
    skipped_reason = None
    unsupported = item.stash.get(UNSUPPORTED_KEY, None)
    if unsupported is not None and report.outcome == "skipped":
        raised = unsupported  # pytest made it a plain skip; it is UNSUPPORTED
    elif report.outcome == "skipped" and call.excinfo is not None:
        skipped_reason = str(getattr(call.excinfo.value, "msg", "")) or "skipped"
        raised = None
    observed = "; ".join(str(v) for k, v in item.user_properties if k == "observed")
    evidence = item.stash.get(EVIDENCE_KEY, None) or EvidenceLog()
    graded = grade_check(
        item.nodeid,
        ids,
        raised,
        _level_of,
        evidence=evidence,
        skipped_reason=skipped_reason,
        duration_seconds=call.duration,
        observed=observed,
    )
    item.config.stash.setdefault(OUTCOMES_KEY, []).extend(graded)
    _reshape_report(report, item, graded)
    return report


def _collect_branches(item: pytest.Item) -> None:
    log = item.stash.get(EVIDENCE_KEY, None)
    if log is not None and log.branches:
        item.config.stash.setdefault(OPEN_QUESTIONS_KEY, []).extend(
            dataclasses.replace(branch, nodeid=item.nodeid) for branch in log.branches
        )


def _reshape_report(
    report: pytest.TestReport, item: pytest.Item, graded: list[CheckOutcome]
) -> None:
    """Make the pytest report agree with the grade: SHOULD/MAY breaks pass with a note, a
    501 is a skip, a MUST break fails with an h2spec-like text instead of a traceback."""
    decisive = next((g for g in graded if g.evidence), graded[0])
    if decisive.outcome in (Outcome.NON_STRICT, Outcome.INFO):
        report.outcome = "passed"
        report.longrepr = None
        report.sections.append(("kscheck", _violation_text(decisive)))
    elif decisive.outcome is Outcome.UNSUPPORTED:
        path, lineno, _ = item.location
        report.outcome = "skipped"
        report.longrepr = (path, (lineno or 0) + 1, f"UNSUPPORTED: {decisive.reason}")
    elif decisive.outcome is Outcome.FAIL:
        report.longrepr = _violation_text(decisive)


def _violation_text(check: CheckOutcome) -> str:
    level = _level_of(check.requirement_id)
    return (
        f"[{check.requirement_id}] {level} {check.outcome.value}\n"
        f"    Expected: {check.expected}\n      Actual: {check.actual}\n"
        f"       Input: {check.input}"
    )


@pytest.fixture(scope="session")
def xks_target(pytestconfig: pytest.Config) -> Iterator[XksTarget]:
    """The XKS proxy under test: given by ``kscheck certify``, by ``--xks-target``, or chosen
    like certify chooses (the official test client's variables, else a fake proxy)."""
    given = pytestconfig.stash.get(XKS_TARGET_KEY, None)
    if given is not None:
        yield given
        return
    path = pytestconfig.getoption("--xks-target")
    if path:
        yield target_from_mapping(json.loads(Path(path).read_text()))
        return
    with chosen_xks_target(os.environ, faults=pytestconfig.getoption("--xks-fault")) as target:
        yield target
