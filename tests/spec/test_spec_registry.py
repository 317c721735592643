"""The CKS registry is well formed and covers the digest: every §2 shape, every row of §3-§6."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

import conformance.model
from conformance.model.validation import SHAPE_REQUIREMENTS
from conformance.spec import botocore_model
from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS
from conformance.spec.cks_requirements import CKS_REQUIREMENTS
from conformance.spec.requirements import Level, registry

AREAS = {
    "SHAPE",
    "ERR",
    "CREATE",
    "XKS",
    "VPC",
    "OWNER",
    "HSM",
    "UNIQ",
    "QUOTA",
    "UPDATE",
    "CONNECT",
    "STATE",
    "DESCRIBE",
    "PAGE",
    "SECRET",
    "KEY",
    "WIRE",
}
TAGS = {
    "validation",
    "uniqueness",
    "response",
    "owner",
    "state",
    "backend",
    "quota",
    "describe",
    "paging",
    "secrecy",
    "keys",
    "wire",
}
OPEN_QUESTIONS = {f"OQ-{n}" for n in range(1, 29)}

# Digest rows that botocore cannot enumerate, mapped to the requirements that carry them.
ROWS: dict[str, tuple[str, ...]] = {
    # §4.1 required members by type and connectivity
    "4.1 name always required": ("CKS-CREATE-001",),
    "4.1 type optional, defaults to AWS_CLOUDHSM": ("CKS-CREATE-002",),
    "4.1 cluster, anchor, password for AWS_CLOUDHSM": ("CKS-CREATE-003",),
    "4.1 connectivity, endpoint, path, credential for XKS": ("CKS-CREATE-004",),
    "4.1 service name for VPC": ("CKS-CREATE-005",),
    "4.1 owner optional for VPC, n/a for PUBLIC": ("CKS-OWNER-001", "CKS-OWNER-003"),
    "4.1 n/a members": ("CKS-CREATE-006", "CKS-UPDATE-009"),
    # §4.2 field grammar
    "4.2 endpoint: no port, no path, FQDN": ("CKS-SHAPE-009", "CKS-XKS-001"),
    "4.2 path ends /kms/xks/v1": ("CKS-SHAPE-011", "CKS-XKS-002"),
    "4.2 credential update sends both parts": ("CKS-XKS-008",),
    "4.2 password only informs KMS": ("CKS-HSM-006",),
    "4.2 owner: 12 digits, default caller, unchanged, DISCONNECTED": (
        "CKS-SHAPE-014",
        "CKS-OWNER-001",
        "CKS-OWNER-005",
        "CKS-OWNER-006",
    ),
    "4.2 switch to VPC / to PUBLIC": ("CKS-UPDATE-007", "CKS-UPDATE-008"),
    "4.2 cluster active, HSMs, trust anchor, backup history": (
        "CKS-HSM-002",
        "CKS-HSM-003",
        "CKS-HSM-004",
        "CKS-HSM-005",
    ),
    # §4.3 uniqueness and validation rules
    "4.3 name unique": ("CKS-UNIQ-001",),
    "4.3 endpoint+path unique": ("CKS-UNIQ-002",),
    "4.3 PUBLIC stores share an endpoint with other paths": ("CKS-UNIQ-003",),
    "4.3 PUBLIC endpoint is no VPC store's endpoint": ("CKS-UNIQ-004",),
    "4.3 each VPC store its own endpoint": ("CKS-UNIQ-005",),
    "4.3 each VPC store its own service": ("CKS-UNIQ-006",),
    "4.3 cluster not in use": ("CKS-UNIQ-007",),
    "4.3 cluster not related": ("CKS-HSM-005",),
    "4.3 cluster not found / not active / misconfigured": (
        "CKS-HSM-001",
        "CKS-HSM-002",
        "CKS-HSM-003",
    ),
    "4.3 trust anchor mismatch": ("CKS-HSM-004",),
    "4.3 more than 10 stores": ("CKS-QUOTA-001",),
    "4.3 proxy unreachable": ("CKS-XKS-003",),
    "4.3 proxy rejects credential": ("CKS-XKS-004",),
    "4.3 proxy InvalidUriPath / bad TLS": ("CKS-XKS-005", "CKS-XKS-006"),
    "4.3 malformed proxy response": ("CKS-XKS-007",),
    "4.3 VPC service missing / wrong Region / principal": ("CKS-VPC-002", "CKS-VPC-005"),
    "4.3 VPC service non-conformant": ("CKS-VPC-003", "CKS-VPC-001"),
    "4.3 no documented precedence": ("CKS-ERR-009",),
    # §5 state machine
    "5.1 Create -> DISCONNECTED": ("CKS-CREATE-007",),
    "5.1 Connect -> CONNECTING -> CONNECTED/FAILED": ("CKS-CONNECT-001",),
    "5.1 Disconnect -> DISCONNECTING -> DISCONNECTED": ("CKS-STATE-001",),
    "5.1 CONNECTED is sticky": ("CKS-STATE-007",),
    "5.1 keys Unavailable while disconnected": ("CKS-STATE-009",),
    "5.2 Connect row": ("CKS-CONNECT-002", "CKS-CONNECT-003"),
    "5.2 Disconnect row": ("CKS-STATE-001", "CKS-STATE-002"),
    "5.2 Delete row": ("CKS-STATE-003", "CKS-STATE-004"),
    "5.2 Update XKS hot row": ("CKS-UPDATE-001", "CKS-UPDATE-002"),
    "5.2 Update XKS cold row": ("CKS-UPDATE-003", "CKS-OWNER-006"),
    "5.2 Update CloudHSM rename row": ("CKS-UPDATE-004",),
    "5.2 Update CloudHSM password/cluster row": ("CKS-UPDATE-005",),
    "5.2 hot + cold while CONNECTED": ("CKS-UPDATE-006",),
    "5.2 CreateKey row": ("CKS-KEY-001",),
    "5.3 ConnectionErrorCode": ("CKS-CONNECT-004", "CKS-CONNECT-005", "CKS-STATE-008"),
    "5.4 when KMS contacts the backend": ("CKS-XKS-003", "CKS-XKS-009", "CKS-VPC-002"),
    # §6 Describe
    "6 no filter": ("CKS-DESCRIBE-001",),
    "6 filter by Id or Name": ("CKS-DESCRIBE-002", "CKS-DESCRIBE-003"),
    "6 unknown Id or Name": ("CKS-DESCRIBE-004",),
    "6 Limit": ("CKS-PAGE-001", "CKS-SHAPE-019"),
    "6 paging and bad markers": ("CKS-PAGE-002", "CKS-PAGE-003"),
    "6 ordering": ("CKS-PAGE-004",),
    "6 always present": ("CKS-DESCRIBE-005",),
    "6 AWS_CLOUDHSM only": ("CKS-DESCRIBE-006",),
    "6 EXTERNAL_KEY_STORE only": ("CKS-DESCRIBE-007",),
    "6 VPC only": ("CKS-DESCRIBE-008", "CKS-OWNER-007"),
    "6 FAILED only": ("CKS-DESCRIBE-009",),
    "6 never returned": ("CKS-SECRET-001", "CKS-SECRET-002"),
    # §7 keys
    "7 CreateKey rules": tuple(f"CKS-KEY-{n:03d}" for n in range(1, 13)),
    # §10 the 2025-10-30 change and drift
    "10 eu. service names": ("CKS-SHAPE-013", "CKS-VPC-004"),
    "10 CloudHSM rename while CONNECTED": ("CKS-UPDATE-004",),
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_digest_row_is_carried_by_registered_requirements(row: str) -> None:
    known = registry()
    assert all(rid in known for rid in ROWS[row]), ROWS[row]


def test_every_requirement_is_on_some_digest_row_or_shape() -> None:
    on_rows = {rid for ids in ROWS.values() for rid in ids}
    leftovers = {
        r.id for r in CKS_REQUIREMENTS if r.id not in on_rows and r.area not in {"SHAPE", "ERR"}
    }
    # rows the tables above do not list but the digest states in prose
    assert leftovers <= {
        "CKS-CREATE-008",
        "CKS-CREATE-009",
        "CKS-STATE-005",
        "CKS-STATE-006",
        "CKS-OWNER-002",
        "CKS-OWNER-004",
        "CKS-OWNER-008",
        "CKS-CONNECT-006",
        "CKS-DESCRIBE-010",
        "CKS-SECRET-003",
        "CKS-UPDATE-010",
        "CKS-WIRE-001",  # digest §1: the HTTP status of errors
    }, leftovers


def test_ids_are_well_formed_unique_and_numbered_without_gaps() -> None:
    by_area: dict[str, list[int]] = defaultdict(list)
    for r in CKS_REQUIREMENTS:
        assert r.id.startswith("CKS-") and r.area in AREAS, r.id
        by_area[r.area].append(int(r.id.rsplit("-", 1)[1]))
    assert len({r.id for r in CKS_REQUIREMENTS}) == len(CKS_REQUIREMENTS)
    for area, numbers in by_area.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), area
    assert set(by_area) == AREAS


def test_levels_sources_summaries_tags_and_open_questions() -> None:
    for r in CKS_REQUIREMENTS:
        assert isinstance(r.level, Level) and r.source and r.summary.endswith(".")
        assert len(r.summary) <= 100, r.id
        assert isinstance(r.tags, frozenset) and r.tags and r.tags <= TAGS, r.id
        assert set(r.open_questions) <= OPEN_QUESTIONS, r.id
    referenced = {oq for r in CKS_REQUIREMENTS for oq in r.open_questions}
    assert referenced == OPEN_QUESTIONS


def test_validation_and_uniqueness_tags_mark_those_rules() -> None:
    tagged = {
        tag: {r.id for r in CKS_REQUIREMENTS if tag in r.tags}
        for tag in ("validation", "uniqueness")
    }
    assert {f"CKS-UNIQ-{n:03d}" for n in range(1, 8)} <= tagged["uniqueness"]
    assert {r.id for r in CKS_REQUIREMENTS if r.area in {"ERR"}} <= tagged["validation"]
    inputs = {r.id for r in CKS_REQUIREMENTS if r.area == "SHAPE" and "response" not in r.tags}
    assert inputs <= tagged["validation"]


def test_every_shape_of_the_six_operations_is_cited() -> None:
    sources = " ".join(r.source for r in CKS_REQUIREMENTS)
    shapes: set[str] = set()
    for op in CUSTOM_KEY_STORE_OPERATIONS:
        shapes |= {c.shape_name for c in botocore_model.input_constraints(op).values()}
        shapes |= {c.shape_name for c in botocore_model.output_constraints(op).values()}
    assert sorted(s for s in shapes if not re.search(rf"\b{s}\b", sources)) == []
    input_shapes = {
        c.shape_name
        for op in CUSTOM_KEY_STORE_OPERATIONS
        for c in botocore_model.input_constraints(op).values()
    }
    assert input_shapes <= set(SHAPE_REQUIREMENTS)


def model_string_constants() -> set[str]:
    found: set[str] = set()
    for path in Path(conformance.model.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


@pytest.mark.parametrize("operation", [*CUSTOM_KEY_STORE_OPERATIONS, "CreateKey"])
def test_every_declared_error_is_predicted_somewhere_by_the_model(operation: str) -> None:
    constants = model_string_constants()
    internal = {
        "KMSInternalException",
        "DependencyTimeoutException",
        "InvalidArnException",
        "MalformedPolicyDocumentException",
        "TagException",
        "LimitExceededException",
    }
    declared = botocore_model.declared_errors(operation)
    if operation != "CreateKey":
        internal = {"KMSInternalException"}
    assert sorted(declared - internal - constants) == []


def test_every_requirement_id_the_model_cites_is_registered() -> None:
    cited = {c for c in model_string_constants() if re.fullmatch(r"CKS-[A-Z]+-\d{3}", c)}
    assert cited and cited <= set(registry())
