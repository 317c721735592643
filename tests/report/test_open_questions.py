"""Open questions observed: which branches count, how a run aggregates them, how results.json
and summary.md show them, and a real run against the embedded emulator whose choices are known
(it takes the success branch of OQ-19 and OQ-20, the model's canonical choice)."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from conformance.checks.cks.judge import record_branches
from conformance.model import Expectation, Outcome, RuleVerdict
from conformance.model.branches import branches_taken
from conformance.model.outcomes import combine
from conformance.report.evidence import recording
from conformance.report.open_questions import (
    TITLES_MODULE,
    ObservedBranch,
    open_question_title,
    summarize,
)
from conformance.report.redaction import Redactor
from conformance.report.results_json import results_document
from conformance.report.run import RunRecord, build_run_record
from conformance.report.summary import render_summary_markdown
from conformance.report.writers import write_reports

INVALID_STATE = "CustomKeyStoreInvalidStateException"
HAS_KEYS = "CustomKeyStoreHasCMKsException"
CONNECTED_AGAIN = RuleVerdict("CKS-CONNECT-002", frozenset({INVALID_STATE}), True, ("OQ-19",))


def taken(expectation: Expectation, outcome: Outcome) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (b.open_question, b.outcome, b.requirement_ids)
        for b in branches_taken(expectation, outcome)
    ]


# --- which answers take a branch -------------------------------------------------------------


def test_success_and_the_open_error_both_settle_an_open_verdict() -> None:
    expectation = combine([CONNECTED_AGAIN])
    assert taken(expectation, Outcome.success()) == [("OQ-19", "success", ("CKS-CONNECT-002",))]
    assert taken(expectation, Outcome.failure(INVALID_STATE)) == [
        ("OQ-19", INVALID_STATE, ("CKS-CONNECT-002",))
    ]
    (branch,) = branches_taken(expectation, Outcome.success())
    assert branch.alternatives == ("success", INVALID_STATE)


def test_a_rejected_answer_takes_no_branch() -> None:
    assert taken(combine([CONNECTED_AGAIN]), Outcome.failure("KMSInternalException")) == []


def test_only_the_verdict_that_allowed_the_observed_error_counts() -> None:
    open_one = RuleVerdict("CKS-A-001", frozenset({"E1"}), True, ("OQ-7",), field="a")
    other = RuleVerdict("CKS-B-001", frozenset({"E2"}), True, ("OQ-25",), field="b")
    expectation = combine([open_one, other])
    assert taken(expectation, Outcome.failure("E2")) == [("OQ-25", "E2", ("CKS-B-001",))]
    both = taken(expectation, Outcome.success())  # success: every open verdict allowed it
    assert [oq for oq, _, _ in both] == ["OQ-7", "OQ-25"]


def test_a_question_with_one_acceptable_outcome_there_settles_nothing() -> None:
    active_key = RuleVerdict("CKS-STATE-004", frozenset({HAS_KEYS}), False, ("OQ-20",))
    assert taken(combine([active_key]), Outcome.failure(HAS_KEYS)) == []
    only_pending = RuleVerdict("CKS-STATE-004", frozenset({HAS_KEYS}), True, ("OQ-20",))
    assert taken(combine([only_pending]), Outcome.failure(HAS_KEYS)) == [
        ("OQ-20", HAS_KEYS, ("CKS-STATE-004",))
    ]


def test_a_question_no_verdict_carries_belongs_to_the_whole_expectation() -> None:
    name = RuleVerdict("CKS-NAME-001", frozenset({"ValidationException"}), field="name")
    quota = RuleVerdict("CKS-QUOTA-001", frozenset({"LimitExceededException"}), field="quota")
    precedence = combine([name, quota])  # two rules broken at once: OQ-21
    assert taken(precedence, Outcome.failure("LimitExceededException")) == [
        ("OQ-21", "LimitExceededException", ("CKS-QUOTA-001", "CKS-ERR-009"))
    ]
    bare = Expectation(True, frozenset({INVALID_STATE}), ("CKS-CONNECT-002",), ("OQ-19",))
    assert taken(bare, Outcome.success()) == [("OQ-19", "success", ("CKS-CONNECT-002",))]


def test_the_judge_records_the_branch_with_a_redacted_input() -> None:
    open_update = RuleVerdict("CKS-UPDATE-002", frozenset({INVALID_STATE}), True, ("OQ-16",))
    request = {"CustomKeyStoreId": "cks-1", "KeyStorePassword": "hunter2hunter2"}
    with recording() as log:
        record_branches("UpdateCustomKeyStore", request, combine([open_update]), Outcome.success())
    (branch,) = log.branches
    assert (branch.open_question, branch.operation, branch.outcome) == (
        "OQ-16",
        "UpdateCustomKeyStore",
        "success",
    )
    assert "hunter2hunter2" not in branch.input and "<redacted>" in branch.input


# --- aggregation and titles ------------------------------------------------------------------


def observed(oq: str, outcome: str, nodeid: str = "t::a", *alternatives: str) -> ObservedBranch:
    return ObservedBranch(
        oq,
        "ConnectCustomKeyStore",
        outcome,
        alternatives or ("success", INVALID_STATE),
        ("CKS-CONNECT-002",),
        f"ConnectCustomKeyStore({nodeid})",
        nodeid,
    )


def test_summarize_counts_each_outcome_keeps_zeros_and_one_example_of_each_chosen() -> None:
    seen = [
        observed("OQ-19", "success", "t::first"),
        observed("OQ-19", INVALID_STATE, "t::second"),
        observed("OQ-19", "success", "t::third"),
        observed("OQ-10", "E", "t::x", "E", "F"),
        observed("OQ-9", "F", "t::y", "E", "F"),
    ]
    summary = summarize(seen, title=lambda oq: f"title of {oq}")
    assert list(summary) == ["OQ-9", "OQ-10", "OQ-19"]
    assert summary["OQ-19"].outcomes == {"success": 2, INVALID_STATE: 1}
    assert summary["OQ-10"].outcomes == {"E": 1, "F": 0}
    assert [(e.outcome, e.nodeid) for e in summary["OQ-19"].examples] == [
        ("success", "t::first"),
        (INVALID_STATE, "t::second"),
    ]
    assert summary["OQ-9"].title == "title of OQ-9"
    assert summary["OQ-19"].requirement_ids == ["CKS-CONNECT-002"]


def test_titles_fall_back_to_the_bare_id_without_the_titles_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, TITLES_MODULE, None)  # as if the file did not exist
    assert open_question_title("OQ-19") == "OQ-19"


def test_titles_come_from_the_titles_module_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType(TITLES_MODULE)
    module.OPEN_QUESTIONS = {"OQ-19": "Connect on a connected store"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, TITLES_MODULE, module)
    assert open_question_title("OQ-19") == "Connect on a connected store"
    assert open_question_title("OQ-99") == "OQ-99"


# --- rendering -------------------------------------------------------------------------------


def record_with(*branches: ObservedBranch) -> RunRecord:
    run = build_run_record([], [], target={"label": "t"}, inputs={}, reproduce="k", command="run")
    run.open_questions.extend(branches)
    return run


def test_results_json_has_the_documented_open_questions_section(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, TITLES_MODULE, None)
    run = record_with(observed("OQ-19", "success", "t::a"), observed("OQ-19", "success", "t::b"))
    section = results_document(run)["open_questions"]
    assert section == {
        "OQ-19": {
            "title": "OQ-19",
            "outcomes": {"success": 2, INVALID_STATE: 0},
            "requirements": ["CKS-CONNECT-002"],
            "examples": [
                {
                    "outcome": "success",
                    "operation": "ConnectCustomKeyStore",
                    "input": "ConnectCustomKeyStore(t::a)",
                    "requirements": ["CKS-CONNECT-002"],
                    "check": "t::a",
                }
            ],
        }
    }
    assert results_document(record_with())["open_questions"] == {}


def test_summary_markdown_has_one_row_per_outcome_and_no_table_when_untouched() -> None:
    run = record_with(observed("OQ-19", "success", "t::a|b"))
    text = render_summary_markdown(run)
    assert "## Open questions observed" in text
    rows = [line for line in text.splitlines() if line.startswith("| OQ-19")]
    assert len(rows) == 2
    assert rows[0].split(" | ")[1:3] == ["success", "1"]
    assert rows[1].split(" | ")[1:3] == [INVALID_STATE, "0"]
    assert "t::a\\|b" in rows[0]  # a pipe cannot break the table
    assert "Open questions observed" not in render_summary_markdown(record_with())


def test_a_long_example_is_shortened_inside_its_code_span() -> None:
    branch = observed("OQ-19", "success")
    long_input = ObservedBranch(
        branch.open_question, branch.operation, branch.outcome, branch.alternatives,
        branch.requirement_ids, "Create(" + "n`" * 500 + ")", "t::long",
    )  # fmt: skip
    (row,) = [
        line for line in render_summary_markdown(record_with(long_input)).splitlines()
        if "t::long" in line
    ]  # fmt: skip
    example = row.split(" | ")[3]
    assert example.count("`") == 2 and "…` (t::long)" in example
    assert len(example) < 300


def test_written_reports_mask_world_secrets_in_examples(tmp_path: Path) -> None:
    branch = observed("OQ-19", "success", "t::a")
    leaky = ObservedBranch(
        branch.open_question, branch.operation, branch.outcome, branch.alternatives,
        branch.requirement_ids, "Connect(secret-of-the-world)", "t::a",
    )  # fmt: skip
    redactor = Redactor()
    redactor.add("secret-of-the-world")
    write_reports(record_with(leaky), tmp_path, redactor)
    for name in ("results.json", "summary.md"):
        assert "secret-of-the-world" not in (tmp_path / name).read_text()


# --- a real run whose choices are known ------------------------------------------------------


def test_a_run_against_the_emulator_reports_exactly_the_branches_it_took(tmp_path: Path) -> None:
    """The emulator answers with the model's canonical outcome: success wherever success is
    acceptable. Connect on a connected store (OQ-19) and Delete with only a key pending
    deletion (OQ-20) therefore succeed, and nothing else these checks do is open."""
    checks = (
        "test_delete_and_disconnect_respect_the_connection_state"
        " or test_a_store_holding_keys_is_deleted_only_once_they_are_scheduled_for_deletion"
    )
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "-k", checks, "--seed", "0",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    section = json.loads((tmp_path / "results.json").read_text())["open_questions"]
    assert {oq: entry["outcomes"] for oq, entry in section.items()} == {
        "OQ-19": {"success": 1, INVALID_STATE: 0},
        "OQ-20": {"success": 1, HAS_KEYS: 0},
    }
    (connect,) = section["OQ-19"]["examples"]
    assert connect["operation"] == "ConnectCustomKeyStore"
    assert connect["check"].endswith("test_delete_and_disconnect_respect_the_connection_state")
    (delete,) = section["OQ-20"]["examples"]
    assert (delete["operation"], delete["requirements"]) == (
        "DeleteCustomKeyStore",
        ["CKS-STATE-004"],
    )
    summary = (tmp_path / "summary.md").read_text()
    assert "| OQ-19" in summary and "| OQ-20" in summary
