"""The command line answers --help and refuses unknown subcommands cleanly."""

from __future__ import annotations

import subprocess
import sys

from conformance.cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand(capsys: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


def test_no_subcommand_prints_help_and_exits_2() -> None:
    assert main([]) == 2


def test_unknown_subcommand_is_a_usage_error_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr
