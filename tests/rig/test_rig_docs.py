"""docs/proxy.md stays true to the rig: its example tenants file is valid, every tenant key
and behaviour is described, and its example refusal is the one the rig prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.xks.config import random_credential
from conformance.xks.rig_config import (
    BEHAVIOUR_FAULTS,
    NOT_A_TENANT_BEHAVIOUR,
    TENANT_KEYS,
    RigConfigError,
    parse_tenants,
)

DOCS = (Path(__file__).parents[2] / "docs" / "proxy.md").read_text()
SECTION = DOCS[DOCS.index("## The deployable rig") :]
EXAMPLE = re.search(r"### The tenants file\n\n```toml\n(.*?)```", SECTION, re.S)


def credentials_for(text: str) -> dict[str, str]:
    """A well-formed value for every credential variable the tenants text names."""
    environ = {}
    for name in re.findall(r'access_key_id_env = "(\w+)"', text):
        environ[name] = random_credential().access_key_id
    for name in re.findall(r'secret_access_key_env = "(\w+)"', text):
        environ[name] = random_credential().secret_access_key
    return environ


def test_the_example_tenants_file_is_valid() -> None:
    assert EXAMPLE is not None
    text = EXAMPLE.group(1)
    tenants = parse_tenants(text, "rig.toml", credentials_for(text))
    assert {t.behaviour for t in tenants} == set(BEHAVIOUR_FAULTS)  # one of each


@pytest.mark.parametrize("key", TENANT_KEYS)
def test_every_tenant_key_is_described(key: str) -> None:
    assert f"| `{key}` |" in SECTION


def test_every_behaviour_is_described() -> None:
    for behaviour in BEHAVIOUR_FAULTS:
        assert f"| `{behaviour.value}` |" in SECTION
    for behaviour in NOT_A_TENANT_BEHAVIOUR:
        assert f"`{behaviour.value}`" in SECTION


def test_the_example_refusal_is_what_the_rig_says() -> None:
    assert EXAMPLE is not None
    text = EXAMPLE.group(1)
    environ = credentials_for(text)
    del environ["RIG_GARBLED_SECRET"]
    with pytest.raises(RigConfigError) as refused:
        parse_tenants(text, "rig.toml", environ)
    assert f"kscheck proxy: --tenants {refused.value}\n" in SECTION
