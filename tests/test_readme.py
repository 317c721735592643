"""The README documents what the code has: every fault of both catalogues, every subcommand,
every official test client case, and the two set-up commands that .ci/run relies on."""

from __future__ import annotations

from pathlib import Path

from conformance.checks.xks.official_client_map import OFFICIAL_CLIENT_CASES
from conformance.cli import SUBCOMMANDS
from conformance.emulator.faults import EMULATOR_FAULTS
from conformance.xks.faults import FAULTS
from conformance.xks.variants import markdown_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
CI_RUN = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()


def test_every_proxy_and_emulator_fault_is_listed() -> None:
    missing = [name for name in (*FAULTS, *EMULATOR_FAULTS) if f"`{name}`" not in README]
    assert missing == []


def test_the_what_certify_accepts_table_lists_every_variant() -> None:
    assert markdown_table() in README
    docs = Path(__file__).resolve().parents[1] / "docs"
    assert markdown_table() in (docs / "certify.md").read_text()
    assert markdown_table() in (docs / "proxy.md").read_text()


def test_every_subcommand_is_described() -> None:
    assert [name for name in SUBCOMMANDS if f"kscheck {name}" not in README] == []


def test_every_official_client_case_has_a_row() -> None:
    rows = [line for line in README.splitlines() if line.startswith("| test_")]
    assert len(rows) >= len(OFFICIAL_CLIENT_CASES)


def test_ci_runs_the_readme_test_command() -> None:
    assert "```sh\npython -m pytest\n```" in README
    assert "python -m pytest" in CI_RUN
