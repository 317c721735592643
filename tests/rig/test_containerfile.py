"""The Containerfile cannot be built here (no image registry), so its text is checked: the
base image, a non-root user, the entrypoint's flags are real ``kscheck proxy`` flags, the
exposed ports and the health check match them, its sources exist, and no secret is baked in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance.cli import build_parser
from conformance.xks.server import PING_PATH

ROOT = Path(__file__).parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Containerfile").read_text()
    logical = re.sub(r"\\\n\s*", " ", text)
    pairs = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def only(name: str) -> str:
    found = [rest for word, rest in instructions() if word == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def command_line() -> list[str]:
    """ENTRYPOINT followed by CMD, both in exec (JSON) form."""
    return list(json.loads(only("ENTRYPOINT"))) + list(json.loads(only("CMD")))


def option(name: str) -> str:
    words = command_line()
    return words[words.index(name) + 1]


def test_it_builds_on_python_slim_and_runs_as_a_non_root_user() -> None:
    assert only("FROM") == "python:3.12-slim"
    user = only("USER")
    assert user not in ("root", "0") and not user.startswith("0:")


def test_the_entrypoint_is_the_rig_on_every_interface_with_real_flags() -> None:
    words = command_line()
    assert words[:4] == ["kscheck", "proxy", "--bind", "0.0.0.0"]
    args = build_parser().parse_args(words[1:])  # argparse exits on an unknown flag
    assert args.tenants is not None and args.tls_cert is not None and args.tls_key is not None


def test_the_exposed_ports_and_the_health_check_match_the_flags() -> None:
    exposed = set(only("EXPOSE").split())
    assert {option("--port"), option("--ping-port")} == exposed
    health = only("HEALTHCHECK")
    assert f"http://127.0.0.1:{option('--ping-port')}{PING_PATH}" in health


def test_every_copied_source_exists() -> None:
    for word, rest in instructions():
        if word == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source


@pytest.mark.parametrize("word", ["ENV", "ARG", "LABEL"])
def test_no_secret_is_baked_in(word: str) -> None:
    for instruction, rest in instructions():
        if instruction == word:
            assert not re.search(r"SECRET|PASSWORD|TOKEN|ACCESS_KEY|CREDENTIAL", rest, re.I), rest
    assert "BEGIN" not in (ROOT / "Containerfile").read_text()  # no PEM block either
