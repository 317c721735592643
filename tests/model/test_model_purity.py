"""The reference model is pure: its modules import nothing that does I/O, reads a clock or
draws randomness; only the standard-library modules listed here and conformance.spec."""

from __future__ import annotations

import ast
import pkgutil
import socket
from pathlib import Path

import pytest
from model_builders import created, public_request, world

import conformance.model
from conformance.model import ReferenceModel

ALLOWED_STDLIB = frozenset(
    {
        "__future__",
        "collections",
        "collections.abc",
        "dataclasses",
        "datetime",
        "enum",
        "functools",
        "itertools",
        "re",
        "typing",
    }
)
ALLOWED_PACKAGES = ("conformance.model", "conformance.spec")
FORBIDDEN_CALLS = frozenset({"now", "utcnow", "today", "time", "monotonic", "perf_counter"})
MODEL_DIR = Path(conformance.model.__file__).parent


def model_modules() -> list[Path]:
    return sorted(MODEL_DIR.glob("*.py"))


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path.name}: use absolute imports")
    return names


def test_every_model_module_is_inspected() -> None:
    found = {m.name for m in pkgutil.iter_modules([str(MODEL_DIR)])}
    assert {p.stem for p in model_modules()} - {"__init__"} == found
    assert len(found) >= 10


@pytest.mark.parametrize("path", model_modules(), ids=lambda p: p.name)
def test_model_module_imports_only_pure_modules(path: Path) -> None:
    for name in imported_names(path):
        allowed = name in ALLOWED_STDLIB or name.startswith(ALLOWED_PACKAGES)
        assert allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", model_modules(), ids=lambda p: p.name)
def test_model_module_reads_no_clock(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute):
            assert node.attr not in FORBIDDEN_CALLS, f"{path.name} uses .{node.attr}"


def test_spec_modules_the_model_uses_are_pure_too() -> None:
    spec_dir = MODEL_DIR.parent / "spec"
    used = {
        name
        for p in model_modules()
        for name in imported_names(p)
        if name.startswith("conformance.spec")
    }
    assert used <= {"conformance.spec", "conformance.spec.botocore_model"}
    for name in imported_names(spec_dir / "botocore_model.py"):
        # botocore loads the JSON service model from the installed package, nothing else
        assert name in ALLOWED_STDLIB or name.startswith("botocore"), name


def test_a_whole_scenario_runs_with_the_network_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reference model tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = ReferenceModel(world())
    store_id = created(model, public_request())
    model.execute("ConnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    model.settle_all()
    model.execute(
        "CreateKey",
        {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"},
    )
    assert model.execute("DescribeCustomKeyStores", {}).succeeded
