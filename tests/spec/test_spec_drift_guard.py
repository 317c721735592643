"""The drift guard: every member of the six custom key store operations is named by a
requirement, and every member a requirement names exists in botocore's model."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from conformance.spec import botocore_model
from conformance.spec.botocore_model import CUSTOM_KEY_STORE_OPERATIONS
from conformance.spec.cks_requirements import CKS_REQUIREMENTS
from conformance.spec.requirements import Requirement


def unnamed_members(requirements: Iterable[Requirement]) -> list[str]:
    named = {m for r in requirements for m in r.members}
    every = set().union(
        *(botocore_model.member_references(op) for op in CUSTOM_KEY_STORE_OPERATIONS)
    )
    return sorted(every - named)


def unknown_members(requirements: Iterable[Requirement]) -> list[str]:
    return sorted(
        {
            f"{r.id}: {m}"
            for r in requirements
            for m in r.members
            if not botocore_model.member_reference_exists(m)
        }
    )


@pytest.mark.requirement("CKS-SHAPE-014", "CKS-OWNER-001")
def test_every_custom_key_store_member_is_named_by_a_requirement() -> None:
    assert unnamed_members(CKS_REQUIREMENTS) == []


def test_every_named_member_exists_in_botocore() -> None:
    assert unknown_members(CKS_REQUIREMENTS) == []


def test_nested_and_output_members_are_part_of_the_guard() -> None:
    refs = botocore_model.member_references("UpdateCustomKeyStore")
    assert "UpdateCustomKeyStore.XksProxyAuthenticationCredential.RawSecretAccessKey" in refs
    describe = botocore_model.member_references("DescribeCustomKeyStores")
    assert (
        "DescribeCustomKeyStores:output.CustomKeyStores.XksProxyConfiguration."
        "VpcEndpointServiceOwner"
    ) in describe


def test_a_new_botocore_member_fails_the_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    real = botocore_model.member_references

    def with_new_field(operation: str) -> frozenset[str]:
        extra = (
            {f"{operation}.XksProxyFutureField"} if operation == "CreateCustomKeyStore" else set()
        )
        return real(operation) | extra

    monkeypatch.setattr(botocore_model, "member_references", with_new_field)
    assert unnamed_members(CKS_REQUIREMENTS) == ["CreateCustomKeyStore.XksProxyFutureField"]


def test_a_requirement_naming_a_missing_member_fails_the_guard() -> None:
    stale = Requirement(
        "CKS-DEMO-001",
        CKS_REQUIREMENTS[0].level,
        "test",
        "A stale member.",
        members=(
            "CreateCustomKeyStore.XksProxyOwner",
            "DescribeCustomKeyStores:output.CustomKeyStores.Owner",
        ),
    )
    assert unknown_members([stale]) == [
        "CKS-DEMO-001: CreateCustomKeyStore.XksProxyOwner",
        "CKS-DEMO-001: DescribeCustomKeyStores:output.CustomKeyStores.Owner",
    ]
