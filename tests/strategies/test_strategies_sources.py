"""The strategies' sources keep their contract: botocore is read, never copied; arrows hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings

import strategies
from conformance.spec.botocore_model import (
    CUSTOM_KEY_STORE_OPERATIONS,
    enum_values,
    input_constraints,
    member_constraint,
)
from strategies import (
    DOC_EXAMPLES_BREAKING_THEIR_PATTERN,
    cloudhsm_store_configs,
    valid_values,
    xks_public_store_configs,
)
from strategies import configs as config_module

SOURCES = sorted(Path(strategies.__file__).parent.glob("*.py"))
FORBIDDEN = ("conformance.checks", "conformance.targets", "conformance.emulator")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_strategies_import_nothing_from_checks_targets_or_emulator(path: Path) -> None:
    bad = {m for m in _imported_modules(path) if m.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_no_botocore_pattern_is_copied_into_the_strategies() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    patterns = {
        c.pattern
        for op in (*CUSTOM_KEY_STORE_OPERATIONS, "CreateKey")
        for c in input_constraints(op).values()
        if c.pattern
    }
    for pattern in patterns:
        assert pattern not in text and pattern.replace("\\", "\\\\") not in text, pattern


def test_enum_values_the_strategies_name_are_botocore_enum_values() -> None:
    assert {config_module.CLOUDHSM, config_module.EXTERNAL} <= set(
        enum_values("CustomKeyStoreType")
    )
    connectivity = {config_module.PUBLIC_ENDPOINT, config_module.VPC_ENDPOINT_SERVICE}
    assert connectivity <= set(enum_values("XksProxyConnectivityType"))


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("CloudHsmClusterId", "cluster-1a23b4cdefg"),
        ("XksProxyAuthenticationCredential.AccessKeyId", "ABCDE12345670EXAMPLE"),
    ],
)
def test_doc_examples_break_their_own_pattern(path: str, example: str) -> None:
    assert example in DOC_EXAMPLES_BREAKING_THEIR_PATTERN
    assert not member_constraint("CreateCustomKeyStore", path).pattern_matches(example)


@settings(max_examples=200)
@given(cloudhsm_store_configs(), xks_public_store_configs())
def test_no_valid_configuration_uses_a_doc_example_that_breaks_its_pattern(
    hsm: dict[str, object], xks: dict[str, object]
) -> None:
    credential = xks["XksProxyAuthenticationCredential"]
    assert isinstance(credential, dict)
    assert hsm["CloudHsmClusterId"] not in DOC_EXAMPLES_BREAKING_THEIR_PATTERN
    assert credential["AccessKeyId"] not in DOC_EXAMPLES_BREAKING_THEIR_PATTERN


@settings(max_examples=300)
@given(valid_values("CreateCustomKeyStore", "CloudHsmClusterId"))
def test_valid_cluster_ids_never_equal_the_doc_example(cluster_id: str) -> None:
    assert cluster_id not in DOC_EXAMPLES_BREAKING_THEIR_PATTERN
