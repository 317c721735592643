"""Bad input on the command line is a usage error naming the flag, never a traceback.

Two layers: Hypothesis draws values for every option of every subcommand, taken from the
argparse definitions, and each is either refused by argparse or by the command's
``validate`` (exit 2, one line naming the flag) or accepted, and nothing else ever happens;
then the cases users met are replayed end to end through real processes.
"""

from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.cli import SUBCOMMANDS, build_parser
from conformance.commands.certify import TARGET_FLAGS
from conformance.session import UsageError

PARSER = build_parser()
SUBPARSERS: dict[str, argparse.ArgumentParser] = next(
    a.choices for a in PARSER._actions if isinstance(a, argparse._SubParsersAction)
)

NASTY = [
    "",
    " ",
    "-5",
    "0",
    "99999",
    "4294967296",
    "x y",
    "http://",
    "https://:0",
    "/nonexistent/x",
    "\x7f",
    "NOPE",
    "é",
    "1e3",
]


def value_options(command: str) -> list[argparse.Action]:
    """The options of `command` that take a value (flags without one cannot be 'bad')."""
    return [
        a
        for a in SUBPARSERS[command]._actions
        if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction)
    ]


def values_for(action: argparse.Action) -> st.SearchStrategy[str]:
    drawn: list[st.SearchStrategy[str]] = [
        st.sampled_from(NASTY),
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
        ),
    ]
    if action.type is int:
        drawn.append(st.integers(min_value=-(2**40), max_value=2**40).map(str))
    if action.choices:
        drawn.append(st.sampled_from([str(c) for c in action.choices]))
    return st.one_of(drawn)


CASES = [
    (command, action.option_strings[-1])
    for command in SUBPARSERS
    for action in value_options(command)
]


def validate(command: str, args: argparse.Namespace) -> None:
    module = importlib.import_module(f"conformance.commands.{SUBCOMMANDS[command][0]}")
    if command == "certify":
        module.validate(args, {})
    else:
        module.validate(args)


@pytest.mark.parametrize("command, flag", CASES, ids=[f"{c}{f}" for c, f in CASES])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_value_of_any_flag_is_accepted_or_refused_naming_the_flag(
    command: str, flag: str, data: st.DataObject
) -> None:
    action = next(a for a in value_options(command) if a.option_strings[-1] == flag)
    value = data.draw(values_for(action), label="value")
    errors = io.StringIO()
    try:
        with redirect_stderr(errors):
            args = PARSER.parse_args([command, f"{flag}={value}"])
    except SystemExit as refused:
        assert refused.code == 2
        text = errors.getvalue().strip().splitlines()[-1]
        assert flag in text or (action.dest in text), text
        return
    try:
        validate(command, args)
    except UsageError as error:
        message = str(error)
        assert "\n" not in message
        # the flag itself, or the input it needs next (another flag, an official variable)
        names = {o for a in SUBPARSERS[command]._actions for o in a.option_strings}
        names |= {str(v) for v, _ in TARGET_FLAGS.values() if v}
        assert any(name in message for name in names), message


def kscheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )


REPLAYED = [
    (["run", "--target", "http://"], "--target"),
    (["run", "--region", "x y"], "--region"),
    (["run", "--report-dir", "/nonexistent/x"], "--report-dir"),
    (["run", "--emulator-fault", "nope"], "--emulator-fault"),
    (["run", "--seed", "-1"], "--seed"),
    (["proxy", "--port", "99999"], "--port"),
    (["proxy", "--tls-cert", "chain.pem"], "--tls-cert"),
    (["proxy", "--tenants", "/nonexistent/rig.toml"], "--tenants"),
    (["emulator", "--port", "-5"], "--port"),
    (["requirements", "--prefix", "NOPE"], "--prefix"),
    (["certify", "--seed", "-3"], "--seed"),
    (["certify", "--fault", "nope"], "--fault"),
    (["certify", "--access-key-id", "AKIAEXAMPLE"], "XKS_PROXY_HOST"),
]


@pytest.mark.parametrize("args, named", REPLAYED, ids=[" ".join(a) for a, _ in REPLAYED])
def test_a_user_gets_one_line_and_exit_2(tmp_path: Path, args: list[str], named: str) -> None:
    done = kscheck(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not Path("/nonexistent").exists()


def test_a_report_dir_under_a_file_is_refused_before_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = kscheck("run", "--report-dir", str(blocker / "x"), cwd=tmp_path)
    assert done.returncode == 2 and "--report-dir" in done.stderr
    assert "kscheck run: target" not in done.stdout  # nothing started
